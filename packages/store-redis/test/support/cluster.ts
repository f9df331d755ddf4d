// Test support: a throwaway 3-master Redis Cluster on loopback ports (redis-server --cluster-enabled yes, joined
// with redis-cli --cluster create), no persistence, removed when the test ends. Never the shared Redis on 6379.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { Cluster, Redis } from 'ioredis'

const run = promisify(execFile)

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** A port whose cluster bus port (+10000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000)
    if (taken.has(port) || taken.has(port + 10_000)) continue
    if ((await portFree(port)) && (await portFree(port + 10_000))) {
      taken.add(port)
      taken.add(port + 10_000)
      return port
    }
  }
  throw new Error('no free port pair for a cluster node')
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    try {
      if (await check()) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** Three masters, every slot assigned, `cluster_state:ok` on each. */
export class RedisClusterProcess {
  readonly ports: number[] = []
  readonly #children: ChildProcess[] = []
  #dir = ''

  /** `redis+cluster://` seed URL of all masters. */
  get url(): string {
    return `redis+cluster://${this.ports.map((p) => `127.0.0.1:${String(p)}`).join(',')}`
  }

  async start(): Promise<void> {
    this.#dir = mkdtempSync(path.join(tmpdir(), 'gw-cluster-'))
    const taken = new Set<number>()
    for (let i = 0; i < 3; i++) this.ports.push(await clusterPort(taken))
    for (const port of this.ports) {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${String(port)}.conf`, '--dir', this.#dir, '--save', '', '--appendonly', 'no']
      this.#children.push(spawn('redis-server', args, { stdio: 'ignore' }))
    }
    for (const port of this.ports) {
      await waitFor(async () => {
        const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 })
        probe.on('error', () => {})
        try {
          await probe.connect()
          return (await probe.ping()) === 'PONG'
        } finally {
          probe.disconnect()
        }
      }, `redis-server on ${String(port)}`)
    }
    await run('redis-cli', ['--cluster', 'create', ...this.ports.map((p) => `127.0.0.1:${String(p)}`), '--cluster-replicas', '0', '--cluster-yes'])
    for (const port of this.ports) {
      await waitFor(async () => {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info'])
        return stdout.includes('cluster_state:ok')
      }, `cluster_state:ok on ${String(port)}`)
    }
  }

  /** A Cluster client for assertions (the caller quits it). */
  client(): Cluster {
    return new Cluster(this.ports.map((port) => ({ host: '127.0.0.1', port })))
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve()
            child.once('exit', () => resolve())
            child.kill('SIGKILL')
          })
      )
    )
    if (this.#dir !== '') rmSync(this.#dir, { recursive: true, force: true })
  }
}
