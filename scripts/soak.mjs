#!/usr/bin/env node
// `pnpm soak` (not part of `pnpm test`): the built `gw serve` on a Redis of its own under steady loopback load for
// SOAK_MINUTES (default 10) while faults are injected: Redis killed with SIGKILL and restarted, upstream
// connections destroyed, config reloads (SIGHUP, each one changing a stage variable that the load then sees). Every
// 30 s it prints requests, statuses, the gateway's V8 heap after a full GC (scripts/soak-probe.cjs, over IPC), its RSS
// and open file descriptors (from /proc); at the end a summary table and curves (Markdown, for docs/reliability.md).
// Fails (exit 1) on unbounded growth (heap, RSS or fds still climbing after warm-up), quota over-admission, a request
// that got no answer, a reload that was not confirmed or not seen by the load, or a fault that never happened.
// Needs `pnpm build` first and /usr/bin/redis-server. Loopback only; never touches Redis on 6379.
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10)
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16)
const SAMPLE_MS = 30_000
const QUOTA = 2000 // the 'metered' key's daily quota: the soak sends more, and checks it is never exceeded
const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'packages/cli/dist/bin.js')
const probe = join(root, 'scripts/soak-probe.cjs')
const fixture = join(root, 'packages/cli/test/fixtures/e2e')

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createNetServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// ---- our own Redis (never the shared one) ----
const redisPort = await freePort()
let redis
let gw
async function startRedis() {
  // A loaded machine can take seconds to start it; one that exited (port not yet free) is started again.
  for (let i = 0; i < 600; i++) {
    if (redis === undefined || redis.exitCode !== null || redis.signalCode !== null) {
      redis = spawn('/usr/bin/redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    }
    if (await new Promise((r) => { const c = createNetServer(); c.once('error', () => r(true)); c.listen(redisPort, '127.0.0.1', () => c.close(() => r(false))) })) return
    await sleep(100)
  }
  throw new Error('redis-server did not start in 60 s')
}
function killRedis() {
  const child = redis
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}
await startRedis()
// Whatever ends this script, nothing it started is left running.
process.on('exit', () => {
  redis?.kill('SIGKILL')
  gw?.kill('SIGKILL')
})

// ---- upstream for the HTTP_PROXY route; its connections are destroyed now and then ----
const upstreamSockets = new Set()
const upstream = createServer((req, res) => {
  req.resume()
  req.on('end', () => res.end(JSON.stringify({ pet: req.url })))
})
upstream.on('connection', (s) => {
  upstreamSockets.add(s)
  s.on('close', () => upstreamSockets.delete(s))
})
await new Promise((r) => upstream.listen(0, '127.0.0.1', r))
const upstreamPort = upstream.address().port

// ---- config: the CLI's e2e fixture on our Redis, two keys (one metered) ----
const dir = mkdtempSync(join(tmpdir(), 'gw-soak-'))
cpSync(fixture, dir, { recursive: true })
const configFile = join(dir, 'gw.config.yaml')
let config = readFileSync(configFile, 'utf8')
  .replace('upstream: 127.0.0.1:9', `upstream: 127.0.0.1:${upstreamPort}`)
  .replace('limit: 4', `limit: ${QUOTA}`)
config += `store: redis://127.0.0.1:${redisPort}\nstorePrefix: soak\n`
writeFileSync(configFile, config)
const ALICE = 'soak-alice-key-0123456789abcdef'
const TOKEN = 'soak-admin-token-0123456789'
gw = spawn(process.execPath, ['--expose-gc', '--require', probe, bin, 'serve', configFile, '--port', '0'], {
  env: { ...process.env, E2E_ALICE_KEY: ALICE, E2E_ADMIN_TOKEN: TOKEN },
  stdio: ['ignore', 'pipe', 'pipe', 'ipc']
})
let out = ''
gw.stdout.on('data', (c) => (out += c))
// The CLI confirms each SIGHUP on stderr: 'gw: SIGHUP: reloaded' or '… reload refused …'.
const reloadReplies = { reloaded: 0, refused: 0 }
let errTail = ''
gw.stderr.on('data', (c) => {
  errTail += c
  const lines = errTail.split('\n')
  errTail = lines.pop() ?? ''
  for (const l of lines) {
    if (l.includes('SIGHUP: reloaded')) reloadReplies.reloaded++
    else if (l.includes('SIGHUP: reload refused')) reloadReplies.refused++
  }
})
const heapMb = () =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(Number.NaN), 10_000)
    gw.once('message', (m) => {
      clearTimeout(timer)
      resolve(m.memory.heapUsed / 1024 / 1024)
    })
    gw.send('memory')
  })
