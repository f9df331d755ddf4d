#!/usr/bin/env node
// Gateway benchmark orchestrator. Run through `pnpm bench` (bench/run.mjs adds our candidates).
// Suites:
//   proxy  - HTTP reverse proxies in front of one shared upstream
//   mw     - in-process middleware stacks answering JSON themselves
//   micro  - ops/s of building blocks (router, limiter, cache, JWT, SigV4, JSON)
//   redis  - Redis round trips (ioredis, rate-limiter-flexible) on loopback
//   stack  - one whole API (API key + usage plan, JWT authorizer, CORS, JSON answer) per stack, memory and Redis rows
//   cors   - CORS middleware per stack, twice: on a preflight (OPTIONS) and on an actual GET (lib/requests.mjs)
// Every HTTP measurement: fresh server process pinned to --sut-cpu, load
// generator pinned to --load-cpu, warmup then measured window; targets are
// interleaved (order rotated per round); medians over --rounds are reported.
import { parseArgs } from 'node:util'
import { readdirSync, readFileSync, mkdirSync, mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join, resolve, basename } from 'node:path'
import { spawn } from 'node:child_process'
import os from 'node:os'
import { startServer, freePort, pinned, track, tasksetAvailable, machineTicks } from './lib/proc.mjs'
import { measure, load, wrkAvailable } from './lib/load.mjs'
import { startRedis, redisServerAvailable } from './lib/redis-server.mjs'
import { carriesCredentials, checkAnswers, checkCors } from './lib/check.mjs'
import { CORS_KINDS } from './lib/requests.mjs'
import { requestHeaders, writeFixture } from './targets/stack/_fixture.mjs'
import { median, spread, fmtInt, fmtNum, fmtOps, mdTable, rotate } from './lib/stats.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))

const { values } = parseArgs({
  options: {
    suite: { type: 'string', default: 'proxy,mw,micro,redis,stack' },
    rounds: { type: 'string', default: '3' },
    mode: { type: 'string', default: 'interleave' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '4' },
    cycles: { type: 'string', default: '10' },
    slice: { type: 'string', default: '1' },
    // interleave: unmeasured load on a target right before each of its measured slices (s)
    'lead-in': { type: 'string', default: '0' },
    // interleave: targets not being loaded are frozen (SIGSTOP) so their background work never runs on the SUT core
    isolate: { type: 'boolean', default: false },
    connections: { type: 'string', default: '50' },
    tool: { type: 'string' },
    only: { type: 'string' },
    skip: { type: 'string' },
    candidate: { type: 'string', multiple: true, default: [] },
    micro: { type: 'string', multiple: true, default: [] },
    'micro-time': { type: 'string', default: '400' },
    'micro-rounds': { type: 'string', default: '7' },
    'redis-time': { type: 'string', default: '3000' },
    'sut-cpu': { type: 'string', default: '0' },
    'load-cpu': { type: 'string', default: '1' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false }
  }
})
if (values.help) {
  console.log(`usage: pnpm bench [--compare A.json B.json | --suite proxy,mw,micro,redis,stack,scale,cors] [--rounds 3] [--mode interleave|sequential]
  [--warmup 4] [--cycles 10] [--slice 1]   (interleave: per round, cycles x slice seconds per target)
  [--lead-in 0] [--isolate]                (interleave: unmeasured load before each slice; freeze idle targets)
  [--duration 10]                          (sequential: seconds per target per round)
  [--connections 50] [--tool wrk|autocannon] [--only a,b] [--skip a,b]
  [--candidate ./my-target.mjs ...] [--micro ./my-micro.mjs ...]
  [--sut-cpu 0] [--load-cpu 1] [--out results-dir]`)
  process.exit(0)
}

const suites = values.suite.split(',').map((s) => s.trim()).filter(Boolean)
const rounds = Number(values.rounds)
const mode = values.mode
const duration = Number(values.duration)
const cycles = Number(values.cycles)
const slice = Number(values.slice)
const leadIn = Number(values['lead-in'])
const isolate = values.isolate
const warmup = Number(values.warmup)
const connections = Number(values.connections)
const tool = values.tool || (wrkAvailable() ? 'wrk' : 'autocannon')
const SUT_CPU = values['sut-cpu']
const LOAD_CPU = values['load-cpu']
const sutCpu = SUT_CPU
const loadCpu = LOAD_CPU
const only = values.only ? new Set(values.only.split(',')) : null
const skip = new Set((values.skip || '').split(',').filter(Boolean))
const outDir = resolve(values.out || join(HERE, '..', 'results'))
const stamp = new Date().toISOString().replace(/[:.]/g, '-')

