import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import aws4 from 'aws4'
import { describe, expect, it, onTestFinished } from 'vitest'
import { open } from '../../websocket/test/client.js'
import { FIXTURES, spawnGw } from './helpers.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const KEY = { accessKeyId: 'AKIAWSADMIN000000001', secretAccessKey: 'ws-admin-secret' }
const ENV = { WS_ACCESS_KEY_ID: KEY.accessKeyId, WS_SECRET_ACCESS_KEY: KEY.secretAccessKey }
// websocket.leaseMs of the fixture: renewed every third of it, so a live instance would have to stall for over 3 s
// before another reads its connections as gone; long enough for a loaded CI machine, short enough to wait for.
const LEASE_MS = 5000

/** SigV4-signed `@connections` call (aws4, service execute-api). */
function manage(origin: string, method: string, path: string, body?: string): Promise<number> {
  const url = new URL(origin)
  const opts: aws4.Request & { headers: Record<string, string> } = { host: url.host, method, path, service: 'execute-api', region: 'us-east-1', headers: {}, ...(body === undefined ? {} : { body }) }
  aws4.sign(opts, KEY)
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: opts.headers }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('gw serve: WebSocket APIs on two instances sharing Redis (§14.7)', () => {
  it('client on instance 1, POST @connections to instance 2 reaches it; SIGKILL instance 1: GET on instance 2 answers 410 within the lease', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-ws-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    cpSync(`${FIXTURES}websocket`, dir, { recursive: true })
    const file = join(dir, 'gw.config.yaml')
    writeFileSync(file, `${readFileSync(file, 'utf8')}store: ${REDIS_URL}\nstorePrefix: gwtest-${randomBytes(6).toString('hex')}\n`)
    const one = spawnGw(['serve', file, '--port', '0'], ENV)
    const two = spawnGw(['serve', file, '--port', '0'], ENV)
    const wsOne = (await one.waitFor(/chat dev: (ws:\/\/\S+)/, 20_000))[1] as string
    const wsTwo = (await two.waitFor(/chat dev: (ws:\/\/\S+)/, 20_000))[1] as string
    const httpTwo = new URL(wsTwo.replace(/^ws/, 'http')).origin

    const a = await open(wsOne)
    a.ws.send('{"action":"whoami"}')
    const id = await a.next()
    a.ws.send('{"action":"echo","text":"hi"}')
    expect(await a.next()).toBe('{"action":"echo","text":"hi"}')
    const path = `/dev/@connections/${encodeURIComponent(id)}`
    expect(await manage(httpTwo, 'POST', path, 'from instance 2')).toBe(200)
    expect(await a.next()).toBe('from instance 2')
    expect(await manage(httpTwo, 'GET', path)).toBe(200)

    one.child.kill('SIGKILL')
    await one.exited
    const killedAt = Date.now()
    // §14.7: instance 1 can no longer renew its lease; poll instance 2 until the record reads as gone, with a
    // deadline far past the lease (never a fixed sleep: a loaded machine only makes this slower, not wrong)
    let status = 0
    while (Date.now() - killedAt < LEASE_MS + 20_000) {
      status = await manage(httpTwo, 'GET', path)
      if (status === 410) break
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(status).toBe(410)
    // within the lease (plus the renewal period and slack for a loaded machine), far below "forever"
    expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + 10_000)
    expect(await manage(httpTwo, 'POST', path, 'late')).toBe(410)
  })
})
