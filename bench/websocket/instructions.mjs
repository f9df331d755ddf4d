// Instructions per WebSocket echo round trip on the server's main thread (callgrind), to decide between two
// versions of the per-message path on a busy machine where wall-clock rates are noise (not run by `pnpm test`;
// `pnpm build` first; needs valgrind):
//   node bench/websocket/instructions.mjs [--modes bare,lambda,mock] [--messages 3000] [--warm 8000] [--clients 16]
// Each server of server.mjs runs under `valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes`;
// after the warm-up round trips instrumentation is switched on (callgrind_control -i on) for --messages round
// trips, then off. JIT compiler and GC helper threads land in their own files and are not counted.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'

const args = new Map(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : [])).filter((x) => x.length))
const MODES = (args.get('modes') ?? 'bare,lambda,mock').split(',')
const MESSAGES = Number(args.get('messages') ?? 3000)
const WARM = Number(args.get('warm') ?? 8000)
const CLIENTS = Number(args.get('clients') ?? 16)
const server = fileURLToPath(new URL('./server.mjs', import.meta.url))
const payload = '{"action":"echo","text":"hello, websocket"}'

async function count(mode) {
  const dir = mkdtempSync(join(tmpdir(), 'gw-ws-cg-'))
  const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${join(dir, 'cg.out')}`, process.execPath, server, mode], { stdio: ['pipe', 'pipe', 'ignore'] })
  const line = await new Promise((ok) => createInterface({ input: child.stdout }).once('line', ok))
  const port = Number(String(line).split(' ')[1])
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => new Promise((ok, fail) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/dev`, { perMessageDeflate: false })
    ws.once('open', () => ok(ws))
    ws.once('error', fail)
  })))
  const run = (total) => new Promise((finish) => {
    let left = total
    let done = 0
    for (const ws of clients) {
      ws.removeAllListeners('message')
      ws.on('message', () => {
        if (++done === total) finish()
        else if (left > 0) { left--; ws.send(payload) }
      })
    }
    for (const ws of clients) if (left > 0) { left--; ws.send(payload) }
  })
  await run(WARM)
  execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' })
  await run(MESSAGES)
  execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' })
  for (const ws of clients) ws.terminate()
  const exited = new Promise((ok) => child.once('exit', ok))
  child.stdin.write('quit\n')
  await exited
  // the main thread's file is the one ending in -01
  const main = readdirSync(dir).find((f) => f.endsWith('-01'))
  const total = Number(/^totals:\s+(\d+)/m.exec(readFileSync(join(dir, main), 'utf8'))?.[1] ?? NaN)
  rmSync(dir, { recursive: true, force: true })
  return total / MESSAGES
}

console.log(`# instructions per echo round trip, server main thread (${MESSAGES} after ${WARM} warm-up, ${CLIENTS} clients, node ${process.version})\n`)
console.log('| server | instructions / round trip | x bare |\n| --- | --- | --- |')
const results = {}
for (const mode of MODES) results[mode] = await count(mode)
for (const mode of MODES) console.log(`| ${mode} | ${Math.round(results[mode])} | ${results.bare === undefined ? '' : (results[mode] / results.bare).toFixed(2)} |`)
process.exit(0)
