import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { request } from 'undici'
import { SignJWT } from 'jose'
import { serve, type GatewayServer } from '@gw/cli'
import { silentLogger } from '@gw/core'
import { makeKey, startIssuer } from '../../authorizers/test/jwks-server.js'

// aws-semantics §11 through `gw serve` (the CLI's serve(), real sockets): HTTP API corsConfiguration from
// x-amazon-apigateway-cors (§11.2) and a REST API's `cors:` (§11.1), each behaviour of #16's list.

const APP = 'https://app.example.com'
const TOKEN_AUDIENCE = 'pets'

/** OpenAPI of an HTTP API (§16.2) with a JWT route, an open route and an explicit OPTIONS route, all proxied. */
function httpApi(upstream: string, cors: string, issuer?: string): string {
  const proxy = (path: string) => `{ type: http_proxy, httpMethod: ANY, uri: '${upstream}${path}', payloadFormatVersion: '1.0' }`
  const jwt =
    issuer === undefined
      ? ''
      : `components:
  securitySchemes:
    jwt:
      type: oauth2
      flows: {}
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: $request.header.Authorization
        jwtConfiguration: { issuer: '${issuer}', audience: [${TOKEN_AUDIENCE}] }
`
  return `openapi: 3.0.1
info: { title: cors, version: '1.0' }
x-amazon-apigateway-importexport-version: '1.0'
x-amazon-apigateway-cors: ${cors}
paths:
  /pets:
    get:
      security: [${issuer === undefined ? '' : '{ jwt: [] }'}]
      responses: { default: { description: ok } }
      x-amazon-apigateway-integration: ${proxy('/pets')}
  /open:
    get:
      responses: { default: { description: ok } }
      x-amazon-apigateway-integration: ${proxy('/open')}
  /explicit:
    get:
      responses: { default: { description: ok } }
      x-amazon-apigateway-integration: ${proxy('/explicit')}
    options:
      responses: { default: { description: ok } }
      x-amazon-apigateway-integration: ${proxy('/explicit-options')}
${jwt}`
}

/** A REST API (MOCK) with an API-key method, for gateway responses carrying CORS headers (§11.1). */
const REST_OPENAPI = `openapi: 3.0.1
info: { title: rest, version: '1.0' }
paths:
  /items:
    get:
      security: [{ api_key: [] }]
      responses: { '200': { description: ok } }
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: '200', responseTemplates: { application/json: '[]' } } }
components:
  securitySchemes:
    api_key: { type: apiKey, name: x-api-key, in: header }
`

const CREDENTIALED = `{ allowOrigins: ['${APP}'], allowMethods: [GET, POST], allowHeaders: [authorization, content-type], exposeHeaders: [x-request-id], maxAge: 600, allowCredentials: true }`

interface Setup {
  gw: GatewayServer
  /** Base URL of each API's stage: exact origin + credentials, `*`, `https://*`, REST. */
  url: { exact: string; star: string; https: string; rest: string }
  upstream: string
  /** Requests the upstream received, `METHOD /path`. */
  calls: string[]
}

let setup: Setup
const closers: (() => Promise<void> | void)[] = []

beforeAll(async () => {
  // A real backend that answers with its own CORS headers (the gateway must replace them, §11.2).
  const calls: string[] = []
  const backend = createServer((req, res) => {
    calls.push(`${req.method ?? ''} ${req.url ?? ''}`)
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': 'https://backend.example', 'access-control-max-age': '5', 'access-control-allow-methods': 'DELETE' })
    res.end(JSON.stringify({ method: req.method, url: req.url }))
  })
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r))
  closers.push(() => new Promise<void>((r) => backend.close(() => r())))
  const upstream = `http://127.0.0.1:${String((backend.address() as AddressInfo).port)}`

  const dir = mkdtempSync(join(tmpdir(), 'gw-cors-serve-'))
  closers.push(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'exact.yaml'), httpApi(upstream, CREDENTIALED))
  writeFileSync(join(dir, 'star.yaml'), httpApi(upstream, `{ allowOrigins: ['*'], allowMethods: [GET], allowHeaders: [content-type] }`))
  writeFileSync(join(dir, 'https.yaml'), httpApi(upstream, `{ allowOrigins: ['https://*'], allowMethods: [GET] }`))
  writeFileSync(join(dir, 'rest.yaml'), REST_OPENAPI)
  writeFileSync(
    join(dir, 'gw.config.yaml'),
    `apis:
  - { openapi: exact.yaml, name: exact, stages: { dev: {} } }
  - { openapi: star.yaml, name: star, stages: { dev: {} } }
  - { openapi: https.yaml, name: https, stages: { dev: {} } }
  - { openapi: rest.yaml, name: rest, cors: { allowOrigins: ['${APP}'] }, stages: { dev: {} } }
server: { port: 0 }
`
  )
  const gw = await serve({ config: join(dir, 'gw.config.yaml'), port: 0, env: {}, logger: silentLogger })
  closers.push(() => gw.close())
  const at = (api: string) => gw.endpoints.find((e) => e.api === api)?.url ?? ''
  setup = { gw, url: { exact: at('exact'), star: at('star'), https: at('https'), rest: at('rest') }, upstream, calls }
})

