// CPU time per request of mw-suite candidates (the bench/entries contract), measured in ONE run: each candidate runs in
// its own process (pinned to --sut-cpu when taskset exists), the driver sends the same GET with undici keep-alive in
// rounds that alternate between candidates, and reads each server's own CPU time (process.cpuUsage) around a round.
// Unlike req/s, CPU µs per request does not depend on the load generator getting its core, which on a shared, busy
// 2-core box it often does not. Ratio = the first candidate's µs/request ÷ each candidate's (≥ 1: no more costly).
//   node bench/cpu-per-request.mjs bench/entries/serve-key-plan.mjs bench/entries/serve-key-plan-metrics.mjs [--rounds 7] [--requests 20000]
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import { pathToFileURL, fileURLToPath } from 'node:url'
import path from 'node:path'
import { Pool } from 'undici'

const args = process.argv.slice(2)
if (args[0] === '--child-port') {
  const mod = await import(pathToFileURL(path.resolve(args[2])).href)
  const started = await mod.start({ port: Number(args[1]), host: '127.0.0.1' })
  process.stdout.write(JSON.stringify({ ready: true, path: started.path ?? '/api/hello', headers: started.headers ?? {} }) + '\n')
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'cpu') {
      const u = process.cpuUsage()
      process.stdout.write(JSON.stringify({ cpu: u.user + u.system }) + '\n')
    } else if (line === 'exit') void Promise.resolve(started.close?.()).finally(() => process.exit(0))
  })
} else {
  const opt = (name, fallback) => {
    const i = args.indexOf(name)
    return i === -1 ? fallback : Number(args[i + 1])
  }
  const rounds = opt('--rounds', 7)
  const requests = opt('--requests', 20_000)
  const candidates = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'))
  const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0
  const here = fileURLToPath(import.meta.url)
  const servers = []
  for (const file of candidates) {
    const port = await freePort()
    const cmd = pin ? ['taskset', ['-c', '0', process.execPath, here, '--child-port', String(port), file]] : [process.execPath, [here, '--child-port', String(port), file]]
    const child = spawn(cmd[0], cmd[1], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } })
    const lines = createInterface({ input: child.stdout })
    const next = () => once(lines, 'line').then(([l]) => JSON.parse(l))
    const hello = await next()
    servers.push({ file, child, next, port, hello })
  }
  const results = servers.map(() => [])
  async function freePort () {
    const probe = createServer()
    await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address()
    await new Promise((resolve) => probe.close(resolve))
    return port
  }
  for (const s of servers) s.pool = new Pool(`http://127.0.0.1:${s.port}`, { connections: 32, pipelining: 1 })
  const drive = async (s, n) => {
    let left = n
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (left-- > 0) {
        const res = await s.pool.request({ method: 'GET', path: s.hello.path, headers: s.hello.headers })
        if (res.statusCode !== 200) throw new Error(`${s.file}: status ${res.statusCode}`)
        await res.body.dump()
      }
    }))
  }
  const cpu = async (s) => {
    s.child.stdin.write('cpu\n')
    return (await s.next()).cpu
  }
  for (const s of servers) await drive(s, 3000) // warm-up
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? servers : [...servers].reverse()
    for (const s of order) {
      const before = await cpu(s)
      await drive(s, requests)
      const after = await cpu(s)
      results[servers.indexOf(s)].push((after - before) / requests)
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const base = median(results[0])
  console.log(`| candidate | CPU µs/request (median of ${rounds} rounds x ${requests} requests) | per-round µs | x ${path.basename(servers[0].file)} |`)
  console.log('| --- | --- | --- | --- |')
  servers.forEach((s, i) => console.log(`| ${path.basename(s.file)} | ${median(results[i]).toFixed(1)} | ${results[i].map((v) => v.toFixed(1)).join(' / ')} | ${(base / median(results[i])).toFixed(2)} |`))
  for (const s of servers) {
    await s.pool.close()
    s.child.stdin.write('exit\n')
  }
}
