// Test support: the shared Redis (REDIS_URL) and throwaway redis-server processes.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'

/** Fails (never skips) when the shared Redis is unreachable. */
export async function requireRedis(): Promise<void> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null })
  probe.on('error', () => {})
  try {
    await probe.connect()
    await probe.ping()
  } catch (err) {
    throw new Error(`Redis is not reachable at ${REDIS_URL} (set REDIS_URL or start redis-server): ${String(err)}`)
  } finally {
    probe.disconnect()
  }
}

/** A random key prefix per test: never FLUSHALL a shared Redis. */
export const randomPrefix = (): string => `gwtest-${randomBytes(6).toString('hex')}`

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** A redis-server of our own on `port` (no persistence), for fault tests. */
export class RedisProcess {
  readonly port: number
  #child: ChildProcess | undefined

  constructor(port: number) {
    this.port = port
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    const child = spawn('/usr/bin/redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    this.#child = child
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 })
    probe.on('error', () => {})
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect()
        await probe.ping()
        probe.disconnect()
        return
      } catch {
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    probe.disconnect()
    throw new Error(`redis-server on port ${this.port} did not start`)
  }

  /** SIGSTOP / SIGCONT: a Redis that keeps its socket open but answers nothing. */
  pause(): void {
    this.#child?.kill('SIGSTOP')
  }

  resume(): void {
    this.#child?.kill('SIGCONT')
  }

  async kill(): Promise<void> {
    const child = this.#child
    if (child === undefined || child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    this.#child = undefined
  }
}

/** A logger that keeps events for assertions. */
export function captureLogger(): { logger: import('@gw/core').Logger; events: import('@gw/core').LogEvent[]; text: () => string } {
  const events: import('@gw/core').LogEvent[] = []
  const push = (e: import('@gw/core').LogEvent): void => {
    events.push(e)
  }
  return { events, logger: { error: push, warn: push, info: push }, text: () => events.map((e) => JSON.stringify(e)).join('\n') }
}
