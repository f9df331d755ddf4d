// Wall-clock CPU time per request of one candidate (the bench/entries contract), split by where it goes, with Linux
// `perf` (software cpu-clock samples: works in a VM without hardware counters). The server runs pinned to cpu 0 with
// `--perf-basic-prof` (JIT-compiled JavaScript named in /tmp/perf-PID.map), wrk loads it from cpu 1 with the
// harness's request script, and `perf record -g` samples it for --seconds. Each sample is charged to the innermost
// frame of this repository's packages on its stack: a gw function with everything node, V8 and the kernel do for it
// below it (a header getter, a C++ call, a runtime call, a write barrier), which callgrind's self counts split apart.
// Samples with no gw frame are charged to their innermost JavaScript frame ("(node) ..."). Figures are µs per request
// of that run; compare two builds by running this on each back to back (a machine's speed drifts between runs).
//   node bench/time-per-request.mjs bench/entries/cache.mjs [--seconds 5] [--warm 4] [--top 40] [--headers '{"x":"y"}']
//     [--under 'JS:*ended'] [--keep]
// --under NAME also lists what the samples inside frames whose name contains NAME were doing (their callee frames).
// --keep keeps perf.data and the `perf script` text (their folder is printed).
// Needs `perf` (linux-perf / linux-tools) and wrk, and kernel.perf_event_paranoid <= 2 (the default).
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, startServer } from './harness/lib/proc.mjs'
import { wrkScript } from './harness/lib/requests.mjs'
import { writeFixture } from './harness/targets/stack/_fixture.mjs'

const args = process.argv.slice(2)
const entry = args[0]
if (!entry || entry.startsWith('--')) {
  console.error('usage: node bench/time-per-request.mjs <entry.mjs> [--seconds 5] [--warm 4] [--top 40] [--headers JSON] [--under NAME] [--keep]')
  process.exit(2)
}
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? fallback : args[i + 1]
}
const seconds = Number(opt('seconds', 5))
const warm = Number(opt('warm', 4))
const top = Number(opt('top', 40))
const under = opt('under', undefined)
const dir = mkdtempSync(path.join(tmpdir(), 'gw-time-'))
const REPO = fileURLToPath(new URL('../packages/', import.meta.url))

// stack-suite entries read the fixture (an API key and a JWT) from BENCH_STACK_FIXTURE
const fixtureFile = path.join(dir, 'fixture.json')
await writeFixture(fixtureFile)
process.env.BENCH_STACK_FIXTURE = fixtureFile

const port = await freePort()
const server = await startServer({ module: path.resolve(entry), port, cpu: 0, nodeArgs: ['--perf-basic-prof'], env: { BENCH_STACK_FIXTURE: fixtureFile } })
const headers = { ...(server.info.headers ?? {}), ...JSON.parse(opt('headers', '{}')) }
const url = `http://127.0.0.1:${port}${server.info.path ?? '/api/hello'}`
const script = wrkScript('GET', headers)
const wrk = (secs) => spawn('taskset', ['-c', '1', 'wrk', '-t1', '-c50', `-d${secs}s`, '-s', script, url], { stdio: ['ignore', 'pipe', 'inherit'] })
const output = (child) => new Promise((resolve) => {
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  child.on('close', () => resolve(out))
})

try {
  await output(wrk(warm))
  // the measured run outlasts the recording on both ends, so every sample is under load
  const load = output(wrk(seconds + 1))
  await new Promise((resolve) => setTimeout(resolve, 500))
  const data = path.join(dir, 'perf.data')
  execFileSync('perf', ['record', '-g', '-e', 'cpu-clock', '-F', '4999', '-p', String(server.pid), '-o', data, '--', 'sleep', String(seconds)], { stdio: 'ignore' })
  const rps = Number((await load).match(/Requests\/sec:\s+([\d.]+)/)?.[1])
  const text = execFileSync('perf', ['script', '-i', data, '-F', 'ip,sym'], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString()
  if (args.includes('--keep')) writeFileSync(path.join(dir, 'perf.txt'), text)
  report(text, rps)
} finally {
  await server.stop()
  if (args.includes('--keep')) console.log(`kept: ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}

/** Prints µs per request by innermost gw frame (and, with --under, by callee inside the named frames). */
function report (text, rps) {
  const charged = new Map()
  const inside = new Map()
  let samples = 0
  const add = (map, key) => map.set(key, (map.get(key) ?? 0) + 1)
  for (const block of text.split(/\n\s*\n/)) {
    const frames = block.split('\n').map((l) => l.trim().split(/\s+/).slice(1).join(' ')).filter(Boolean)
    if (frames.length === 0) continue
    samples++
    const ours = frames.find((f) => f.includes(`file://${REPO}`))
    add(charged, ours ? ours.replace(`file://${REPO}`, '') : `(node) ${frames.find((f) => f.startsWith('JS:')) ?? frames[0]}`)
    if (under) {
      const i = frames.findIndex((f) => f.includes(under))
      if (i !== -1) add(inside, i === 0 ? '(self)' : frames[i - 1].replace(`file://${REPO}`, ''))
    }
  }
  const us = (n) => ((n / samples) * 1e6 / rps).toFixed(2).padStart(7)
  console.log(`${path.basename(entry)}: ${rps.toFixed(0)} req/s under perf, ${samples} samples, ${us(samples)} µs CPU per request`)
  console.log('µs/req  innermost gw frame (with the node, V8 and kernel work below it)')
  for (const [k, v] of [...charged].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${us(v)}  ${k.slice(0, 140)}`)
  if (under) {
    console.log(`\nµs/req  inside frames named like ${JSON.stringify(under)}, by callee`)
    for (const [k, v] of [...inside].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${us(v)}  ${k.slice(0, 140)}`)
  }
}