let base
for (let i = 0; i < 400 && base === undefined; i++) {
  const m = /shop dev: (http:\/\/\S+)/.exec(out)
  if (m) base = m[1]
  else await sleep(50)
}
if (base === undefined) throw new Error(`gw serve did not start: ${out}`)

// ---- load ----
const statuses = new Map()
let sent = 0
let unanswered = 0
let admittedMetered = 0
let stop = false
// What /hello says $stageVariables.greeting is: each reload changes it, so the load shows the new config is served.
let greeting = 'hi'
const greetingsSeen = new Set()
const targets = [
  { path: '/hello', headers: {} },
  { path: '/pets/7', headers: {} },
  { path: '/private', headers: { 'x-api-key': ALICE }, metered: true }
]
async function worker(n) {
  let i = n
  while (!stop) {
    const t = targets[i++ % targets.length]
    sent++
    try {
      const res = await fetch(base + t.path, { headers: t.headers, signal: AbortSignal.timeout(35_000) })
      const body = await res.text()
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      if (t.path === '/hello' && res.status === 200) greetingsSeen.add(JSON.parse(body).greeting)
      if (t.metered && res.status === 200) admittedMetered++
    } catch {
      unanswered++
    }
  }
}
const started = Date.now()
const workers = Array.from({ length: CONCURRENCY }, (_, n) => worker(n))

// ---- faults: one scheduler, each fault at its own times (never shadowed by another one due the same second) ----
const faults = { redisRestarts: 0, upstreamKills: 0, reloads: 0 }
const schedule = [
  { every: 20, at: 10, run: () => { for (const s of upstreamSockets) s.destroy(); faults.upstreamKills++ } },
  { every: 60, at: 30, run: () => reload() },
  { every: 90, at: 45, run: () => restartRedis() }
].map((f) => ({ ...f, next: f.at }))
async function restartRedis() {
  await killRedis()
  await sleep(1000)
  await startRedis()
  faults.redisRestarts++
}
function reload() {
  greeting = `soak-${faults.reloads + 1}`
  writeFileSync(configFile, (config = config.replace(/greeting: \S+/, `greeting: ${greeting}`)))
  gw.kill('SIGHUP')
  faults.reloads++
}
const faultLoop = (async () => {
  while (!stop) {
    const elapsed = (Date.now() - started) / 1000
    for (const f of schedule) {
      if (elapsed >= f.next && !stop) {
        f.next += f.every
        await f.run()
      }
    }
    await sleep(250)
  }
})()

// ---- samples ----
const pid = gw.pid
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const fds = () => readdirSync(`/proc/${pid}/fd`).length
const samples = []
const line = (s) => `| ${s.t} | ${s.sent} | ${s.rps} | ${s.byStatus} | ${s.unanswered} | ${s.heap.toFixed(1)} | ${s.rss.toFixed(1)} | ${s.fds} | ${s.faults} |`
console.log(`soak: ${MINUTES} min, ${CONCURRENCY} clients, gw pid ${pid}, redis :${redisPort}, upstream :${upstreamPort}`)
console.log('| t (s) | requests | req/s | statuses | unanswered | heap after GC (MB) | RSS (MB) | open fds | faults so far (Redis / upstream / reload) |')
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
let lastSent = 0
while (Date.now() - started < MINUTES * 60_000) {
  await sleep(SAMPLE_MS)
  const s = {
    t: Math.round((Date.now() - started) / 1000),
    sent,
    rps: Math.round((sent - lastSent) / (SAMPLE_MS / 1000)),
    byStatus: [...statuses].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(' '),
    unanswered,
    heap: await heapMb(),
    rss: rssMb(),
    fds: fds(),
    faults: `${faults.redisRestarts} / ${faults.upstreamKills} / ${faults.reloads}`
  }
  lastSent = sent
  samples.push(s)
  console.log(line(s))
}
stop = true
await faultLoop
await Promise.all(workers)
// The last reload must be the config now served: one more request after the load stopped.
await sleep(1000)
const lastGreeting = await fetch(`${base}/hello`).then((r) => r.json()).then((b) => b.greeting).catch(() => null)