const BASELINE = { proxy: 'upstream', mw: 'bare', stack: 'bare', scale: 'bare', cors: 'bare' }
const SECOND_REF = { proxy: 'undici-raw' }
const DEFAULT_HEADERS = { proxy: {}, mw: { origin: 'http://client.example.test' }, stack: { origin: 'http://client.example.test' }, scale: { origin: 'http://client.example.test' }, cors: {} }
const DEFAULT_PATH = { proxy: '/api/hello', mw: '/api/hello', stack: '/api/hello', scale: '/api/hello', cors: '/api/hello' }

/** `pid` and every process below it (cluster workers, a target's own servers), read from /proc. */
function treePids (pid) {
  const children = new Map()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (!children.has(ppid)) children.set(ppid, [])
      children.get(ppid).push(Number(d))
    } catch {}
  }
  const all = [pid]
  for (let i = 0; i < all.length; i++) all.push(...(children.get(all[i]) ?? []))
  return all
}

/** Sends `signal` to `pid` and its whole tree. */
function signalTree (pid, signal) {
  for (const p of treePids(pid)) {
    try { process.kill(p, signal) } catch {}
  }
}

function log (...a) { process.stderr.write(a.join(' ') + '\n') }

async function discover (suite) {
  const dir = join(HERE, 'targets', suite)
  const list = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith('.mjs') && !f.startsWith('_')).sort()
      .map((f) => ({ name: basename(f, '.mjs'), module: join(dir, f), suite, candidate: false }))
    : []
  for (const c of values.candidate) {
    const p = resolve(c)
    const mod = await import(pathToFileURL(p).href)
    const m = mod.meta || {}
    if ((m.suite || 'proxy') !== suite) continue
    list.push({ name: m.name || basename(p).replace(/\.[cm]?[jt]s$/, ''), module: p, suite, candidate: true, description: m.description })
  }
  // the baseline and candidates are always kept; --only/--skip select peers
  return list.filter((t) => t.name === BASELINE[suite] || (t.candidate && !skip.has(t.name)) || ((!only || only.has(t.name)) && !skip.has(t.name)))
}

function label (res) {
  return `${fmtInt(res.rps).padStart(8)} req/s  p50 ${fmtNum(res.p50)}ms  p99 ${fmtNum(res.p99)}ms  sutCPU ${fmtInt(res.cpu[0])}%` +
    (res.cpu.length > 1 ? `  upCPU ${fmtInt(res.cpu[1])}%` : '') + `  loadCore ${fmtInt(res.loadBusy)}%  steal ${fmtNum(res.steal, 1)}%` + (res.idleCpu > 0 ? `  idleTargets ${fmtNum(res.idleCpu, 1)}%` : '') +
    (res.non2xx || res.errors ? `  non2xx ${res.non2xx} err ${res.errors}` : '')
}

// Aggregate the slices of one target in one round into one sample.
function aggregate (slices) {
  const total = slices.reduce((a, x) => a + x.total, 0)
  const secs = slices.reduce((a, x) => a + x.secs, 0)
  const wall = slices.reduce((a, x) => a + x.wall, 0)
  const nPid = slices[0].ticks.length
  const ticks = Array.from({ length: nPid }, (_, i) => slices.reduce((a, x) => a + x.ticks[i], 0))
  return {
    rps: total / secs,
    total,
    secs,
    p50: median(slices.map((x) => x.p50)),
    p99: median(slices.map((x) => x.p99)),
    cpu: ticks.map((t) => t / wall),
    steal: median(slices.map((x) => x.steal)),
    loadBusy: median(slices.map((x) => x.loadBusy)),
    idleCpu: median(slices.map((x) => x.idleCpu ?? 0)),
    non2xx: slices.reduce((a, x) => a + (x.non2xx || 0), 0),
    errors: slices.reduce((a, x) => a + (x.errors || 0), 0),
    slices: slices.map((x) => Math.round(x.rps))
  }
}

