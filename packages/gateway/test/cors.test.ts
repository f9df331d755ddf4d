import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { request } from 'undici'
import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import { createGateway, type ApiDefinitionInput } from '@gw/gateway'
import { start } from './serve.js'

/** A real backend that answers with its own CORS headers and counts calls. */
async function backend(): Promise<{ url: string; calls: string[] }> {
  const calls: string[] = []
  const server = createServer((req, res) => {
    calls.push(`${req.method ?? ''} ${req.url ?? ''}`)
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': 'https://backend.example', 'access-control-max-age': '5' })
    res.end(JSON.stringify({ method: req.method, url: req.url }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())))
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, calls }
}

/** A local IdP (OIDC discovery + JWKS) and a token signer, one for the file (RSA keys are slow to make). */
interface Idp { issuer: string; token: () => Promise<string>; close: () => Promise<void> }
let shared: Promise<Idp> | undefined
const idp = () => (shared ??= makeIdp())
afterAll(async () => {
  if (shared !== undefined) await (await shared).close()
})
async function makeIdp(): Promise<Idp> {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }))
    else res.end(JSON.stringify({ keys: [jwk] }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const issuer = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`
  return { issuer, close: () => new Promise<void>((r) => server.close(() => r())), token: () => new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience('pets').setIssuedAt().setExpirationTime('5m').sign(privateKey) }
}

async function call(url: string, method: string, headers: Record<string, string> = {}) {
  const res = await request(url, { method, headers })
  const body = await res.body.text()
  return { status: res.statusCode, headers: res.headers, body }
}

const cors = (headers: Record<string, unknown>) => Object.fromEntries(Object.entries(headers).filter(([k]) => k.startsWith('access-control-')))
const preflight = (origin = 'https://app.example.com') => ({ origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' })

const corsConfiguration = {
  allowOrigins: ['https://app.example.com'],
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['authorization', 'content-type'],
  exposeHeaders: ['x-request-id'],
  maxAge: 600,
  allowCredentials: true
}

async function httpApi(extra: Partial<Extract<ApiDefinitionInput, { protocol: 'HTTP' }>> = {}) {
  const up = await backend()
  const { issuer, token } = await idp()
  const def: ApiDefinitionInput = {
    protocol: 'HTTP',
    name: 'cors',
    corsConfiguration,
    authorizers: { jwt: { type: 'JWT', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer, audience: ['pets'] } } },
    routes: { 'GET /pets': { authorizationType: 'JWT', authorizerId: 'jwt', integrationId: 'up' }, 'GET /open': { integrationId: 'up' }, ...extra.routes },
    integrations: { up: { type: 'HTTP_PROXY', httpMethod: 'ANY', uri: `${up.url}/backend`, payloadFormatVersion: '1.0' } },
    ...(extra.stages === undefined ? {} : { stages: extra.stages })
  }
  const url = await start(def)
  return { url, up, token }
}

describe('HTTP API corsConfiguration through createGateway().listen (aws-semantics §11.2, §0.2)', () => {
  it('§11.2 preflight without a token on a JWT-protected GET route: 204 with the allow headers, never reaching authorizer or integration', async () => {
    const { url, up } = await httpApi()
    const r = await call(`${url}/pets`, 'OPTIONS', preflight())
    expect(r.status).toBe(204)
    expect(r.body).toBe('')
    expect(cors(r.headers)).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '600',
      'access-control-allow-credentials': 'true'
    })
    expect(r.headers.vary).toBe('Origin')
    expect(r.headers['apigw-requestid']).toBeTruthy()
    expect(up.calls).toEqual([])
  })

  it('§11.2 preflight for a path no route has is answered too (before routing, §0.2 step 2)', async () => {
    const { url } = await httpApi()
    const r = await call(`${url}/nothing/here`, 'OPTIONS', preflight())
    expect(r.status).toBe(204)
    expect(r.headers['access-control-allow-origin']).toBe('https://app.example.com')
  })

  it('§11.2 preflight from an origin not allowed: 204 without CORS headers', async () => {
    const { url, up } = await httpApi()
    const r = await call(`${url}/pets`, 'OPTIONS', preflight('https://evil.example'))
    expect(r.status).toBe(204)
    expect(cors(r.headers)).toEqual({})
    expect(up.calls).toEqual([])
  })

  it('§11.2 actual request: the configured headers replace the backend\'s', async () => {
    const { url, up, token } = await httpApi()
    const r = await call(`${url}/pets`, 'GET', { origin: 'https://app.example.com', authorization: `Bearer ${await token()}` })
    expect(r.status).toBe(200)
    expect(up.calls).toEqual(['GET /backend'])
    expect(cors(r.headers)).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-request-id'
    })
    expect(r.headers.vary).toBe('Origin')
  })

  it('§11.2 a gateway 401 (JWT missing) carries the CORS headers for an allowed origin', async () => {
    const { url } = await httpApi()
    const r = await call(`${url}/pets`, 'GET', { origin: 'https://app.example.com' })
    expect(r.status).toBe(401)
    expect(r.body).toBe('{"message":"Unauthorized"}')
    expect(r.headers['access-control-allow-origin']).toBe('https://app.example.com')
  })

  it('§11.2 no Origin: no CORS headers are added (the backend\'s own pass through)', async () => {
    const { url } = await httpApi()
    const r = await call(`${url}/open`, 'GET')
    expect(r.status).toBe(200)
    expect(cors(r.headers)).toEqual({ 'access-control-allow-origin': 'https://backend.example', 'access-control-max-age': '5' })
  })

  it.each(['https://example.com.evil.net', 'https://evilexample.com', 'http://app.example.com', 'null', 'https://APP.example.com', 'https://app.example.com.evil.net', 'https://app.example.com:444'])(
    '§11.2 look-alike origin %s is never reflected (backend CORS headers removed as well)',
    async (origin) => {
      const { url } = await httpApi()
      const r = await call(`${url}/open`, 'GET', { origin })
      expect(r.status).toBe(200)
      expect(cors(r.headers)).toEqual({})
      const p = await call(`${url}/open`, 'OPTIONS', preflight(origin))
      expect(cors(p.headers)).toEqual({})
    }
  )

  it.each([
    ['explicit OPTIONS /pets', { 'OPTIONS /pets': { integrationId: 'up' } }, '/pets'],
    ['greedy ANY /{proxy+}', { 'ANY /{proxy+}': { integrationId: 'up' } }, '/pets/1'],
    ['$default', { $default: { integrationId: 'up' } }, '/elsewhere']
  ])('§11.2 a route matching OPTIONS (%s) takes the preflight itself', async (_n, routes, path) => {
    const { url, up } = await httpApi({ routes })
    const r = await call(`${url}${path}`, 'OPTIONS', preflight())
    expect(r.status).toBe(200)
    expect(up.calls).toHaveLength(1)
    expect(up.calls[0]).toMatch(/^OPTIONS \/backend/)
    expect(r.headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(r.headers['access-control-allow-methods']).toBeUndefined()
  })

  it('§0.2 preflights are answered before the throttle of the route; the throttled GET carries CORS headers', async () => {
    const { url, up } = await httpApi({ stages: { $default: { defaultRouteSettings: { throttlingBurstLimit: 0, throttlingRateLimit: 0.001 } } } })
    const p = await call(`${url}/open`, 'OPTIONS', preflight())
    expect(p.status).toBe(204)
    const g = await call(`${url}/open`, 'GET', { origin: 'https://app.example.com' })
    expect(g.status).toBe(429)
    expect(g.body).toBe('{"message":"Too Many Requests"}')
    expect(g.headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(up.calls).toEqual([])
  })

  it('§11.2 https://* allows any https origin, reflected, never http or null', async () => {
    const up = await backend()
    const url = await start({ protocol: 'HTTP', name: 'p', corsConfiguration: { allowOrigins: ['https://*'] }, routes: { 'GET /x': { integration: { type: 'HTTP_PROXY', uri: up.url, payloadFormatVersion: '1.0' } } } })
    expect((await call(`${url}/x`, 'GET', { origin: 'https://any.example' })).headers['access-control-allow-origin']).toBe('https://any.example')
    expect((await call(`${url}/x`, 'GET', { origin: 'http://any.example' })).headers['access-control-allow-origin']).toBeUndefined()
    expect((await call(`${url}/x`, 'GET', { origin: 'null' })).headers['access-control-allow-origin']).toBeUndefined()
  })

  it('§11.2 allowOrigins "*" answers "*" without Vary', async () => {
    const up = await backend()
    const url = await start({ protocol: 'HTTP', name: 'p', corsConfiguration: { allowOrigins: ['*'], allowMethods: ['*'] }, routes: { 'GET /x': { integration: { type: 'HTTP_PROXY', uri: up.url, payloadFormatVersion: '1.0' } } } })
    const p = await call(`${url}/x`, 'OPTIONS', preflight('https://whoever.example'))
    expect(cors(p.headers)).toEqual({ 'access-control-allow-origin': '*', 'access-control-allow-methods': '*' })
    expect(p.headers.vary).toBeUndefined()
  })

  it('§11.2 allowCredentials with a "*" origin is refused at construction, naming the field', () => {
    expect(() => createGateway({ protocol: 'HTTP', name: 'p', corsConfiguration: { allowOrigins: ['*'], allowCredentials: true }, routes: {} })).toThrowError(
      expect.objectContaining({ code: 'GW_CONFIG_INVALID', message: expect.stringContaining('corsConfiguration.allowCredentials') as string }) as Error
    )
  })
})