// ---- verdict ----
const usage = await fetch(`${new URL(base).origin}/_gw/stores`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.json()).catch(() => null)
gw.kill('SIGTERM')
await new Promise((r) => {
  const force = setTimeout(() => gw.kill('SIGKILL'), 20_000)
  gw.once('exit', () => r(clearTimeout(force)))
})
await killRedis()
upstream.closeAllConnections()
upstream.close()
rmSync(dir, { recursive: true, force: true })

// Growth after warm-up: the mean of the last three samples against the mean of the first three after the first minute
// (single samples move with GC and allocator timing; a leak moves the mean).
const warm = samples.slice(Math.min(2, samples.length - 1))
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
const growth = (key) => mean(warm.slice(-3).map((x) => x[key])) - mean(warm.slice(0, 3).map((x) => x[key]))
const heapGrowth = growth('heap')
const rssGrowth = growth('rss')
const fdGrowth = growth('fds')
const failures = []
// In-flight requests when Redis died are the only ones that may be counted by nobody (CLI README).
if (admittedMetered > QUOTA + CONCURRENCY) failures.push(`quota over-admitted: ${admittedMetered} > ${QUOTA} + ${CONCURRENCY} in flight`)
if (unanswered > 0) failures.push(`${unanswered} requests got no answer`)
if (!(heapGrowth <= 32)) failures.push(`heap after GC grew ${heapGrowth.toFixed(1)} MB after warm-up`)
if (rssGrowth > 64) failures.push(`RSS grew ${rssGrowth.toFixed(1)} MB after warm-up`)
if (fdGrowth > 20) failures.push(`open fds grew by ${fdGrowth.toFixed(1)} after warm-up`)
if (reloadReplies.reloaded !== faults.reloads) failures.push(`${faults.reloads} SIGHUPs sent, ${reloadReplies.reloaded} confirmed, ${reloadReplies.refused} refused`)
if (faults.reloads > 0 && lastGreeting !== greeting) failures.push(`after the last reload /hello says greeting ${lastGreeting}, not ${greeting}`)
const unseen = Array.from({ length: faults.reloads }, (_, i) => `soak-${i + 1}`).filter((g) => !greetingsSeen.has(g))
if (unseen.length > 1) failures.push(`reloaded configs never seen by the load: ${unseen.join(', ')}`) // the last may be too late
for (const [kind, n] of Object.entries(faults)) if (MINUTES >= 2 && n === 0) failures.push(`no ${kind} happened`)
// Curves: one character per 30 s sample, scaled between the run's minimum and maximum (printed beside them).
const BARS = '▁▂▃▄▅▆▇█'
const curve = (key, digits) => {
  const xs = samples.map((x) => x[key])
  const lo = Math.min(...xs)
  const hi = Math.max(...xs)
  const bars = xs.map((x) => BARS[hi === lo ? 0 : Math.round(((x - lo) / (hi - lo)) * (BARS.length - 1))]).join('')
  return `\`${bars}\` ${lo.toFixed(digits)} … ${hi.toFixed(digits)}`
}
console.log(`\ncurves (one mark per sample, min … max): heap after GC ${curve('heap', 1)} MB; RSS ${curve('rss', 1)} MB; open fds ${curve('fds', 0)}`)
console.log(`\nfaults: ${JSON.stringify(faults)}; SIGHUP replies ${JSON.stringify(reloadReplies)}; greetings seen by the load: ${[...greetingsSeen].join(', ')}; after the run /hello says ${lastGreeting}`)
console.log(`metered key admitted ${admittedMetered} of quota ${QUOTA}; store health at the end: ${JSON.stringify(usage)}`)
const fmt = (x, d) => x.toFixed(d)
console.log(`after warm-up (mean of first three vs last three samples from t=${warm[0].t}s): heap ${fmt(heapGrowth, 1)} MB, RSS ${fmt(rssGrowth, 1)} MB, fds ${fmt(fdGrowth, 1)}`)
if (failures.length > 0) {
  console.log(`SOAK FAILED: ${failures.join('; ')}`)
  process.exit(1)
}
console.log('SOAK PASSED')
process.exit(0)