// `kind` (cors suite only): which request of CORS_KINDS every target gets (method + headers)
async function httpSuite (suite, kind) {
  // scale: several serving processes (workers) must be free to use both cores, so nothing is pinned there
  const sutCpu = suite === 'scale' ? '' : SUT_CPU
  const loadCpu = suite === 'scale' ? '' : LOAD_CPU
  const targets = await discover(suite)
  if (!targets.length) return null
  const plan = mode === 'interleave'
    ? `${rounds} rounds x (${warmup}s warmup + ${cycles} x ${slice}s slices, round-robin${leadIn > 0 ? `, ${leadIn}s unmeasured lead-in per slice` : ''}${isolate ? ', idle targets frozen' : ''})`
    : `${rounds} rounds x (${warmup}s warmup + ${duration}s), one target at a time`
  const title = kind ? `${suite}-${kind}` : suite
  log(`\n== suite ${title}: ${targets.map((t) => t.name).join(', ')}\n   ${plan}, ${connections} conns, ${tool}`)
  let upstream = null
  let redis = null
  let fixtureDir = null
  // the request every target of the suite gets before its own headers (a target's own headers win)
  let sharedHeaders = {}
  if (suite === 'stack' || suite === 'scale') {
    // one fixture (RS256 key pair, token, API key) for every target of the run; Redis rows get our own redis-server
    fixtureDir = mkdtempSync(join(os.tmpdir(), 'gw-stack-'))
    process.env.BENCH_STACK_FIXTURE = join(fixtureDir, 'fixture.json')
    // Every row gets the same request bytes, the baseline and the MOCK row too (they ignore the credentials): a
    // request with an API key and a JWT costs node:http's parser ~11 k instructions more than one with only an
    // Origin, and that is the client's request, not what a stack does with it.
    sharedHeaders = requestHeaders(await writeFixture(process.env.BENCH_STACK_FIXTURE))
    log(`   every target gets the same request: GET with ${['origin', ...Object.keys(sharedHeaders)].join(', ')}`)
    if (process.env.REDIS_URL) process.env.BENCH_REDIS_URL = process.env.REDIS_URL
    else if (redisServerAvailable()) {
      redis = await startRedis(loadCpu)
      process.env.BENCH_REDIS_URL = redis.url
      log(`   redis-server ${redis.url} (pinned to the load core)`)
    } else log('   redis-server not found: the Redis rows are skipped')
  }
  if (suite === 'proxy') {
    // backing service shares the load generator's core; the proxy gets its own
    const port = await freePort()
    upstream = await startServer({ module: join(HERE, 'targets', 'proxy', 'upstream.mjs'), port, cpu: loadCpu })
    upstream.url = `http://127.0.0.1:${port}`
  }
  const samples = Object.fromEntries(targets.map((t) => [t.name, []]))
  const skipped = new Map()
  const watch = (srv) => upstream ? [srv.pid, upstream.pid] : [srv.pid]
  const urlOf = (srv) => `http://127.0.0.1:${srv.port}${srv.info.path || DEFAULT_PATH[suite]}`
  const headersOf = (srv) => ({ ...DEFAULT_HEADERS[suite], ...sharedHeaders, ...(kind ? CORS_KINDS[kind].headers : {}), ...srv.info.headers })
  const method = kind ? CORS_KINDS[kind].method : 'GET'
  // answers are checked before timing where the suite compares behaviour (stack/scale, cors)
  const wrongAnswer = (t, srv) => suite === 'cors'
    ? checkCors({ url: urlOf(srv), method, headers: headersOf(srv), kind, baseline: t.name === BASELINE[suite] })
    : suite === 'stack' || suite === 'scale'
      ? checkAnswers({ url: urlOf(srv), headers: headersOf(srv), baseline: t.name === BASELINE[suite], guarded: carriesCredentials(srv.info.headers) })
      : null
  try {
    for (let r = 0; r < rounds; r++) {
      if (mode === 'interleave') {
        // all targets live at once (idle ones cost nothing); load moves between
        // them every `slice` seconds so slow phases of a noisy host hit all alike
        const srvs = new Map()
        try {
          for (const t of targets) {
            const port = await freePort()
            try {
              const srv = await startServer({ module: t.module, port, upstream: upstream?.url, cpu: sutCpu })
              srv.port = port
              srvs.set(t.name, srv)
              const wrong = await wrongAnswer(t, srv)
              if (wrong) { srvs.delete(t.name); await srv.stop(); throw new Error(`wrong answer: ${wrong}`) }
            } catch (err) {
              skipped.set(t.name, String(err.message).split('\n').find((l) => /Error|error/.test(l)) || String(err.message).split('\n')[0])
              log(`  [${title} r${r + 1}] ${t.name}: skipped (${skipped.get(t.name)})`)
            }
          }
          const live = targets.filter((t) => srvs.has(t.name))
          // --isolate: a target runs only while it is loaded; the others are frozen with their whole process tree
          const freeze = (srv, on) => { if (isolate) signalTree(srv.nodePid, on ? 'SIGSTOP' : 'SIGCONT') }
          for (const srv of srvs.values()) freeze(srv, true)
          for (const t of rotate(live, r)) {
            const srv = srvs.get(t.name)
            freeze(srv, false)
            await load({ tool, url: urlOf(srv), connections, duration: warmup, headers: headersOf(srv), method, cpu: loadCpu })
            freeze(srv, true)
          }
          const acc = Object.fromEntries(live.map((t) => [t.name, []]))
          for (let c = 0; c < cycles; c++) {
            for (const t of rotate(live, r + c)) {
              const srv = srvs.get(t.name)
              freeze(srv, false)
              if (leadIn > 0) await load({ tool, url: urlOf(srv), connections, duration: leadIn, headers: headersOf(srv), method, cpu: loadCpu })
              const idlePids = [...srvs.values()].filter((o) => o !== srv).flatMap((o) => treePids(o.nodePid))
              acc[t.name].push(await measure({ tool, url: urlOf(srv), connections, duration: slice, headers: headersOf(srv), method, cpu: loadCpu, watchPids: watch(srv), idlePids }))
              freeze(srv, true)
            }
          }
          for (const srv of srvs.values()) freeze(srv, false)
          for (const t of live) {
            const agg = aggregate(acc[t.name])
            samples[t.name].push(agg)
            log(`  [${title} r${r + 1}] ${t.name.padEnd(22)} ${label(agg)}`)
          }
        } finally {
          for (const srv of srvs.values()) {
            if (isolate) signalTree(srv.nodePid, 'SIGCONT')
            await srv.stop()
          }
        }
      } else {
        for (const t of rotate(targets, r)) {
          const port = await freePort()
          let srv
          try {
            srv = await startServer({ module: t.module, port, upstream: upstream?.url, cpu: sutCpu })
            srv.port = port
            const wrong = await wrongAnswer(t, srv)
            if (wrong) { await srv.stop(); throw new Error(`wrong answer: ${wrong}`) }
          } catch (err) {
            skipped.set(t.name, String(err.message).split('\n')[0])
            log(`  [${title} r${r + 1}] ${t.name}: skipped (${skipped.get(t.name)})`)
            continue
          }
          srv.port = port
          try {
            const res = await measure({ tool, url: urlOf(srv), connections, duration, warmup, headers: headersOf(srv), method, cpu: loadCpu, watchPids: watch(srv) })
            const agg = aggregate([res])
            samples[t.name].push(agg)
            log(`  [${title} r${r + 1}] ${t.name.padEnd(22)} ${label(agg)}`)
          } finally {
            await srv.stop()
          }
        }
      }
    }
  } finally {
    if (upstream) await upstream.stop()
    if (redis) await redis.stop()
    if (fixtureDir) rmSync(fixtureDir, { recursive: true, force: true })
  }
  const base = BASELINE[suite]
  const ref2 = targets.some((t) => t.name === SECOND_REF[suite] && samples[t.name].length === rounds) ? SECOND_REF[suite] : null
  // paired ratio: target vs reference measured in the same round
  const paired = (name, ref) => median(samples[name].map((x, i) => x.rps / samples[ref][i].rps))
  const measured = targets.filter((t) => samples[t.name].length === rounds)
  const rows = measured.map((t) => {
    const s = samples[t.name]
    const rps = s.map((x) => x.rps)
    return {
      name: t.name,
      candidate: t.candidate,
      rps: median(rps),
      rounds: rps.map(Math.round),
      idleCpu: median(s.map((x) => x.idleCpu ?? 0)),
      spread: spread(rps),
      p50: median(s.map((x) => x.p50)),
      p99: median(s.map((x) => x.p99)),
      cpu: median(s.map((x) => x.cpu[0])),
      upCpu: upstream ? median(s.map((x) => x.cpu[1])) : undefined,
      perCore: median(s.map((x) => x.rps / (x.cpu[0] / 100))),
      steal: median(s.map((x) => x.steal)),
      loadBusy: median(s.map((x) => x.loadBusy)),
      non2xx: s.reduce((a, x) => a + (x.non2xx || 0), 0),
      errors: s.reduce((a, x) => a + (x.errors || 0), 0),
      ratio: samples[base]?.length === rounds ? paired(t.name, base) : NaN,
      ratio2: ref2 ? paired(t.name, ref2) : undefined,
      raw: s
    }
  })
  rows.sort((a, b) => b.rps - a.rps)
  const header = ['target', 'req/s (median)', 'spread', 'p50 ms', 'p99 ms', `x ${base}`]
  if (ref2) header.push(`x ${ref2}`)
  header.push('SUT CPU%', 'req/s per SUT core')
  if (upstream) header.push('upstream CPU%')
  header.push('load core busy%', 'steal%', 'non2xx/err')
  const table = mdTable(header, rows.map((r) => {
    const row = [r.candidate ? `**${r.name}**` : r.name, fmtInt(r.rps), `${fmtNum(r.spread, 0)}%`, fmtNum(r.p50), fmtNum(r.p99), fmtNum(r.ratio)]
    if (ref2) row.push(fmtNum(r.ratio2))
    row.push(fmtInt(r.cpu), fmtInt(r.perCore))
    if (upstream) row.push(fmtInt(r.upCpu))
    row.push(fmtInt(r.loadBusy), fmtNum(r.steal, 1), `${r.non2xx}/${r.errors}`)
    return row
  }))
  let note = skipped.size ? '\n\nskipped: ' + [...skipped].map(([k, v]) => `${k} (${v})`).join('; ') : ''
  if (suite === 'scale') note += '\n\nscale: nothing pinned (workers and the load generator share both cores); SUT CPU% is the first process only (a cluster primary serves nothing itself).'
  return { suite: title, rows, table: table + note, skipped: Object.fromEntries(skipped) }
}

