// A throwaway redis-server on a free loopback port (no persistence), pinned to `cpu`, tracked by PID so it dies
// with the harness. Used by the redis suite (micro/redis.mjs) and the Redis rows of the stack and scale suites.
import { spawn, spawnSync } from 'node:child_process'
import { connect } from 'node:net'
import { pinned, freePort, track, stopChild } from './proc.mjs'

export function redisServerAvailable () {
  return !spawnSync('redis-server', ['--version']).error
}

/** Starts redis-server; resolves to `{ url, stop() }` once it accepts connections. */
export async function startRedis (cpu) {
  const port = await freePort()
  const [cmd, args] = pinned(cpu, 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes',
    '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'
  ])
  const child = track(spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] }))
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true) })
      s.on('error', () => { s.destroy(); resolve(false) })
    })
    if (ok) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child) }
}
