// `gw serve --workers N` (node:cluster): N processes on one port counting one quota through Redis (§8.2), the
// primary restarting a worker that dies and draining all of them on SIGTERM; `store: memory` with N > 1 refused.
import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { FIXTURES, spawnGw } from './helpers.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const KEY = 'workers-key-0123456789abcdef'

function configWith(store: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-workers-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(`${FIXTURES}workers`, dir, { recursive: true })
  const file = join(dir, 'gw.config.yaml')
  writeFileSync(file, `${readFileSync(file, 'utf8')}store: ${store}\nstorePrefix: gwtest-${randomBytes(6).toString('hex')}\n`)
  return file
}

/** One request on a new connection (so the cluster's round-robin spreads them), status and body. */
function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { 'x-api-key': KEY, connection: 'close' }, agent: false }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('gw serve --workers', () => {
  it('two workers share the port and one quota on Redis: 20 requests, exactly 12 admitted, served by both', async () => {
    const gw = spawnGw(['serve', configWith(REDIS_URL), '--workers', '2'], { WORKERS_KEY: KEY })
    const port = Number((await gw.waitFor(/gw listening on port (\d+)/, 30_000))[1])
    expect(gw.stdout()).toContain('gw: 2 workers (node:cluster)')
    const answers = []
    for (let i = 0; i < 20; i++) answers.push(await get(port, '/dev/pid'))
    const admitted = answers.filter((a) => a.status === 200)
    expect(admitted).toHaveLength(12)
    expect(answers.filter((a) => a.status === 429).map((a) => a.body)).toEqual(Array(8).fill('{"message":"Limit Exceeded"}'))
    const pids = new Set(admitted.map((a) => a.body))
    expect(pids.size).toBe(2)
    expect(pids.has(String(gw.child.pid))).toBe(false) // the primary serves nothing itself

    // a worker that dies is replaced (logged); the port keeps answering, from the same spent budget
    process.kill(Number([...pids][0]), 'SIGKILL')
    for (let i = 0; i < 300 && !gw.stderr().includes('"event":"gw.worker_exit"'); i++) await new Promise((r) => setTimeout(r, 100))
    expect(gw.stderr()).toContain('"event":"gw.worker_exit"')
    for (let i = 0; i < 4; i++) expect((await get(port, '/dev/pid')).status).toBe(429)

    gw.child.kill('SIGTERM')
    expect(await gw.exited).toBe(0)
  }, 120_000)

  it('refuses more than one worker on store: memory (exit 2, says why)', async () => {
    const gw = spawnGw(['serve', configWith('memory'), '--workers', '2'], { WORKERS_KEY: KEY })
    expect(await gw.exited).toBe(2)
    expect(gw.stderr()).toMatch(/--workers 2 needs store: redis:\/\//)
  })

  it('refuses a worker count that is not 1-256 (exit 2)', async () => {
    const gw = spawnGw(['serve', configWith(REDIS_URL), '--workers', 'many'], { WORKERS_KEY: KEY })
    expect(await gw.exited).toBe(2)
    expect(gw.stderr()).toMatch(/--workers must be 1-256/)
  })
})
