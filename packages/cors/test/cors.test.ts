import type { AddressInfo } from 'node:net'
import { createServer } from 'node:http'
import { describe, expect, it, onTestFinished } from 'vitest'
import { request } from 'undici'
import { compose, GatewayError, toNodeHandler, type Middleware } from '@gw/core'
import { cors, httpApiCors, type CorsOptions } from '@gw/cors'

/** A real server: `mw` in front of a handler that answers 200 with its own (backend) CORS headers. */
async function serve(mw: Middleware<object>, handler?: Middleware<object>): Promise<{ url: string; hits: () => number }> {
  let hits = 0
  const app: Middleware<object> =
    handler ??
    ((ctx) => {
      hits++
      ctx.responseHeaders['access-control-allow-origin'] = 'https://backend.example'
      ctx.responseHeaders['access-control-allow-methods'] = 'DELETE'
      ctx.responseHeaders.vary = 'Accept-Encoding'
      ctx.json({ ok: true })
    })
  const server = createServer(toNodeHandler(compose([mw, app]), { flavour: 'HTTP' }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits }
}

async function call(url: string, method: string, headers: Record<string, string>) {
  const res = await request(url, { method, headers })
  const body = await res.body.text()
  return { status: res.statusCode, headers: res.headers, body }
}

const preflight = (origin: string, extra: Record<string, string> = {}) => ({ origin, 'access-control-request-method': 'POST', ...extra })

function corsHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.startsWith('access-control-')))
}

describe('cors(): preflights (aws-semantics §11.2)', () => {
  it('§11.2 allowed origin: 204 with allow-origin, methods, headers, max-age, credentials; the handler never runs', async () => {
    const s = await serve(cors({ allowOrigins: ['https://app.example.com'], allowMethods: ['GET', 'POST'], allowHeaders: ['authorization', 'content-type'], maxAge: 300, allowCredentials: true }))
    const r = await call(`${s.url}/items`, 'OPTIONS', preflight('https://app.example.com', { 'access-control-request-headers': 'authorization' }))
    expect(r.status).toBe(204)
    expect(r.body).toBe('')
    expect(corsHeaders(r.headers)).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '300',
      'access-control-allow-credentials': 'true'
    })
    expect(r.headers.vary).toBe('Origin')
    expect(s.hits()).toBe(0)
  })

  it('§11.2 origin not allowed: 204 without any CORS header, Vary: Origin', async () => {
    const s = await serve(cors({ allowOrigins: ['https://app.example.com'] }))
    const r = await call(`${s.url}/items`, 'OPTIONS', preflight('https://other.example.com'))
    expect(r.status).toBe(204)
    expect(corsHeaders(r.headers)).toEqual({})
    expect(r.headers.vary).toBe('Origin')
    expect(s.hits()).toBe(0)
  })

  it('§11.2 "*" answers "*" and does not vary', async () => {
    const s = await serve(cors({ allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'] }))
    const r = await call(`${s.url}/`, 'OPTIONS', preflight('https://anyone.example'))
    expect(r.status).toBe(204)
    expect(corsHeaders(r.headers)).toEqual({ 'access-control-allow-origin': '*', 'access-control-allow-methods': '*', 'access-control-allow-headers': '*' })
    expect(r.headers.vary).toBeUndefined()
  })

  it('§11.2 with credentials, "*" methods and headers are answered with the request\'s own', async () => {
    const s = await serve(cors({ allowOrigins: ['https://*'], allowMethods: ['*'], allowHeaders: ['*'], allowCredentials: true }))
    const r = await call(`${s.url}/`, 'OPTIONS', preflight('https://a.example', { 'access-control-request-headers': 'authorization,x-trace' }))
    expect(corsHeaders(r.headers)).toEqual({
      'access-control-allow-origin': 'https://a.example',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'authorization,x-trace',
      'access-control-allow-credentials': 'true'
    })
  })

  it('OPTIONS without Access-Control-Request-Method is not a preflight: the handler answers it', async () => {
    const s = await serve(cors({ allowOrigins: ['https://app.example.com'] }))
    const r = await call(`${s.url}/`, 'OPTIONS', { origin: 'https://app.example.com' })
    expect(r.status).toBe(200)
    expect(s.hits()).toBe(1)
  })
})

describe('cors(): actual requests (§11.2)', () => {
  it('§11.2 configured headers replace the backend\'s; Vary keeps what the backend varies on', async () => {
    const s = await serve(cors({ allowOrigins: ['https://app.example.com'], exposeHeaders: ['x-request-id', 'date'], allowCredentials: true }))
    const r = await call(`${s.url}/`, 'GET', { origin: 'https://app.example.com' })
    expect(r.status).toBe(200)
    expect(corsHeaders(r.headers)).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-request-id,date'
    })
    expect(r.headers.vary).toBe('Accept-Encoding, Origin')
  })

  it('§11.2 no Origin: no CORS header at all (the backend\'s pass untouched), but Vary: Origin', async () => {
    const s = await serve(cors({ allowOrigins: ['https://app.example.com'] }))
    const r = await call(`${s.url}/`, 'GET', {})
    expect(r.headers['access-control-allow-origin']).toBe('https://backend.example')
    expect(r.headers.vary).toBe('Accept-Encoding, Origin')
  })

  it('§11.2 a disallowed origin: backend CORS headers are removed, none added', async () => {
    const s = await serve(cors({ allowOrigins: ['https://app.example.com'] }))
    const r = await call(`${s.url}/`, 'GET', { origin: 'https://evil.example' })
    expect(r.status).toBe(200)
    expect(corsHeaders(r.headers)).toEqual({})
  })

  it('a thrown gateway rejection still carries the CORS headers', async () => {
    const s = await serve(cors({ allowOrigins: ['https://app.example.com'] }), () => {
      throw new GatewayError('UNAUTHORIZED')
    })
    const r = await call(`${s.url}/`, 'GET', { origin: 'https://app.example.com' })
    expect(r.status).toBe(401)
    expect(r.body).toBe('{"message":"Unauthorized"}')
    expect(r.headers['access-control-allow-origin']).toBe('https://app.example.com')
  })
})

