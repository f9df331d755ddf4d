// `gw serve --sam` / `--serverless` beside serverless-offline 13 (serverless v3) on the same 30-function service,
// in ONE run (docs/benchmarks.md, "SAM templates and serverless.yml"):
//   1. start-up: from spawning the command to the first 200 of a route (median of ROUNDS cold starts each);
//   2. throughput: requests per second of one in-process Lambda route (`GET /fn1`, an async handler answering
//      a small JSON body), the servers pinned to CPU 0 and `wrk -t1 -cC` to CPU 1, interleaved slices, ratio of
//      gw to serverless-offline per round.
// The template and serverless.yml are generated (tmp dir) from the same handlers; both tools read them unchanged.
//   node bench/sam-offline.mjs [--functions 30] [--rounds 5] [--seconds 5] [--connections 50]
// Needs: `pnpm build` (packages/cli/dist), `npm install --prefix bench/sam-offline` (the peer, outside the pnpm
// workspace), wrk and taskset (Linux). On a shared box, keep benchmark runs from overlapping (flock).
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({ options: { functions: { type: 'string', default: '30' }, rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '50' } } })
const FUNCTIONS = Number(values.functions)
const ROUNDS = Number(values.rounds)
const SECONDS = Number(values.seconds)
const CONNECTIONS = Number(values.connections)
const GW = path.join(root, 'packages/cli/dist/bin.js')
const SLS = path.join(root, 'bench/sam-offline/node_modules/serverless/bin/serverless.js')
if (!existsSync(GW)) throw new Error('build first: pnpm build')
if (!existsSync(SLS)) throw new Error('install the peer first: npm install --prefix bench/sam-offline')

// --- the service, generated once: N handlers, a SAM template and the equivalent serverless.yml -------------------
const dir = mkdtempSync(path.join(tmpdir(), 'gw-sam-bench-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
mkdirSync(path.join(dir, 'src'))
let template = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: nodejs20.x\n    CodeUri: src/\nResources:\n"
let sls = "service: bench\nframeworkVersion: '3'\nplugins:\n  - serverless-offline\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  stage: dev\nfunctions:\n"
for (let i = 1; i <= FUNCTIONS; i++) {
  writeFileSync(path.join(dir, 'src', `fn${i}.mjs`), `export const handler = async (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fn: ${i}, path: event.path }) })\n`)
  template += `  Fn${i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: fn${i}.handler\n      Events:\n        Get:\n          Type: Api\n          Properties: { Path: /fn${i}, Method: get }\n`
  sls += `  fn${i}:\n    handler: src/fn${i}.handler\n    events:\n      - http: GET fn${i}\n`
}
writeFileSync(path.join(dir, 'template.yaml'), template)
writeFileSync(path.join(dir, 'serverless.yml'), sls)
// the framework resolves its plugin from the service's node_modules
symlinkSync(path.join(root, 'bench/sam-offline/node_modules'), path.join(dir, 'node_modules'), 'dir')

const env = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: '*', SERVERLESS_PLATFORM_STAGE: 'none', NODE_ENV: 'production' }
const freePort = () => 21000 + Math.floor(Math.random() * 20000)

/** The two commands under test, each pinned to CPU 0; `url` is the measured route. */
const targets = [
  {
    name: 'gw serve --sam',
    start: (port) => spawn('taskset', ['-c', '0', process.execPath, GW, 'serve', '--sam', 'template.yaml', '--port', String(port)], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] }),
    url: (port) => `http://127.0.0.1:${port}/Prod/fn1`
  },
  {
    name: 'gw serve --serverless',
    start: (port) => spawn('taskset', ['-c', '0', process.execPath, GW, 'serve', '--serverless', 'serverless.yml', '--port', String(port)], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] }),
    url: (port) => `http://127.0.0.1:${port}/dev/fn1`
  },
  {
    name: 'serverless-offline 13',
    // `offline start` without --useInProcess runs each handler in a worker thread (v13's default, what users get)
    start: (port) => spawn('taskset', ['-c', '0', process.execPath, SLS, 'offline', 'start', '--httpPort', String(port), '--lambdaPort', String(port + 1), '--host', '127.0.0.1', '--noTimeout'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] }),
    url: (port) => `http://127.0.0.1:${port}/dev/fn1`
  }
]

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Starts a target and resolves with the milliseconds until its route first answers 200. */
async function coldStart(t, port) {
  const t0 = performance.now()
  const child = t.start(port)
  let err = ''
  child.stderr.on('data', (c) => (err += c))
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${t.name} exited: ${err}`)
    try {
      const res = await fetch(t.url(port))
      if (res.status === 200) {
        await res.arrayBuffer()
        return { ms: performance.now() - t0, child }
      }
    } catch {}
    if (performance.now() - t0 > 120_000) throw new Error(`${t.name}: no 200 within 120 s: ${err}`)
    await sleep(5)
  }
}

async function stop(child) {
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))])
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

// --- 1. start-up to the first 200 (targets interleaved per round) ---------------------------------------------
const startup = new Map(targets.map((t) => [t.name, []]))
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < targets.length; i++) {
    const t = targets[(i + r) % targets.length]
    const { ms, child } = await coldStart(t, freePort())
    startup.get(t.name).push(ms)
    await stop(child)
  }
}

// --- 2. requests per second of GET /fn1, interleaved slices ----------------------------------------------------
const running = []
for (const t of targets) {
  const port = freePort()
  const { child } = await coldStart(t, port)
  running.push({ ...t, port, child, rps: [] })
}
const wrk = (t, secs) => {
  const out = execFileSync('taskset', ['-c', '1', 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${secs}s`, t.url(t.port)], { encoding: 'utf8' })
  if (/Non-2xx/.test(out)) throw new Error(`${t.name}: non-2xx answers\n${out}`)
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1])
}
for (const t of running) wrk(t, 2) // warm-up (JIT, worker threads)
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < running.length; i++) {
    const t = running[(i + r) % running.length]
    t.rps.push(wrk(t, SECONDS))
  }
}
for (const t of running) await stop(t.child)

// --- report ---------------------------------------------------------------------------------------------------
const peer = running[running.length - 1]
console.log(`node bench/sam-offline.mjs --functions ${FUNCTIONS} --rounds ${ROUNDS} --seconds ${SECONDS} --connections ${CONNECTIONS}`)
console.log(`(servers pinned to CPU 0, wrk -t1 -c${CONNECTIONS} pinned to CPU 1; ${FUNCTIONS} functions; medians of ${ROUNDS} rounds)\n`)
console.log('| command | start to first 200 (ms) | x serverless-offline | GET /fn1 req/s | x serverless-offline |')
console.log('| --- | ---: | ---: | ---: | ---: |')
const peerStart = startup.get(peer.name)
for (const t of running) {
  const s = startup.get(t.name)
  const startRatio = median(s.map((ms, i) => peerStart[i] / ms))
  const rpsRatio = median(t.rps.map((x, i) => x / peer.rps[i]))
  console.log(`| ${t.name} | ${median(s).toFixed(0)} | ${startRatio.toFixed(2)} | ${median(t.rps).toFixed(0)} | ${rpsRatio.toFixed(2)} |`)
}
console.log('\nratios per round (start, req/s):')
for (const t of running) console.log(`  ${t.name}: start [${startup.get(t.name).map((ms) => ms.toFixed(0)).join(' ')}] ms, req/s [${t.rps.map((x) => x.toFixed(0)).join(' ')}]`)