afterAll(async () => {
  for (const close of closers.reverse()) await close()
})

async function call(url: string, method: string, headers: Record<string, string> = {}) {
  const res = await request(url, { method, headers })
  const body = await res.body.text()
  return { status: res.statusCode, headers: res.headers, body }
}

const corsOf = (headers: Record<string, unknown>) => Object.fromEntries(Object.entries(headers).filter(([k]) => k.startsWith('access-control-')))
const preflight = (origin = APP, method = 'GET') => ({ origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization' })

describe('gw serve: CORS (aws-semantics §11) over real HTTP', () => {
  it('§11.2 preflight from an allowed origin: 204 with every allow header, credentials, Vary: Origin; never reaches the integration', async () => {
    const before = setup.calls.length
    const res = await call(`${setup.url.exact}/open`, 'OPTIONS', preflight())
    expect(res.status).toBe(204)
    expect(corsOf(res.headers)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '600'
    })
    expect(res.headers.vary).toBe('Origin')
    expect(res.body).toBe('')
    expect(setup.calls.length).toBe(before)
  })

  it('§11.2 preflight from an origin that is not allowed: 204 without any CORS header', async () => {
    const res = await call(`${setup.url.exact}/open`, 'OPTIONS', preflight('https://other.example.com'))
    expect(res.status).toBe(204)
    expect(corsOf(res.headers)).toEqual({})
    expect(res.headers.vary).toBe('Origin')
  })

  it('§11.2 allowOrigins "*": a preflight and an actual request are answered "*" whatever the origin, no Vary', async () => {
    const pre = await call(`${setup.url.star}/open`, 'OPTIONS', preflight('https://anyone.example.net'))
    expect(pre.status).toBe(204)
    expect(corsOf(pre.headers)).toEqual({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET', 'access-control-allow-headers': 'content-type' })
    expect(pre.headers.vary).toBeUndefined()
    const actual = await call(`${setup.url.star}/open`, 'GET', { origin: 'null' })
    expect(actual.status).toBe(200)
    expect(corsOf(actual.headers)).toEqual({ 'access-control-allow-origin': '*' })
  })

  it('§11.2 "https://*" admits any https origin and reflects it; http:// and null are refused', async () => {
    const ok = await call(`${setup.url.https}/open`, 'GET', { origin: 'https://shop.example.org:8443' })
    expect(ok.headers['access-control-allow-origin']).toBe('https://shop.example.org:8443')
    expect(String(ok.headers.vary)).toMatch(/Origin/)
    for (const origin of ['http://shop.example.org', 'null']) {
      const res = await call(`${setup.url.https}/open`, 'GET', { origin })
      expect(res.status).toBe(200)
      expect(corsOf(res.headers), origin).toEqual({})
    }
  })

  it('§11.2 preflight without a token on a JWT-protected GET route: 204, the authorizer and integration never run', async () => {
    // A local issuer (OIDC discovery + JWKS over HTTP) and a real RS256 token (jose); its own gw serve names the issuer.
    const key = await makeKey('k1')
    const issuer = await startIssuer([key])
    const token = () => new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: key.kid }).setIssuer(issuer.url).setAudience(TOKEN_AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(key.privateKey)
    const dir = mkdtempSync(join(tmpdir(), 'gw-cors-jwt-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'jwt.yaml'), httpApi(setup.upstream, CREDENTIALED, issuer.url))
    writeFileSync(join(dir, 'gw.config.yaml'), 'apis:\n  - { openapi: jwt.yaml, name: jwt, stages: { dev: {} } }\nserver: { port: 0 }\n')
    const gw = await serve({ config: join(dir, 'gw.config.yaml'), port: 0, env: {}, logger: silentLogger })
    onTestFinished(() => gw.close())
    const base = gw.urls[0] ?? ''
    const before = setup.calls.length
    const res = await call(`${base}/pets`, 'OPTIONS', preflight())
    expect(res.status).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe(APP)
    expect(res.headers['access-control-allow-methods']).toBe('GET,POST')
    expect(setup.calls.length).toBe(before)
    expect(issuer.hitsTo('/jwks.json')).toBe(0)
    // the route itself still needs its token: 401 (with the CORS headers, so the browser can read it), then 200
    const denied = await call(`${base}/pets`, 'GET', { origin: APP })
    expect([denied.status, denied.body]).toEqual([401, '{"message":"Unauthorized"}'])
    expect(denied.headers['access-control-allow-origin']).toBe(APP)
    const allowed = await call(`${base}/pets`, 'GET', { origin: APP, authorization: `Bearer ${await token()}` })
    expect(allowed.status).toBe(200)
    expect(allowed.headers['access-control-allow-origin']).toBe(APP)
  })

  it('§11.2 an explicit OPTIONS route takes the preflight itself: its integration answers, with the configured CORS headers', async () => {
    const before = setup.calls.length
    const res = await call(`${setup.url.exact}/explicit`, 'OPTIONS', preflight())
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual({ method: 'OPTIONS', url: '/explicit-options' })
    expect(setup.calls.slice(before)).toEqual(['OPTIONS /explicit-options'])
    // the route's answer is an actual response: configured headers replace the backend's (no max-age / allow-methods)
    expect(corsOf(res.headers)).toEqual({ 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'x-request-id' })
  })

  it('§11.2 actual request: the backend\'s CORS headers are overwritten by the configured ones', async () => {
    const res = await call(`${setup.url.exact}/open`, 'GET', { origin: APP })
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual({ method: 'GET', url: '/open' })
    expect(corsOf(res.headers)).toEqual({ 'access-control-allow-origin': APP, 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'x-request-id' })
    expect(res.headers.vary).toBe('Origin')
    // an origin that is not allowed still loses the backend's headers
    const other = await call(`${setup.url.exact}/open`, 'GET', { origin: 'https://other.example.com' })
    expect(corsOf(other.headers)).toEqual({})
  })

  it.each(['https://app.example.com.evil.net', 'https://evilapp.example.com', 'https://evil-app.example.com', 'http://app.example.com', 'null', 'https://APP.example.com', 'https://app.example.com:443', 'https://app.example.com/'])(
    '§11.2 look-alike origin %s is never reflected (preflight or actual)',
    async (origin) => {
      const pre = await call(`${setup.url.exact}/open`, 'OPTIONS', preflight(origin))
      expect(pre.status).toBe(204)
      expect(corsOf(pre.headers)).toEqual({})
      const actual = await call(`${setup.url.exact}/open`, 'GET', { origin })
      expect(actual.status).toBe(200)
      expect(corsOf(actual.headers)).toEqual({})
    }
  )

  it('§11.2 no Origin, no CORS headers from the gateway (the backend\'s own pass through); OPTIONS without Origin is not a preflight', async () => {
    const res = await call(`${setup.url.exact}/open`, 'GET')
    expect(res.status).toBe(200)
    expect(corsOf(res.headers)).toEqual({ 'access-control-allow-origin': 'https://backend.example', 'access-control-max-age': '5', 'access-control-allow-methods': 'DELETE' })
    expect(res.headers.vary).toBe('Origin')
    const mock = await call(`${setup.url.rest}/nope`, 'GET')
    expect(mock.status).toBe(403)
    const options = await call(`${setup.url.exact}/open`, 'OPTIONS', { 'access-control-request-method': 'GET' })
    expect(options.status).toBe(404)
    expect(options.body).toBe('{"message":"Not Found"}')
    expect(corsOf(options.headers)).toEqual({})
  })

  it('§11.1 REST cors: gateway responses (403 missing key, 403 unknown path) carry the CORS headers; the preflight is the generated OPTIONS MOCK', async () => {
    const key = await call(`${setup.url.rest}/items`, 'GET', { origin: APP })
    expect([key.status, key.body]).toEqual([403, '{"message":"Forbidden"}'])
    expect(key.headers['access-control-allow-origin']).toBe(APP)
    const missing = await call(`${setup.url.rest}/nope`, 'GET', { origin: APP })
    expect([missing.status, missing.body]).toEqual([403, '{"message":"Missing Authentication Token"}'])
    expect(missing.headers['access-control-allow-origin']).toBe(APP)
    const pre = await call(`${setup.url.rest}/items`, 'OPTIONS', preflight())
    expect(pre.status).toBe(200)
    expect(pre.headers['access-control-allow-origin']).toBe(APP)
    expect(pre.headers['access-control-allow-methods']).toBe('GET,OPTIONS')
  })
})
