import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { GwError } from '@gw/core'
import { exportSPKI } from 'jose'
import { describe, expect, it, onTestFinished } from 'vitest'
import { jwtAuthorizer, JwtVerifier, type JwtAuthorizerOptions } from '@gw/authorizers'
import { call, serve } from './helpers.js'
import { b64, makeKey, sign, startIssuer, type Issuer, type TestKey } from './jwks-server.js'

const now = (): number => Math.floor(Date.now() / 1000)

async function setup(options: Partial<JwtAuthorizerOptions> = {}): Promise<{ issuer: Issuer; key: TestKey; url: string }> {
  const key = await makeKey('k1')
  const issuer = await startIssuer([key])
  const url = await serve(jwtAuthorizer({ issuer: issuer.url, audience: ['my-api'], ...options }), { flavour: 'HTTP', routeKey: 'GET /pets' })
  return { issuer, key, url }
}

const auth = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } })

describe('JWT authorizer (§10.7) with a real JWKS on a local server', () => {
  it('§10.7 valid token → 200; claims stringified (arrays "[a b]", §18.31), scopes listed', async () => {
    const { issuer, key, url } = await setup()
    const exp = now() + 600
    const token = await sign(key, { iss: issuer.url, aud: ['my-api', 'other'], sub: 'u1', exp, scope: 'read write', n: 1.5, admin: true })
    const res = await call(`${url}/pets`, auth(token))
    expect(res.status).toBe(200)
    expect(res.json.authorizer).toEqual({
      jwt: { claims: { iss: issuer.url, aud: '[my-api other]', sub: 'u1', exp: String(exp), scope: 'read write', n: '1.5', admin: 'true' }, scopes: ['read', 'write'] }
    })
    expect(issuer.hitsTo('/.well-known/openid-configuration')).toBe(1)
    expect(issuer.hitsTo('/jwks.json')).toBe(1)
  })

  it('§10.7 the bare token (no Bearer) is accepted too', async () => {
    const { issuer, key, url } = await setup()
    const token = await sign(key, { iss: issuer.url, aud: 'my-api', exp: now() + 60 })
    expect((await call(`${url}/pets`, { headers: { authorization: token } })).status).toBe(200)
  })

  it('§18.32 the identity source is honoured: a token in the query string', async () => {
    const { issuer, key, url } = await setup({ identitySource: '$request.querystring.access_token' })
    const token = await sign(key, { iss: issuer.url, aud: 'my-api', exp: now() + 60 })
    expect((await call(`${url}/pets?access_token=${token}`)).status).toBe(200)
    expect((await call(`${url}/pets`, auth(token))).status).toBe(401)
  })

  it('§10.7 client_id counts only when aud is absent', async () => {
    const { issuer, key, url } = await setup()
    expect((await call(`${url}/pets`, auth(await sign(key, { iss: issuer.url, client_id: 'my-api', exp: now() + 60 })))).status).toBe(200)
    expect((await call(`${url}/pets`, auth(await sign(key, { iss: issuer.url, aud: 'x', client_id: 'my-api', exp: now() + 60 })))).status).toBe(401)
  })

  it.each<[string, (ctx: { issuer: Issuer; key: TestKey }) => Promise<string>, string]>([
    ['§10.7 attack: alg none', async ({ issuer }) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: issuer.url, aud: 'my-api', exp: now() + 60 })}.`, 'signing method none is invalid'],
    [
      '§10.7 attack: HS256 signed with the RSA public key',
      async ({ issuer, key }) => {
        const pem = await exportSPKI(key.publicKey)
        const head = `${b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' })}.${b64({ iss: issuer.url, aud: 'my-api', exp: now() + 60 })}`
        return `${head}.${createHmac('sha256', pem).update(head).digest('base64url')}`
      },
      'signing method HS256 is invalid'
    ],
    ['§10.7 no kid in the header', async ({ issuer, key }) => sign(key, { iss: issuer.url, aud: 'my-api', exp: now() + 60 }, { kid: undefined }), 'the token has no kid'],
    ['§10.7 attack: expired', ({ issuer, key }) => sign(key, { iss: issuer.url, aud: 'my-api', exp: now() - 60 }), 'the token has expired'],
    ['§10.7 attack: not yet valid (nbf)', ({ issuer, key }) => sign(key, { iss: issuer.url, aud: 'my-api', exp: now() + 600, nbf: now() + 60 }), 'the token is not valid yet'],
    ['§10.7 iat in the future', ({ issuer, key }) => sign(key, { iss: issuer.url, aud: 'my-api', exp: now() + 600, iat: now() + 60 }), 'the token was issued in the future'],
    ['§10.7 attack: wrong issuer', ({ key }) => sign(key, { iss: 'https://evil.example.com', aud: 'my-api', exp: now() + 60 }), 'the token does not have a valid issuer'],
    ['§10.7 issuer must match exactly (trailing slash)', ({ issuer, key }) => sign(key, { iss: `${issuer.url}/`, aud: 'my-api', exp: now() + 60 }), 'the token does not have a valid issuer'],
    ['§10.7 attack: wrong audience', ({ issuer, key }) => sign(key, { iss: issuer.url, aud: 'other-api', exp: now() + 60 }), 'the token does not have a valid audience'],
    ['§10.7 no exp', ({ issuer, key }) => sign(key, { iss: issuer.url, aud: 'my-api' }), 'the token has an invalid exp claim'],
    [
      '§10.7 tampered payload',
      async ({ issuer, key }) => {
        const [h, , s] = (await sign(key, { iss: issuer.url, aud: 'my-api', exp: now() + 60 })).split('.')
        return `${h as string}.${b64({ iss: issuer.url, aud: 'my-api', exp: now() + 60, admin: true })}.${s as string}`
      },
      'signature is invalid'
    ],
    ['§10.7 garbage', async () => 'not.a.jwt', 'the token is malformed']
  ])('%s → 401 with www-authenticate', async (_name, make, description) => {
    const { issuer, key, url } = await setup()
    const res = await call(`${url}/pets`, auth(await make({ issuer, key })))
    expect(res.status).toBe(401)
    expect(res.body).toBe('{"message":"Unauthorized"}')
    expect(res.headers.get('www-authenticate')).toBe(`Bearer scope="" error="invalid_token" error_description="${description}"`)
  })

  it('§10.7 missing token → 401', async () => {
    const { url } = await setup()
    const res = await call(`${url}/pets`)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('§10.7 attack: unknown-kid flood fetches the issuer at most once per cooldown', async () => {
    const { issuer, key, url } = await setup()
    expect((await call(`${url}/pets`, auth(await sign(key, { iss: issuer.url, aud: 'my-api', exp: now() + 60 })))).status).toBe(200)
    const attacker = await makeKey('evil', 'attacker')
    const flood = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => call(`${url}/pets`, auth(await sign({ ...attacker, kid: `random-${i}` }, { iss: issuer.url, aud: 'my-api', exp: now() + 60 }))))
    )
    expect(flood.every((r) => r.status === 401)).toBe(true)
    expect(issuer.hitsTo('/jwks.json')).toBe(1)
    expect(issuer.hitsTo('/.well-known/openid-configuration')).toBe(1)
  })

  it('§10.7 a new kid after the cooldown refetches the JWKS once (key rotation)', async () => {
    const { issuer, key, url } = await setup({ jwksCooldownMs: 150 })
    expect((await call(`${url}/pets`, auth(await sign(key, { iss: issuer.url, aud: 'my-api', exp: now() + 60 })))).status).toBe(200)
    const rotated = await makeKey('k2')
    issuer.keys.push(rotated)
    await new Promise((r) => setTimeout(r, 200))
    const token = await sign(rotated, { iss: issuer.url, aud: 'my-api', exp: now() + 60 })
    expect((await call(`${url}/pets`, auth(token))).status).toBe(200)
    expect(issuer.hitsTo('/jwks.json')).toBe(2)
  })

  it('§10.7 attack: jku / x5u headers are never fetched', async () => {
    let attackerHits = 0
    const evil = createServer((_req, res) => {
      attackerHits++
      res.end('{"keys":[]}')
    })
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => new Promise<void>((resolve) => evil.close(() => resolve())))
    const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/jwks.json`
    const { issuer, url } = await setup()
    const attacker = await makeKey('k1', 'attacker')
    const token = await sign(attacker, { iss: issuer.url, aud: 'my-api', exp: now() + 60 }, { jku: evilUrl, x5u: evilUrl })
    const res = await call(`${url}/pets`, auth(token))
    expect(res.status).toBe(401)
    expect(attackerHits).toBe(0)
  })

  it.each<[string, Record<string, unknown>, number]>([
    ['§10.7 scope claim contains a required scope', { scope: 'pets:read other' }, 200],
    ['§10.7 scp array contains a required scope', { scp: ['pets:read'] }, 200],
    ['§10.7 no scope claim', {}, 403],
    ['§10.7 wrong scope', { scope: 'pets:write' }, 403]
  ])('%s', async (_name, claims, status) => {
    const { issuer, key, url } = await setup({ routeScopes: { 'GET /pets': ['pets:read'] } })
    const res = await call(`${url}/pets`, auth(await sign(key, { iss: issuer.url, aud: 'my-api', exp: now() + 60, ...claims })))
    expect(res.status).toBe(status)
    if (status === 403) {
      expect(res.body).toBe('{"message":"Forbidden"}')
      expect(res.headers.get('www-authenticate')).toBe('Bearer scope="pets:read" error="insufficient_scope" error_description="the token does not have the required scopes"')
    }
  })

  it.each<[string, Record<string, unknown>]>([
    ['§10.7 no audience', { audience: [] }],
    ['§10.7 more than 50 audiences', { audience: Array.from({ length: 51 }, (_, i) => `a${i}`) }],
    ['§10.7 HS256 cannot be allowed', { algorithms: ['HS256'] }],
    ['§10.7 none cannot be allowed', { algorithms: ['none'] }],
    ['§10.7 more than 10 scopes', { authorizationScopes: Array.from({ length: 11 }, (_, i) => `s${i}`) }],
    ['issuer not a URL', { issuer: 'nope' }]
  ])('options refused: %s', (_name, extra) => {
    const build = (): unknown => jwtAuthorizer({ issuer: 'https://issuer.example.com', audience: ['a'], ...extra })
    expect(build).toThrow(GwError)
    expect(build).toThrow(/jwtAuthorizer: invalid options/)
  })
})

/** A verifier over one local key that counts key lookups (one per real verification). */
async function countingVerifier(clock: () => number): Promise<{ verifier: JwtVerifier; key: TestKey; lookups: () => number }> {
  const key = await makeKey('k1')
  let lookups = 0
  const verifier = new JwtVerifier({
    keySets: new Map([['https://iss', () => (lookups++, Promise.resolve(key.publicKey))]]),
    audience: new Set(['a']),
    algorithms: ['RS256'],
    clockSkewSec: 0,
    cacheMax: 10,
    now: clock
  })
  return { verifier, key, lookups: () => lookups }
}

describe('verified-token cache (§10.7: the hot path does not re-verify)', () => {
  it('a verified token is answered from the cache until exp, then re-verified', async () => {
    let clock = Date.now()
    const { verifier, key, lookups } = await countingVerifier(() => clock)
    const exp = Math.floor(clock / 1000) + 30
    const token = await sign(key, { iss: 'https://iss', aud: 'a', exp })
    expect(await verifier.verify(token)).toMatchObject({ ok: true })
    const second = verifier.verify(token)
    expect(second).not.toBeInstanceOf(Promise)
    expect(second).toMatchObject({ ok: true })
    expect(lookups()).toBe(1)
    clock = exp * 1000 + 1
    expect(await verifier.verify(token)).toEqual({ ok: false, description: 'the token has expired' })
  })

  it('failures are not cached', async () => {
    const { verifier, key, lookups } = await countingVerifier(Date.now)
    const token = await sign(key, { iss: 'https://iss', aud: 'b', exp: now() + 60 })
    expect(await verifier.verify(token)).toMatchObject({ ok: false })
    expect(await verifier.verify(token)).toMatchObject({ ok: false })
    expect(lookups()).toBe(2)
  })
})
