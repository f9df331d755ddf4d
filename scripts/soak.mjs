#!/usr/bin/env node
// `pnpm soak` (not part of `pnpm test`): the built `gw serve` on a Redis of its own under steady loopback load for
// SOAK_MINUTES (default 10) while faults are injected: Redis killed with SIGKILL and restarted, upstream
// connections destroyed, config reloads (SIGHUP). Every 30 s it prints requests, statuses, the gateway's heap
// (from /proc: RSS) and open file descriptors; at the end a summary table (Markdown, for docs/reliability.md).
// Fails (exit 1) on unbounded growth (RSS or fds still climbing after warm-up), quota over-admission, or a request
// that got no answer. Needs `pnpm build` first and /usr/bin/redis-server. Loopback only; never touches Redis on 6379.
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
async function startRedis() {
  redis = spawn('/usr/bin/redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  for (let i = 0; i < 100; i++) {
    if (await new Promise((r) => { const c = createNetServer(); c.once('error', () => r(true)); c.listen(redisPort, '127.0.0.1', () => c.close(() => r(false))) })) return
    await sleep(50)
  }
  throw new Error('redis-server did not start')
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
const gw = spawn(process.execPath, [bin, 'serve', configFile, '--port', '0'], { env: { ...process.env, E2E_ALICE_KEY: ALICE, E2E_ADMIN_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] })
let out = ''
gw.stdout.on('data', (c) => (out += c))
gw.stderr.on('data', () => {})
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
      await res.arrayBuffer()
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      if (t.metered && res.status === 200) admittedMetered++
    } catch {
      unanswered++
    }
  }
}
const workers = Array.from({ length: CONCURRENCY }, (_, n) => worker(n))

// ---- faults ----
const faults = { redisRestarts: 0, upstreamKills: 0, reloads: 0 }
const faultTimer = setInterval(async () => {
  const second = Math.floor((Date.now() - started) / 1000)
  if (second % 90 === 45) {
    await killRedis()
    await sleep(1000)
    await startRedis()
    faults.redisRestarts++
  } else if (second % 60 === 30) {
    gw.kill('SIGHUP')
    faults.reloads++
  } else if (second % 20 === 10) {
    for (const s of upstreamSockets) s.destroy()
    faults.upstreamKills++
  }
}, 1000)

// ---- samples ----
const pid = gw.pid
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const fds = () => readdirSync(`/proc/${pid}/fd`).length
const samples = []
const started = Date.now()
const line = (s) => `| ${s.t} | ${s.sent} | ${s.rps} | ${s.byStatus} | ${s.unanswered} | ${s.rss.toFixed(1)} | ${s.fds} |`
console.log(`soak: ${MINUTES} min, ${CONCURRENCY} clients, gw pid ${pid}, redis :${redisPort}, upstream :${upstreamPort}`)
console.log('| t (s) | requests | req/s | statuses | unanswered | RSS (MB) | open fds |\n| --- | --- | --- | --- | --- | --- | --- |')
let lastSent = 0
while (Date.now() - started < MINUTES * 60_000) {
  await sleep(SAMPLE_MS)
  const s = {
    t: Math.round((Date.now() - started) / 1000),
    sent,
    rps: Math.round((sent - lastSent) / (SAMPLE_MS / 1000)),
    byStatus: [...statuses].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(' '),
    unanswered,
    rss: rssMb(),
    fds: fds()
  }
  lastSent = sent
  samples.push(s)
  console.log(line(s))
}
stop = true
clearInterval(faultTimer)
await Promise.all(workers)

// ---- verdict ----
const usage = await fetch(`${new URL(base).origin}/_gw/stores`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.json()).catch(() => null)
gw.kill('SIGTERM')
await new Promise((r) => gw.once('exit', r))
await killRedis()
upstream.closeAllConnections()
upstream.close()
rmSync(dir, { recursive: true, force: true })

const warm = samples.slice(Math.min(2, samples.length - 1)) // after the first minute
const first = warm[0]
const last = warm[warm.length - 1]
const rssGrowth = last.rss - first.rss
const fdGrowth = last.fds - first.fds
const failures = []
// In-flight requests when Redis died are the only ones that may be counted by nobody (CLI README).
if (admittedMetered > QUOTA + CONCURRENCY) failures.push(`quota over-admitted: ${admittedMetered} > ${QUOTA} + ${CONCURRENCY} in flight`)
if (unanswered > 0) failures.push(`${unanswered} requests got no answer`)
if (rssGrowth > 64) failures.push(`RSS grew ${rssGrowth.toFixed(1)} MB after warm-up`)
if (fdGrowth > 20) failures.push(`open fds grew by ${fdGrowth} after warm-up`)
console.log(`\nfaults: ${JSON.stringify(faults)}; metered key admitted ${admittedMetered} of quota ${QUOTA}; store health at the end: ${JSON.stringify(usage)}`)
console.log(`after warm-up (t=${first.t}s → ${last.t}s): RSS ${first.rss.toFixed(1)} → ${last.rss.toFixed(1)} MB, fds ${first.fds} → ${last.fds}`)
if (failures.length > 0) {
  console.log(`SOAK FAILED: ${failures.join('; ')}`)
  process.exit(1)
}
console.log('SOAK PASSED')
process.exit(0)