function runChild (script, args, cpu) {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = pinned(cpu, process.execPath, [join(HERE, script), ...args])
    const child = track(spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] }))
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited ${code}`))
      try { resolve(JSON.parse(out.trim().split('\n').at(-1))) } catch (e) { reject(e) }
    })
  })
}

// x group ref = median over rounds of (task / ref task in the same round):
// tasks of a group run back to back, so host phases cancel out of the ratio.
function microTable (data) {
  const rows = []
  const groups = [...new Set(data.results.map((r) => r.group))]
  for (const g of groups) {
    const rs = data.results.filter((r) => r.group === g)
    const ref = rs.find((r) => r.ref && !r.error) || rs.find((r) => !r.error) || rs[0]
    for (const r of rs) {
      const m = median(r.ops)
      const ratio = median(r.ops.map((x, i) => x / ref.ops[i]))
      r.median = m
      r.ratio = ratio
      rows.push([g, r.candidate ? `**${r.name}**` : r.name, r.error ? `error: ${r.error}` : fmtOps(m), r.error ? '' : fmtNum(1e9 / m, 0), `${fmtNum(spread(r.ops), 0)}%`, r === ref ? 'ref' : fmtNum(ratio)])
    }
  }
  return mdTable(['group', 'task', 'ops/s (median)', 'ns/op', 'spread', 'x group ref (paired)'], rows)
}

// ---------------------------------------------------------------------------
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().map((c) => c.model)[0] + ` x${os.cpus().length}`,
  taskset: tasksetAvailable(),
  tool,
  settings: { mode, rounds, warmup, cycles, slice, leadIn, isolate, duration, connections, sutCpu, loadCpu },
  suites: {}
}
const md = [
  `# gateway bench ${report.date}`,
  '',
  `command: \`${process.env.BENCH_COMMAND || 'node bench/harness/run.mjs ' + process.argv.slice(2).join(' ')}\``,
  '',
  `node ${report.node}, ${report.cpus}, load generator ${tool}, taskset ${report.taskset ? `SUT cpu ${sutCpu} / load cpu ${loadCpu}` : 'unavailable'}; ${rounds} rounds, median shown; spread = (max-min)/median over rounds; x ref = median of per-round paired ratios.`
]

