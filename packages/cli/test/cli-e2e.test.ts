import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { FIXTURES, spawnGw, startUpstream } from './helpers.js'

const OPENAPI = `${FIXTURES}e2e/openapi.yaml`
const LAMBDA = `orders=${FIXTURES}e2e/handlers/orders.mjs#handler`

/** One HTTP request without keep-alive (each of the 100 slow requests gets its own socket). */
function get(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

async function quickServe(upstreamPort: number): Promise<{ gw: ReturnType<typeof spawnGw>; url: string }> {
  const gw = spawnGw(['serve', '--openapi', OPENAPI, '--lambda', LAMBDA, '--stage', 'dev', '--stage-variable', `upstream=127.0.0.1:${String(upstreamPort)}`, '--stage-variable', 'greeting=hey', '--port', '0'])
  const match = await gw.waitFor(/e2e dev: (http:\/\/\S+)/)
  return { gw, url: match[1] ?? '' }
}

describe('gw serve quick mode (built CLI, real sockets)', () => {
  it('prints each stage URL and serves every route over HTTP (§3.5 mock, §3.4 proxy, §2 Lambda, §9.2 key, §1 404)', async () => {
    const upstream = await startUpstream((req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ upstream: true, url: req.url }))
    })
    const { gw, url } = await quickServe(upstream.port)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dev$/)

    const hello = await get(`${url}/hello`)
    expect(hello.status).toBe(200)
    expect(JSON.parse(hello.body)).toEqual({ message: 'hello from dev', greeting: 'hey' })

    const pet = await get(`${url}/pets/42?x=1`)
    expect(pet.status).toBe(200)
    expect(JSON.parse(pet.body)).toEqual({ upstream: true, url: '/pets/42?x=1' })

    const order = await get(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":"book"}' })
    expect(order.status).toBe(201)
    expect(order.headers['x-stage']).toBe('dev')
    expect(JSON.parse(order.body)).toEqual({ id: 'o-1', item: 'book', stage: 'dev', path: '/orders' })

    const slow = await get(`${url}/slow`)
    expect(slow.status).toBe(200)

    // No key configured in quick mode: the keyed route answers 403 Forbidden (§9.2).
    const keyed = await get(`${url}/private`)
    expect(keyed.status).toBe(403)
    expect(JSON.parse(keyed.body)).toEqual({ message: 'Forbidden' })
    expect(keyed.headers['x-amzn-errortype']).toBe('ForbiddenException')

    const missing = await get(`${url}/nope`)
    expect(missing.status).toBe(403)
    expect(JSON.parse(missing.body)).toEqual({ message: 'Missing Authentication Token' })

    gw.child.kill('SIGTERM')
    expect(await gw.exited).toBe(0)
  })

  it('SIGTERM with 100 slow requests in flight: all 100 complete, then exit 0', async () => {
    let arrived = 0
    let release: () => void = () => {}
    const allArrived = new Promise<void>((resolve) => (release = resolve))
    const upstream = await startUpstream((req, res) => {
      if (req.url !== '/slow') {
        res.end('{}')
        return
      }
      arrived++
      if (arrived === 100) release()
      setTimeout(() => res.end(JSON.stringify({ slow: true })), 400)
    })
    const { gw, url } = await quickServe(upstream.port)
    const requests = Array.from({ length: 100 }, () => get(`${url}/slow`))
    await allArrived
    gw.child.kill('SIGTERM')
    const results = await Promise.all(requests)
    expect(results.filter((r) => r.status === 200 && r.body === '{"slow":true}')).toHaveLength(100)
    expect(await gw.exited).toBe(0)
    expect(gw.stderr()).toMatch(/SIGTERM: draining/)
    // Stopped accepting: a new connection is refused after exit.
    await expect(get(`${url}/hello`)).rejects.toThrow(/ECONNREFUSED/)
  })
})
