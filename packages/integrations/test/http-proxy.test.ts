import { createServer as createNetServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { request } from 'undici'
import { createIntegration, type IntegrationDefinition } from '@gw/integrations'
import { gateway, listen, readAll, route } from './helpers.js'

interface Seen { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string }

async function echoUpstream(): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = []
  const { url } = await listen((req, res) => {
    void readAll(req).then((body) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString() })
      res.setHeader('Server', 'upstream/1')
      res.setHeader('Via', '1.1 someproxy')
      res.setHeader('X-Upstream', 'yes')
      res.setHeader('Set-Cookie', ['a=1', 'b=2'])
      res.setHeader('Content-Type', 'text/plain')
      res.statusCode = req.url?.startsWith('/status/') === true ? Number(req.url.slice(8)) : 200
      res.end(`echo ${req.method ?? ''} ${req.url ?? ''} ${body.toString()}`)
    })
  })
  return { url, seen }
}

function proxy(def: Omit<IntegrationDefinition, 'type'>, flavour: 'REST' | 'HTTP' = 'REST') {
  const integration = createIntegration({ type: 'HTTP_PROXY', httpMethod: 'ANY', ...def }, { flavour })
  onTestFinished(() => integration.close())
  return integration
}

describe('HTTP_PROXY (§3.4)', () => {
  it('§3.4 {proxy} from the greedy path parameter, query passed as-is, body streamed, method kept', async () => {
    const up = await echoUpstream()
    const url = await gateway([route({ pathParameters: { proxy: 'pets/7' } }), proxy({ uri: `${up.url}/api/{proxy}` })])
    const res = await request(`${url}/prod/pets/7?a=1&a=2&b=%20x`, { method: 'PUT', body: 'hello', headers: { 'content-type': 'text/plain' } })
    expect(res.statusCode).toBe(200)
    expect(await res.body.text()).toBe('echo PUT /api/pets/7?a=1&a=2&b=%20x hello')
  })

  it('§3.2 request headers: dropped list removed, host replaced, trace id / api id / x-forwarded-for added', async () => {
    const up = await echoUpstream()
    const url = await gateway([route({ pathParameters: { proxy: 'x' } }), proxy({ uri: `${up.url}/{proxy}` })])
    const res = await request(`${url}/prod/x`, {
      headers: { 'x-custom': 'kept', 'max-forwards': '3', 'te': 'trailers', 'via': '1.0 c', 'accept-encoding': 'gzip', 'x-amzn-trace-id': 'client', 'www-authenticate': 'Basic' }
    })
    await res.body.dump()
    const h = up.seen[0]?.headers ?? {}
    expect(h['x-custom']).toBe('kept')
    expect(h.host).toBe(new URL(up.url).host)
    for (const dropped of ['max-forwards', 'te', 'via', 'accept-encoding', 'www-authenticate']) expect(h[dropped], dropped).toBeUndefined()
    expect(h['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/)
    expect(h['x-amzn-apigateway-api-id']).toBe('a1b2c3d4e5')
    expect(h['x-forwarded-for']).toBe('127.0.0.1')
  })

  it('§3.3 response headers: Server/Date/Content-Length remapped, Via dropped, Set-Cookie kept as lines', async () => {
    const up = await echoUpstream()
    const url = await gateway([route({ pathParameters: { proxy: 'status/201' } }), proxy({ uri: `${up.url}/{proxy}` })])
    const res = await request(`${url}/prod/status/201`)
    const text = await res.body.text()
    expect(res.statusCode).toBe(201)
    expect(res.headers['x-amzn-remapped-server']).toBe('upstream/1')
    expect(res.headers['x-amzn-remapped-date']).toBeDefined()
    expect(res.headers['x-amzn-remapped-content-length']).toBe(String(text.length))
    expect(res.headers.via).toBeUndefined()
    expect(res.headers['x-upstream']).toBe('yes')
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2'])
    expect(res.headers['content-type']).toBe('text/plain')
  })

  it('§3.4 requestParameters: header override, query appended, path from mapping, stage variable in uri (§6.3)', async () => {
    const up = await echoUpstream()
    const url = await gateway([
      route({ pathParameters: { id: '42' }, resourcePath: '/items/{id}', stageVariables: { base: up.url.slice(7) } }),
      proxy({
        uri: 'http://${stageVariables.base}/v2/items/{itemId}',
        requestParameters: {
          'integration.request.path.itemId': 'method.request.path.id',
          'integration.request.header.x-custom': "'mapped'",
          'integration.request.querystring.src': 'context.stage'
        }
      })
    ])
    const res = await request(`${url}/prod/items/42?q=1`, { headers: { 'x-custom': 'client' } })
    expect(await res.body.text()).toBe('echo GET /v2/items/42?q=1&src=prod ')
    expect(up.seen[0]?.headers['x-custom']).toBe('mapped')
  })

  it.each([
    ['REST: §3.1 504 Endpoint request timed out', 'REST' as const, 504, '{"message":"Endpoint request timed out"}'],
    ['HTTP API: §3.1 503 Service Unavailable', 'HTTP' as const, 503, '{"message":"Service Unavailable"}']
  ])('§7 fault: upstream slower than timeoutInMillis → %s, within 10%', async (_n, flavour, status, body) => {
    const { url: slow } = await listen((_req, res) => { const t = setTimeout(() => res.end('late'), 5000); res.on('close', () => { clearTimeout(t) }) })
    const url = await gateway([route({ pathParameters: { proxy: 'x' } }), proxy({ uri: `${slow}/{proxy}`, timeoutInMillis: 2000 }, flavour)], flavour)
    const t0 = performance.now()
    const res = await request(`${url}/prod/x`)
    const elapsed = performance.now() - t0
    expect(res.statusCode).toBe(status)
    expect(await res.body.text()).toBe(body)
    expect(elapsed).toBeGreaterThanOrEqual(1990)
    expect(elapsed).toBeLessThanOrEqual(2200)
  })

  it('§12.1 note fault: connection refused → 504 INTEGRATION_FAILURE, no internals in the body', async () => {
    const probe = createNetServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((r) => probe.close(() => { r() }))
    const url = await gateway([route({ pathParameters: { proxy: 'x' } }), proxy({ uri: `http://127.0.0.1:${String(port)}/{proxy}` })])
    const res = await request(`${url}/prod/x`)
    const text = await res.body.text()
    expect(res.statusCode).toBe(504)
    expect(text).toBe('{"message":"Internal server error"}')
    expect(res.headers['x-amzn-errortype']).toBe('InternalServerErrorException')
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/)
  })

  it('§12.1 note fault: upstream resets before answering → 504; HTTP API → 500', async () => {
    const sockets = new Set<Socket>()
    const raw = createNetServer((s) => { sockets.add(s); s.once('data', () => { s.resetAndDestroy() }) })
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r))
    onTestFinished(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); raw.close(() => { r() }) }))
    const port = (raw.address() as AddressInfo).port
    for (const [flavour, status] of [['REST', 504], ['HTTP', 500]] as const) {
      const url = await gateway([route({ pathParameters: { proxy: 'x' } }), proxy({ uri: `http://127.0.0.1:${String(port)}/{proxy}` }, flavour)], flavour)
      const res = await request(`${url}/prod/x`, { method: 'POST', body: 'abc' })
      expect(res.statusCode).toBe(status)
      await res.body.dump()
    }
  })

  it.each([
    ['small declared body (collected) → 504 INTEGRATION_FAILURE, like AWS which buffers', 100, 504],
    ['large body (streamed) → headers already sent: client connection aborted', 100_000, 200]
  ])('fault: upstream resets mid-body, %s; gateway keeps serving', async (_n, length, status) => {
    const sockets = new Set<Socket>()
    const raw = createNetServer((s) => {
      sockets.add(s)
      s.once('data', () => {
        s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${String(length)}\r\ncontent-type: text/plain\r\n\r\npartial`)
        setTimeout(() => { s.resetAndDestroy() }, 20)
      })
    })
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r))
    onTestFinished(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); raw.close(() => { r() }) }))
    const port = (raw.address() as AddressInfo).port
    const up = await echoUpstream()
    const broken = proxy({ uri: `http://127.0.0.1:${String(port)}/{proxy}` })
    const okProxy = proxy({ uri: `${up.url}/{proxy}` })
    const url = await gateway([
      route({ pathParameters: { proxy: 'x' } }),
      (ctx, next) => (ctx.headers['x-target'] === 'ok' ? okProxy(ctx, next) : broken(ctx, next))
    ])
    const res = await request(`${url}/prod/x`)
    expect(res.statusCode).toBe(status)
    if (status === 200) await expect(res.body.text()).rejects.toThrow()
    else expect(await res.body.text()).toBe('{"message":"Internal server error"}')
    const again = await request(`${url}/prod/x`, { headers: { 'x-target': 'ok' } })
    expect(again.statusCode).toBe(200)
    expect(await again.body.text()).toBe('echo GET /x ')
  })

  it('§3.4 a large body of unknown length streams through intact, with back-pressure', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x')
    const { url: upUrl } = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }) // chunked: no declared length
      let sent = 0
      const pump = (): void => {
        while (sent < 64) {
          sent++
          if (!res.write(chunk)) {
            res.once('drain', pump)
            return
          }
        }
        res.end()
      }
      pump()
    })
    const url = await gateway([route({ pathParameters: { proxy: 'big' } }), proxy({ uri: `${upUrl}/{proxy}` })])
    const res = await request(`${url}/prod/big`)
    expect(res.statusCode).toBe(200)
    let total = 0
    // a slow reader: the gateway must not buffer the 4 MB meanwhile (it pauses the endpoint instead)
    for await (const part of res.body) {
      total += (part as Buffer).length
      if (total % (1024 * 1024) < 65_536) await new Promise((r) => setTimeout(r, 5))
    }
    expect(total).toBe(64 * chunk.length)
  })

  it('§3.4 a client that goes away mid-stream aborts the endpoint call', async () => {
    let upstreamClosedEarly: (value: boolean) => void = () => {}
    const closed = new Promise<boolean>((r) => { upstreamClosedEarly = r })
    const { url: upUrl } = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      const timer = setInterval(() => res.write('tick\n'), 5)
      res.on('close', () => {
        clearInterval(timer)
        upstreamClosedEarly(!res.writableFinished)
      })
    })
    const url = await gateway([route({ pathParameters: { proxy: 'live' } }), proxy({ uri: `${upUrl}/{proxy}` })])
    const res = await request(`${url}/prod/live`)
    expect(res.statusCode).toBe(200)
    for await (const part of res.body) {
      expect(String(part)).toContain('tick')
      break // leaves the loop: undici destroys the body and the connection
    }
    expect(await closed).toBe(true)
  })

  it('§7 no sockets or handles left open after close()', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap' || r === 'Timeout').length
    const up = await echoUpstream()
    const integration = createIntegration({ type: 'HTTP_PROXY', httpMethod: 'ANY', uri: `${up.url}/{proxy}`, timeoutInMillis: 500 })
    const { server, url } = await listen((req, res) => {
      void (async () => {
        const { toNodeHandler, compose } = await import('@gw/core')
        toNodeHandler(compose<object>([route({ pathParameters: { proxy: 'x' } }), integration]))(req, res)
      })()
    })
    for (let i = 0; i < 5; i++) await (await request(`${url}/prod/x`, { reset: true })).body.dump()
    await integration.close()
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => { r() }))
    up.seen.length = 0
    await new Promise((r) => setTimeout(r, 50))
    const after = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap' || r === 'Timeout').length
    // the upstream echo server is still listening (closed by onTestFinished): one TCPServerWrap
    expect(after).toBeLessThanOrEqual(before + 1)
  })
})
