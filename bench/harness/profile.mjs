#!/usr/bin/env node
// Where does a target spend its CPU? Starts ONE target under `node --cpu-prof`,
// warms it, loads it for --duration s, stops it and prints self time grouped by
// package and the top functions:
//   pnpm bench:profile <target module path | peer name> [--duration 8]
//   (from the repository root, e.g. `pnpm bench:profile hono-proxy` or `pnpm bench:profile bench/entries/mw.mjs`)
import { parseArgs } from 'node:util'
import { readFileSync, readdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname, basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServer, freePort } from './lib/proc.mjs'
import { load, wrkAvailable } from './lib/load.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '4' },
    connections: { type: 'string', default: '50' },
    top: { type: 'string', default: '25' },
    'sut-cpu': { type: 'string', default: '0' },
    'load-cpu': { type: 'string', default: '1' },
    // also print inclusive time (self + callees) per function, as µs per request: where a request's time goes
    inclusive: { type: 'boolean', default: false }
  }
})
let target = positionals[0]
if (!target) { console.error('usage: profile.mjs <target module path | peer name>'); process.exit(2) }
if (!existsSync(target)) {
  for (const s of ['proxy', 'mw']) {
    const p = join(HERE, 'targets', s, `${target}.mjs`)
    if (existsSync(p)) { target = p; break }
  }
}
target = resolve(target)
const isProxy = target.includes(`${join('targets', 'proxy')}`) || (await import(target)).meta?.suite === 'proxy'
const tool = wrkAvailable() ? 'wrk' : 'autocannon'
const dir = mkdtempSync(join(tmpdir(), 'gwprof-'))
let upstream = null
let rps = NaN
try {
  if (isProxy) {
    const port = await freePort()
    upstream = await startServer({ module: join(HERE, 'targets', 'proxy', 'upstream.mjs'), port, cpu: values['load-cpu'] })
    upstream.url = `http://127.0.0.1:${port}`
  }
  const port = await freePort()
  const srv = await startServer({
    module: target, port, upstream: upstream?.url, cpu: values['sut-cpu'],
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200']
  })
  const url = `http://127.0.0.1:${port}${srv.info.path || '/api/hello'}`
  const headers = { origin: 'http://client.example.test', ...srv.info.headers }
  const base = { tool, url, connections: Number(values.connections), headers, cpu: values['load-cpu'] }
  await load({ ...base, duration: Number(values.warmup) })
  const r = await load({ ...base, duration: Number(values.duration) })
  rps = r.rps
  await srv.stop() // SIGTERM -> process.exit -> profile written
} finally {
  if (upstream) await upstream.stop()
}
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
if (!file) { console.error('no profile written'); process.exit(1) }
const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'))
rmSync(dir, { recursive: true, force: true })

// self time per node = samples hitting it x interval
const dt = new Map()
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i]
  dt.set(id, (dt.get(id) || 0) + (prof.timeDeltas[i] || 0))
}
const byPkg = new Map()
const byFn = new Map()
let total = 0
for (const n of prof.nodes) {
  const t = dt.get(n.id) || 0
  if (!t || n.callFrame.functionName === '(idle)') continue // percentages of busy time
  total += t
  const url = n.callFrame.url || ''
  let pkg
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)
  if (m) pkg = m[1]
  else if (url.startsWith('node:')) pkg = url
  else if (!url) pkg = `(${n.callFrame.functionName || 'native'})`
  else pkg = basename(url)
  byPkg.set(pkg, (byPkg.get(pkg) || 0) + t)
  const fk = `${n.callFrame.functionName || '(anon)'}  ${pkg}:${n.callFrame.lineNumber + 1}`
  byFn.set(fk, (byFn.get(fk) || 0) + t)
}
const pct = (t) => ((100 * t) / total).toFixed(1).padStart(5) + '%'
console.log(`# ${basename(target)}: ${Math.round(rps)} req/s under the profiler, ${Math.round(total / 1000)} ms busy CPU sampled incl. warmup (${tool} ${values.connections} conns ${values.duration}s)`)
console.log('\n## self time by package / node module')
for (const [k, t] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${pct(t)}  ${k}`)
console.log('\n## top functions (self)')
for (const [k, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(`${pct(t)}  ${k}`)

if (values.inclusive) {
  // inclusive time per function key, each sample counted once per key even under recursion
  const byId = new Map(prof.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const keyOf = (n) => `${n.callFrame.functionName || '(anon)'}  ${basename(n.callFrame.url || '') || '(native)'}:${n.callFrame.lineNumber + 1}`
  const incl = new Map()
  for (const [id, t] of dt) {
    if (byId.get(id).callFrame.functionName === '(idle)') continue
    const seen = new Set()
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf(byId.get(cur))
      if (seen.has(k)) continue
      seen.add(k)
      incl.set(k, (incl.get(k) || 0) + t)
    }
  }
  const usPerReq = 1e6 / rps
  console.log(`\n## inclusive time (µs per request at ${Math.round(rps)} req/s; ${usPerReq.toFixed(1)} µs in all)`)
  for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(`${pct(t)}  ${((t / total) * usPerReq).toFixed(2).padStart(6)} µs  ${k}`)
}