// whole-machine steal while a suite ran (host contention on the VM)
function stealSince (m0) {
  const m1 = machineTicks()
  return m0 && m1 && m1.total > m0.total ? (100 * (m1.steal - m0.steal)) / (m1.total - m0.total) : NaN
}

for (const suite of suites) {
  const m0 = machineTicks()
  const t0 = Date.now()
  const stealNote = () => `machine steal during suite: ${fmtNum(stealSince(m0), 2)}% (${Math.round((Date.now() - t0) / 1000)} s)`
  if (suite === 'proxy' || suite === 'mw' || suite === 'stack' || suite === 'scale' || suite === 'cors') {
    // the cors suite runs its targets once per request kind: two tables, cors-preflight and cors-actual
    for (const kind of suite === 'cors' ? Object.keys(CORS_KINDS) : [undefined]) {
      const res = await httpSuite(suite, kind)
      if (!res) continue
      report.suites[res.suite] = res.rows
      const how = mode === 'interleave' ? `${warmup}s warmup, then ${cycles} x ${slice}s slices round-robin per round` : `${warmup}s warmup + ${duration}s per target per round`
      const what = kind
        ? `; ${CORS_KINDS[kind].method} with ${Object.keys(CORS_KINDS[kind].headers).join(', ')}`
        : suite === 'stack' || suite === 'scale' ? '; every target gets GET with origin, x-api-key, authorization' : ''
      md.push('', `## ${res.suite}  (${connections} connections; ${how}${what})`, '', res.table, '', stealNote())
      console.log(`\n## ${res.suite}\n\n${res.table}\n\n${stealNote()}`)
    }
  } else if (suite === 'micro') {
    log(`\n== suite micro (${values['micro-rounds']} rounds x ${values['micro-time']} ms per task, pinned to cpu ${sutCpu})`)
    const data = await runChild('micro/micro.mjs', ['--rounds', values['micro-rounds'], '--time', values['micro-time'], ...values.micro.flatMap((p) => ['--extra', resolve(p)])], sutCpu)
    report.suites.micro = data
    const t = microTable(data)
    md.push('', `## micro  (${values['micro-rounds']} rounds x ${values['micro-time']} ms per task)`, '', t, '', stealNote())
    console.log(`\n## micro\n\n${t}\n\n${stealNote()}`)
  } else if (suite === 'redis') {
    log(`\n== suite redis (${rounds} rounds x ${values['redis-time']} ms per task; client cpu ${sutCpu}, redis cpu ${loadCpu})`)
    const data = await runChild('micro/redis.mjs', ['--rounds', String(rounds), '--time', values['redis-time'], '--redis-cpu', loadCpu, ...values.micro.flatMap((p) => ['--extra', resolve(p)])], sutCpu)
    report.suites.redis = data
    if (data.skipped) {
      md.push('', '## redis', '', `skipped: ${data.skipped}`)
      console.log(`\n## redis\n\nskipped: ${data.skipped}`)
    } else {
      const t = microTable(data)
      md.push('', `## redis (server ${data.redisVersion}; ${rounds} rounds x ${values['redis-time']} ms per task)`, '', t, '', stealNote())
      console.log(`\n## redis (server ${data.redisVersion})\n\n${t}\n\n${stealNote()}`)
    }
  } else {
    log(`unknown suite ${suite}`)
  }
}

console.log(`\nload generator: ${tool}${tool === 'autocannon' ? ' (wrk not on PATH)' : ''}; taskset: ${report.taskset ? `SUT cpu ${sutCpu}, load cpu ${loadCpu}` : 'unavailable (not pinned)'}`)
mkdirSync(outDir, { recursive: true })
writeFileSync(join(outDir, `bench-${stamp}.json`), JSON.stringify(report, null, 2))
writeFileSync(join(outDir, `bench-${stamp}.md`), md.join('\n') + '\n')
log(`\nresults: ${join(outDir, `bench-${stamp}.md`)} (+ .json)`)
