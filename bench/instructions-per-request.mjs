// User-space instructions per request of one mw-suite candidate (the bench/entries contract), counted by valgrind's
// callgrind: the server runs under callgrind, is warmed with --warm requests (so V8 has optimized the hot path), its
// counters are zeroed, --n requests are sent with undici keep-alive from this (uninstrumented) process, and the
// counters are dumped. Unlike req/s or CPU time the count does not depend on what else runs on the machine, so two
// versions of hot code can be compared on a busy box (run both at once: each takes minutes under callgrind). Kernel
// work (system calls) is not counted.
//   node bench/instructions-per-request.mjs bench/entries/cache.mjs [--warm 6000] [--n 3000] [--method GET] [--headers '{"x":"y"}'] [--functions 40]
//     [--idle S] [--node-flags '--flag ...']
// --idle S closes the warm-up connections, leaves the server idle for S seconds and counts the next --n requests on
// new connections (what the harness's interleaved slices do to a target). --node-flags passes V8/node flags.
// KEEP_CALLGRIND=1 keeps callgrind's files (one per thread, `cg.PID.1-01` the main thread) and prints their folder, for
// callgrind_annotate (e.g. what the compiler or GC threads did).
// --functions N also prints the N functions with the most instructions per request (self), JIT-compiled JavaScript
// named through V8's perf map (`--perf-basic-prof`), so two versions can be compared function by function.
import { spawn, execFileSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Pool } from 'undici'

const args = process.argv.slice(2)
if (args[0] === '--child') {
  const mod = await import(pathToFileURL(path.resolve(args[1])).href)
  const started = await mod.start({ port: Number(args[2]), host: '127.0.0.1' })
  process.stdout.write(JSON.stringify({ path: started?.path ?? '/api/hello', headers: started?.headers ?? {} }) + '\n')
} else {
  const opt = (name, fallback) => {
    const i = args.indexOf(name)
    return i === -1 ? fallback : args[i + 1]
  }
  const file = path.resolve(args[0])
  const warm = Number(opt('--warm', 6000))
  const n = Number(opt('--n', 3000))
  const method = opt('--method', 'GET')
  const functions = Number(opt('--functions', 0))
  const idle = Number(opt('--idle', 0))
  const nodeFlags = opt('--node-flags', '').split(' ').filter(Boolean)
  const port = 20000 + Math.floor(Math.random() * 20000)
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-callgrind-'))
  const child = spawn('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', '--separate-threads=yes', `--callgrind-out-file=${dir}/cg.%p`, process.execPath, ...nodeFlags, ...(functions > 0 ? ['--perf-basic-prof'] : []), fileURLToPath(import.meta.url), '--child', file, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' }
  })
  const [line] = await once(createInterface({ input: child.stdout }), 'line')
  const hello = JSON.parse(line)
  const headers = { origin: 'http://client.example.test', ...hello.headers, ...JSON.parse(opt('--headers', '{}')) }
  let pool = new Pool(`http://127.0.0.1:${port}`, { connections: 8 })
  const drive = async (count) => {
    let left = count
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (left-- > 0) {
        let res
        try {
          res = await pool.request({ method, path: hello.path, headers })
        } catch (err) {
          // a keep-alive socket the slowed-down server closed: send that request again
          if (err.code === 'ECONNRESET' || err.code === 'UND_ERR_SOCKET') { left++; continue }
          throw err
        }
        if (res.statusCode >= 300) throw new Error(`status ${res.statusCode}: ${await res.body.text()}`)
        await res.body.dump()
      }
    }))
  }
  await drive(warm)
  if (idle > 0) {
    // the harness's interleaved layout: the connections close, the server sits idle, new connections arrive
    await pool.close()
    await new Promise((resolve) => setTimeout(resolve, idle * 1000))
    pool = new Pool(`http://127.0.0.1:${port}`, { connections: 8 })
  }
  execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' })
  await drive(n)
  execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' })
  // one file per thread (`cg.PID.1-01` is the main thread, the others V8's GC and compiler threads)
  let total = 0
  let main = 0
  for (let i = 0; i < 50 && main === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    total = 0
    for (const f of readdirSync(dir).filter((name) => /\.\d+\.1-\d+$/.test(name))) {
      const t = Number(/^totals:\s+(\d+)/m.exec(readFileSync(path.join(dir, f), 'utf8'))?.[1] ?? 0)
      total += t
      if (f.endsWith('.1-01')) main = t
    }
  }
  // the main thread's count is the steadier one: a major GC or a recompilation in the window lands on the others
  console.log(`${path.relative(process.cwd(), file)} ${method}: ${(total / n / 1000).toFixed(1)} k instructions/request, main thread ${(main / n / 1000).toFixed(1)} k (${n} requests after ${warm})`)
  if (functions > 0) printFunctions(dir, child.pid, n, functions)
  child.kill('SIGKILL')
  await pool.close().catch(() => {})
  if (process.env.KEEP_CALLGRIND === '1') console.log('kept', dir)
  else rmSync(dir, { recursive: true, force: true })
  process.exit(0)
}

/** Self instructions per request of the top `top` functions: callgrind's per-function costs, JIT addresses named from /tmp/perf-PID.map. */
function printFunctions (dir, pid, n, top) {
  const out = readdirSync(dir).find((name) => /\.\d+\.1-01$/.test(name))
  const perfMap = `/tmp/perf-${pid}.map`
  const ranges = []
  try {
    for (const line of readFileSync(perfMap, 'utf8').split('\n')) {
      const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line)
      if (m) ranges.push([parseInt(m[1], 16), parseInt(m[1], 16) + parseInt(m[2], 16), m[3].replace(/file:\/\/\S*?\/packages\//, '')])
    }
  } catch {}
  ranges.sort((a, b) => a[0] - b[0])
  const nameOf = (addr) => {
    let lo = 0
    let hi = ranges.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const r = ranges[mid]
      if (addr < r[0]) hi = mid - 1
      else if (addr >= r[1]) lo = mid + 1
      else return r[2]
    }
    return null
  }
  // callgrind_annotate: "Ir  file:function" lines, self cost, no inclusive
  const text = execFileSync('callgrind_annotate', ['--threshold=100', '--inclusive=no', path.join(dir, out)], { encoding: 'utf8', maxBuffer: 64 << 20 })
  const byName = new Map()
  for (const line of text.split('\n')) {
    const m = /^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*)$/.exec(line)
    if (!m || !m[2].includes(':')) continue
    const ir = Number(m[1].replace(/,/g, ''))
    let fn = m[2].replace(/ \[[^\]]*\]$/, '')
    const hex = /0x([0-9a-f]+)/.exec(fn)
    if (hex && fn.startsWith('???')) fn = nameOf(parseInt(hex[1], 16)) ?? 'JIT code (unnamed)'
    byName.set(fn, (byName.get(fn) ?? 0) + ir)
  }
  for (const [fn, ir] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(ir / n).toFixed(0).padStart(7)}  ${fn.slice(0, 140)}`)
  try { rmSync(perfMap) } catch {}
}
