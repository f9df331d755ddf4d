// WebSocket benchmarks of docs/benchmarks.md (not run by `pnpm test`): `pnpm build` first, then
//   node bench/websocket/run.mjs [--seconds 5] [--rounds 3] [--clients 32]
// 1. echo round trips/s: ws's own echo server vs gw two-way routes (in-process Lambda, MOCK), each in its own
//    process pinned to CPU 0 (taskset), the clients here on CPU 1; targets interleaved per round, medians reported.
// 2. @connections delivery across instances: two gw processes on Redis, client on instance 1, POST to instance 2,
//    time from POST until the client has the frame; p50 / p99. Same-instance POST beside it.
// 3. memory per idle connection: 10,000 connections on one gw process (RSS and heap after a full GC).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'

const args = new Map(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : [])).filter((x) => x.length))
const SECONDS = Number(args.get('seconds') ?? 5)
const ROUNDS = Number(args.get('rounds') ?? 3)
const CLIENTS = Number(args.get('clients') ?? 32)
const IDLE = Number(args.get('idle') ?? 10_000)
const SAMPLES = Number(args.get('samples') ?? 2000)
// --parts echo,delivery,memory (default all): the memory part is no timing, it needs no quiet machine
const PARTS = new Set((args.get('parts') ?? 'echo,delivery,memory').split(','))
const server = fileURLToPath(new URL('./server.mjs', import.meta.url))
const pin = (cpu) => (process.platform === 'linux' ? ['taskset', ['-c', String(cpu), process.execPath]] : [process.execPath, []])

function start(mode, env = {}) {
  const [cmd, pre] = pin(0)
  const child = spawn(cmd, [...pre, '--expose-gc', server, mode], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  const waiters = []
  lines.on('line', (l) => waiters.shift()?.(l))
  const next = () => new Promise((ok) => waiters.push(ok))
  return next().then((line) => ({
    port: Number(line.split(' ')[1]),
    stats: async () => {
      const p = next()
      child.stdin.write('stats\n')
      return JSON.parse((await p).slice(6))
    },
    stop: () => new Promise((ok) => { child.once('exit', ok); child.kill('SIGTERM') })
  }))
}

function openClient(url) {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, { perMessageDeflate: false })
    ws.once('open', () => ok(ws))
    ws.once('error', fail)
  })
}

async function echoRate(port) {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => openClient(`ws://127.0.0.1:${port}/dev`)))
  let count = 0
  let running = true
  const payload = '{"action":"echo","text":"hello, websocket"}'
  for (const ws of clients) {
    ws.on('message', () => {
      count++
      if (running) ws.send(payload)
    })
    ws.send(payload)
  }
  await new Promise((r) => setTimeout(r, 500)) // warm-up
  const from = count
  const t0 = process.hrtime.bigint()
  await new Promise((r) => setTimeout(r, SECONDS * 1000))
  const rate = ((count - from) * 1e9) / Number(process.hrtime.bigint() - t0)
  running = false
  for (const ws of clients) ws.terminate()
  return rate
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]

function post(port, id, body) {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: `/dev/@connections/${encodeURIComponent(id)}`, agent: keepAlive }, (res) => {
      res.resume()
      res.on('end', () => ok(res.statusCode))
    })
    req.on('error', fail)
    req.end(body)
  })
}
import { Agent } from 'node:http'
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 })

async function delivery(sendPort, holderPort, samples) {
  const ws = await openClient(`ws://127.0.0.1:${holderPort}/dev`)
  const id = await new Promise((ok) => { ws.once('message', (d) => ok(String(d))); ws.send('{"action":"whoami"}') })
  const times = []
  for (let i = 0; i < samples + 100; i++) {
    const got = new Promise((ok) => ws.once('message', ok))
    const t0 = process.hrtime.bigint()
    const status = await post(sendPort, id, `m${i}`)
    if (status !== 200) throw new Error(`POST answered ${status}`)
    await got
    if (i >= 100) times.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  ws.terminate()
  return { p50: pct(times, 50), p99: pct(times, 99) }
}

const out = []
const log = (s) => { out.push(s); console.log(s) }
log(`# WebSocket benchmarks (${new Date().toISOString()}, node ${process.version}, ${SECONDS}s x ${ROUNDS} rounds, ${CLIENTS} clients)`)

// 1. echo
if (PARTS.has('echo')) {
const rates = { bare: [], lambda: [], mock: [] }
for (let r = 0; r < ROUNDS; r++) {
  for (const mode of Object.keys(rates)) {
    const s = await start(mode)
    rates[mode].push(await echoRate(s.port))
    await s.stop()
  }
}
const base = median(rates.bare)
log('\n| target | round trips/s (median) | ratio to bare ws |\n| --- | --- | --- |')
for (const [mode, xs] of Object.entries(rates)) log(`| ${mode === 'bare' ? 'ws echo server (bare)' : mode === 'lambda' ? 'gw two-way route, in-process Lambda proxy' : 'gw two-way route, MOCK'} | ${Math.round(median(xs))} | ${(median(xs) / base).toFixed(2)} |`)
}

// 2. cross-instance delivery over Redis
if (PARTS.has('delivery')) {
const prefix = `gwbench-${randomBytes(6).toString('hex')}`
const one = await start('instance', { BENCH_PREFIX: prefix })
const two = await start('instance', { BENCH_PREFIX: prefix })
const same = await delivery(one.port, one.port, SAMPLES)
const across = await delivery(two.port, one.port, SAMPLES)
await one.stop()
await two.stop()
log('\n| @connections POST → frame at the client | p50 ms | p99 ms |\n| --- | --- | --- |')
log(`| same instance | ${same.p50.toFixed(2)} | ${same.p99.toFixed(2)} |`)
log(`| across instances (Redis pub/sub) | ${across.p50.toFixed(2)} | ${across.p99.toFixed(2)} |`)
}

// 3. memory per idle connection
if (PARTS.has('memory')) {
const idle = await start('lambda')
const before = await idle.stats()
const conns = []
for (let i = 0; i < IDLE; i += 200) conns.push(...(await Promise.all(Array.from({ length: Math.min(200, IDLE - i) }, () => openClient(`ws://127.0.0.1:${idle.port}/dev`)))))
await new Promise((r) => setTimeout(r, 1000))
const after = await idle.stats()
for (const ws of conns) ws.terminate()
await idle.stop()
log(`\n| ${IDLE} idle connections on one process | per connection |\n| --- | --- |`)
log(`| RSS | ${((after.rss - before.rss) / IDLE / 1024).toFixed(1)} KB |`)
log(`| JS heap (after full GC) | ${((after.heapUsed - before.heapUsed) / IDLE / 1024).toFixed(1)} KB |`)
log(`| external + array buffers | ${((after.external - before.external) / IDLE / 1024).toFixed(1)} KB |`)
}
process.exit(0)