describe('origin matching (§11.2): exact scheme, host and port, patterns by scheme only', () => {
  const allowed: CorsOptions = { allowOrigins: ['https://example.com', 'http://localhost:3000'] }
  it.each([
    ['https://example.com', 'https://example.com'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['https://example.com.evil.net', undefined],
    ['https://evilexample.com', undefined],
    ['http://example.com', undefined],
    ['https://example.com:8443', undefined],
    ['https://EXAMPLE.com', undefined],
    ['https://example.com/', undefined],
    ['null', undefined],
    ['http://localhost:30000', undefined],
    ['http://localhost', undefined]
  ])('exact list: Origin %s → %s', async (origin, expected) => {
    const s = await serve(cors(allowed))
    const r = await call(`${s.url}/`, 'GET', { origin })
    expect(r.headers['access-control-allow-origin']).toBe(expected)
  })

  it.each([
    ['https://a.example.com', 'https://a.example.com'],
    ['https://127.0.0.1:8443', 'https://127.0.0.1:8443'],
    ['https://[::1]:8443', 'https://[::1]:8443'],
    ['http://a.example.com', undefined],
    ['null', undefined],
    ['https://', undefined],
    ['https://a.example.com/path', undefined],
    ['https://a.example.com.', undefined],
    ['https://A.example.com', undefined],
    ['javascript://https://a.example.com', undefined]
  ])('"https://*": Origin %s → %s', async (origin, expected) => {
    const s = await serve(cors({ allowOrigins: ['https://*'] }))
    const r = await call(`${s.url}/`, 'GET', { origin })
    expect(r.headers['access-control-allow-origin']).toBe(expected)
  })

  it('"http://*" does not admit https origins', async () => {
    const s = await serve(cors({ allowOrigins: ['http://*'] }))
    expect((await call(`${s.url}/`, 'GET', { origin: 'http://a.test' })).headers['access-control-allow-origin']).toBe('http://a.test')
    expect((await call(`${s.url}/`, 'GET', { origin: 'https://a.test' })).headers['access-control-allow-origin']).toBeUndefined()
  })
})

describe('configuration refused at construction (GW_CONFIG_INVALID naming the field)', () => {
  it.each([
    ['allowCredentials with "*"', { allowOrigins: ['*'], allowCredentials: true }, 'allowCredentials'],
    ['a subdomain wildcard', { allowOrigins: ['https://*.example.com'] }, 'allowOrigins[0]'],
    ['an origin with a path', { allowOrigins: ['https://example.com/'] }, 'allowOrigins[0]'],
    ['maxAge out of range', { maxAge: 86401 }, 'maxAge'],
    ['a method that is not a token', { allowMethods: ['GET POST'] }, 'allowMethods[0]'],
    ['an unknown field', { origin: '*' }, '(root)']
  ])('%s', (_n, options, field) => {
    expect(() => cors(options as CorsOptions)).toThrowError(expect.objectContaining({ code: 'GW_CONFIG_INVALID', message: expect.stringContaining(field) as string }) as Error)
    expect(() => httpApiCors(options as CorsOptions)).toThrowError(expect.objectContaining({ code: 'GW_CONFIG_INVALID' }) as Error)
  })

  it('cors() allows every origin by default; httpApiCors() allows none (AWS default)', async () => {
    const a = await serve(cors())
    expect((await call(`${a.url}/`, 'GET', { origin: 'https://x.test' })).headers['access-control-allow-origin']).toBe('*')
    const b = await serve(httpApiCors({}))
    expect((await call(`${b.url}/`, 'GET', { origin: 'https://x.test' })).headers['access-control-allow-origin']).toBeUndefined()
  })
})

describe('httpApiCors(): a matching OPTIONS route takes the preflight (§11.2)', () => {
  it('answers preflights only where no route matches OPTIONS', async () => {
    const s = await serve(httpApiCors({ allowOrigins: ['https://app.example.com'], allowMethods: ['GET'] }, { hasOptionsRoute: (path) => path.startsWith('/own') }))
    const answered = await call(`${s.url}/items`, 'OPTIONS', preflight('https://app.example.com'))
    expect(answered.status).toBe(204)
    expect(answered.headers['access-control-allow-methods']).toBe('GET')
    expect(s.hits()).toBe(0)
    const routed = await call(`${s.url}/own/x`, 'OPTIONS', preflight('https://app.example.com'))
    expect(routed.status).toBe(200)
    expect(s.hits()).toBe(1)
    expect(routed.headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(routed.headers['access-control-allow-methods']).toBeUndefined()
  })
})
