// CPU per request of mw-style candidates, paired per round against the first one (normally the harness's bare
// node:http target): each candidate runs pinned to CPU 0, `wrk -t1 -c50` pinned to CPU 1 loads them in interleaved
// slices, and the SUT's utime + stime are read from /proc. On a shared machine whose load core saturates, CPU per
// request is the measure that still compares (the harness's "req/s per SUT core" column is the same quantity).
//   node bench/serve-cpu.mjs ROUNDS SECONDS bench/harness/targets/mw/bare.mjs bench/entries/serve-mock.mjs ...
// Linux only (taskset, /proc). On a shared box, keep two benchmark runs from overlapping (e.g. with flock).
import { spawn, execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

if (process.argv[2] === '--child') {
  const mod = await import(pathToFileURL(path.resolve(process.argv[3])).href)
  const r = (await mod.start({ port: Number(process.argv[4]), host: '127.0.0.1' })) ?? {}
  console.log(JSON.stringify({ path: r.path ?? '/api/hello', headers: r.headers ?? {} }))
  process.on('SIGTERM', () => { Promise.resolve(r.close?.()).finally(() => process.exit(0)) })
} else {
  const [rounds, secs, ...candidates] = process.argv.slice(2)
  const TICK_US = 1e6 / 100
  const cpu = (pid) => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) * TICK_US
  }
  const targets = []
  for (const c of candidates) {
    const port = 21000 + Math.floor(Math.random() * 4000)
    const p = spawn('taskset', ['-c', '0', process.execPath, process.argv[1], '--child', c, String(port)], { env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'] })
    const info = await new Promise((resolve) => p.stdout.once('data', (d) => resolve(JSON.parse(String(d)))))
    const name = (await import(pathToFileURL(path.resolve(c)).href)).meta?.name ?? c
    targets.push({ name, port, info, proc: p, cpu: [], req: [] })
  }
  const wrk = (t, s) => {
    const args = ['-c', '1', 'wrk', '-t1', '-c50', `-d${s}s`, '-H', 'origin: http://client.example.test']
    for (const [k, v] of Object.entries(t.info.headers)) args.push('-H', `${k}: ${v}`)
    args.push(`http://127.0.0.1:${t.port}${t.info.path}`)
    const out = execFileSync('taskset', args, { encoding: 'utf8' })
    if (/Non-2xx/.test(out)) console.error(`${t.name}: non-2xx answers`)
    return Number(/(\d+) requests in/.exec(out)[1])
  }
  for (const t of targets) wrk(t, 3) // warm-up
  for (let r = 0; r < Number(rounds); r++) {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[(i + r) % targets.length]
      const c0 = cpu(t.proc.pid)
      const n = wrk(t, Number(secs))
      t.cpu.push(cpu(t.proc.pid) - c0)
      t.req.push(n)
    }
  }
  const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2 }
  const ref = targets[0]
  for (const t of targets) {
    const per = t.cpu.map((c, i) => c / t.req[i])
    const ratios = per.map((p, i) => ref.cpu[i] / ref.req[i] / p)
    console.log(`${t.name.padEnd(28)} ${median(per).toFixed(1).padStart(7)} us CPU/req  x ${ref.name} per core: ${median(ratios).toFixed(2)} [${ratios.map((x) => x.toFixed(2)).join(' ')}]`)
  }
  for (const t of targets) t.proc.kill('SIGTERM')
}
