import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import aws4 from 'aws4'
import { describe, expect, it, onTestFinished } from 'vitest'
import { cacheLookupChannel, silentLogger, type CacheLookupEvent } from '@gw/core'
import { createUsagePlans } from '@gw/usage-plans'
import { createGateway, type ApiDefinitionInput, type Gateway, type GatewayOptions, type IamCredentials } from '@gw/gateway'
import { tokenAuthorizer } from './serve.js'

// aws-semantics §7 (stage response cache) end to end: createGateway().listen(0) in front of a real upstream that
// counts the requests it answers, so "served from the cache" means "the upstream did not see it".

interface Upstream {
  url: string
  count: (path?: string) => number
}

async function upstream(): Promise<Upstream> {
  const seen: string[] = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x')
    seen.push(url.pathname)
    const n = seen.filter((p) => p === url.pathname).length
    const status = /^\/status\/(\d{3})$/.exec(url.pathname)?.[1]
    if (status !== undefined) {
      res.writeHead(Number(status), { 'content-type': 'application/json' })
      res.end(JSON.stringify({ n }))
      return
    }
    if (url.pathname === '/big' || url.pathname === '/edge') {
      // /big: one byte over §7's 1,048,576; /edge: a body that fits once the headers are stored beside it
      const size = url.pathname === '/big' ? 1_048_577 : 1_000_000
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size), 'x-n': String(n) })
      res.end(Buffer.alloc(size, n % 256))
      return
    }
    const reply = (): void => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes', 'set-cookie': ['a=1', 'b=2'] })
      res.end(JSON.stringify({ n, path: url.pathname, query: url.search, auth: req.headers.authorization ?? null, tenant: req.headers['x-tenant'] ?? null, method: req.method }))
    }
    if (url.pathname === '/slow') setTimeout(reply, 150)
    else reply()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count: (path) => (path === undefined ? seen.length : seen.filter((p) => p === path).length) }
}

async function serve(def: ApiDefinitionInput, options: GatewayOptions = {}): Promise<{ url: string; gw: Gateway }> {
  const gw = createGateway(def, { logger: silentLogger, ...options })
  onTestFinished(() => gw.close())
  const server = await gw.listen(0, '127.0.0.1')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, gw }
}

type Stage = Record<string, unknown>
const proxy = (up: Upstream, path: string, extra: Record<string, unknown> = {}) => ({ type: 'HTTP_PROXY' as const, httpMethod: 'ANY', uri: `${up.url}${path}`, ...extra })

function restApi(up: Upstream, stage: Stage = {}, integrationExtra: Record<string, unknown> = {}, methodExtra: Record<string, unknown> = {}): ApiDefinitionInput {
  const m = (path: string, extra: Record<string, unknown> = {}) => ({ integration: proxy(up, path, { ...integrationExtra, ...extra }), ...methodExtra })
  return {
    protocol: 'REST',
    id: 'cacheapi01',
    name: 'cached',
    stages: { prod: { cacheClusterEnabled: true, ...stage } },
    resources: {
      '/pets': { resourceMethods: { GET: m('/pets'), POST: m('/pets') } },
      '/slow': { resourceMethods: { GET: m('/slow') } },
      '/big': { resourceMethods: { GET: m('/big') } },
      '/edge': { resourceMethods: { GET: m('/edge') } },
      '/status/{code}': { resourceMethods: { GET: m('/status/{code}', { requestParameters: { 'integration.request.path.code': 'method.request.path.code' } }) } }
    }
  }
}

interface Answer {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
}

function send(base: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const target = new URL(base)
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path, method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1'), headers: res.headers }))
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

const n = (a: Answer): number => (JSON.parse(a.body) as { n: number }).n
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('§7 stage cache through createGateway().listen(0), counted at a real upstream', () => {
  it('§7 second GET is served from the cache: the upstream answers once; status, headers (set-cookie too) and body are the stored ones, request ids are fresh', async () => {
    const up = await upstream()
    const { url } = await serve(restApi(up))
    const first = await send(url, '/prod/pets')
    const second = await send(url, '/prod/pets')
    expect(up.count('/pets')).toBe(1)
    expect([second.status, second.body]).toEqual([200, first.body])
    expect(second.headers['x-upstream']).toBe('yes')
    expect(second.headers['content-type']).toBe('application/json')
    expect(second.headers['set-cookie']).toEqual(['a=1', 'b=2'])
    expect(second.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/)
    expect(second.headers['x-amzn-requestid']).not.toBe(first.headers['x-amzn-requestid'])
  })

  it('§7 no cacheClusterEnabled: nothing is cached', async () => {
    const up = await upstream()
    const { url } = await serve(restApi(up, { cacheClusterEnabled: false }))
    await send(url, '/prod/pets')
    await send(url, '/prod/pets')
    expect(up.count('/pets')).toBe(2)
  })

  it('§7 TTL: cacheTtlInSeconds 1 expires the entry; the next GET reaches the upstream', async () => {
    const up = await upstream()
    const { url } = await serve(restApi(up, { methodSettings: { '*/*': { cacheTtlInSeconds: 1 } } }))
    expect(n(await send(url, '/prod/pets'))).toBe(1)
    expect(n(await send(url, '/prod/pets'))).toBe(1)
    await sleep(1300)
    expect(n(await send(url, '/prod/pets'))).toBe(2)
    expect(up.count('/pets')).toBe(2)
  })

  it('§7 TTL 0 disables caching for the method (per-method cacheTtlInSeconds overrides */*)', async () => {
    const up = await upstream()
    const { url } = await serve(restApi(up, { methodSettings: { '*/*': { cacheTtlInSeconds: 600 }, '/pets/GET': { cacheTtlInSeconds: 0 } } }))
    for (let i = 0; i < 3; i++) await send(url, '/prod/pets')
    await send(url, '/prod/slow')
    await send(url, '/prod/slow')
    expect([up.count('/pets'), up.count('/slow')]).toEqual([3, 1])
  })

  it('§7 cacheKeyParameters: parameters outside the list share one entry, listed ones (query string, header) separate', async () => {
    const up = await upstream()
    const { url } = await serve(restApi(up, {}, { cacheKeyParameters: ['method.request.querystring.type', 'method.request.header.x-tenant'] }))
    const a = await send(url, '/prod/pets?type=admin&department=A', { headers: { 'x-tenant': 't1' } })
    const b = await send(url, '/prod/pets?type=admin&department=B', { headers: { 'x-tenant': 't1', 'x-other': 'z' } })
    expect(b.body).toBe(a.body)
    expect(up.count('/pets')).toBe(1)
    const c = await send(url, '/prod/pets?type=user&department=A', { headers: { 'x-tenant': 't1' } })
    const d = await send(url, '/prod/pets?type=admin&department=A', { headers: { 'x-tenant': 't2' } })
    expect(JSON.parse(c.body)).toMatchObject({ n: 2, query: '?type=user&department=A' })
    expect(JSON.parse(d.body)).toMatchObject({ n: 3, tenant: 't2' })
    expect(up.count('/pets')).toBe(3)
  })

  it('§7 path parameters as key parameters separate entries; without them every path value shares one', async () => {
    const up = await upstream()
    const keyed = await serve(restApi(up, {}, { cacheKeyParameters: ['method.request.path.code'] }))
    await send(keyed.url, '/prod/status/200')
    await send(keyed.url, '/prod/status/201')
    expect(up.count('/status/201')).toBe(1)
    const shared = await serve({ ...restApi(up), id: 'cacheapi02' })
    await send(shared.url, '/prod/status/202')
    const other = await send(shared.url, '/prod/status/203')
    expect(other.status).toBe(202)
    expect(up.count('/status/203')).toBe(0)
  })

  it('§7 only GET by default: POST is not cached even with */* cachingEnabled; a /pets/POST entry turns it on', async () => {
    const up = await upstream()
    const off = await serve(restApi(up, { methodSettings: { '*/*': { cachingEnabled: true } } }))
    await send(off.url, '/prod/pets', { method: 'POST', body: '{}' })
    await send(off.url, '/prod/pets', { method: 'POST', body: '{}' })
    expect(up.count('/pets')).toBe(2)
    const on = await serve({ ...restApi(up, { methodSettings: { '/pets/POST': { cachingEnabled: true } } }), id: 'cacheapi03' })
    const p1 = await send(on.url, '/prod/pets', { method: 'POST', body: '{}' })
    const p2 = await send(on.url, '/prod/pets', { method: 'POST', body: '{}' })
    expect(p2.body).toBe(p1.body)
    expect(up.count('/pets')).toBe(3)
    // GET and POST of one resource never share an entry (the method is part of the key)
    const g = await send(on.url, '/prod/pets')
    expect(JSON.parse(g.body)).toMatchObject({ method: 'GET', n: 4 })
  })

  it('§7 cachingEnabled false on GET turns its caching off', async () => {
    const up = await upstream()
    const { url } = await serve(restApi(up, { methodSettings: { '~1pets/GET': { cachingEnabled: false } } }))
    await send(url, '/prod/pets')
    await send(url, '/prod/pets')
    expect(up.count('/pets')).toBe(2)
  })

  it.each([404, 500, 503])('§7 a %i is not stored: every request reaches the upstream', async (code) => {
    const up = await upstream()
    const { url } = await serve(restApi(up, {}, { cacheKeyParameters: ['method.request.path.code'] }))
    const a = await send(url, `/prod/status/${code}`)
    const b = await send(url, `/prod/status/${code}`)
    expect([a.status, b.status]).toEqual([code, code])
    expect(up.count(`/status/${code}`)).toBe(2)
  })

  it('§7 a response over 1,048,576 bytes is not stored (and still reaches the client whole); a 1,000,000-byte one is', async () => {
    const up = await upstream()
    const { url } = await serve(restApi(up))
    const big1 = await send(url, '/prod/big')
    const big2 = await send(url, '/prod/big')
    expect([big1.body.length, big2.body.length]).toEqual([1_048_577, 1_048_577])
    expect(up.count('/big')).toBe(2)
    await send(url, '/prod/edge')
    const edge = await send(url, '/prod/edge')
    expect(edge.body.length).toBe(1_000_000)
    expect(up.count('/edge')).toBe(1)
  })

  it('§7 concurrent misses on one key call the integration once (single flight)', async () => {
    const up = await upstream()
    const { url } = await serve(restApi(up))
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(url, '/prod/slow')))
    expect(up.count('/slow')).toBe(1)
    expect(new Set(answers.map((a) => a.body)).size).toBe(1)
    expect(new Set(answers.map((a) => a.headers['x-amzn-requestid'])).size).toBe(20)
  })

  it('§7 FlushStageCache empties the stage: the next GET reaches the upstream', async () => {
    const up = await upstream()
    const { url, gw } = await serve(restApi(up))
    await send(url, '/prod/pets')
    await send(url, '/prod/pets')
    expect(up.count('/pets')).toBe(1)
    await gw.management.flushStageCache('prod')
    expect(n(await send(url, '/prod/pets'))).toBe(2)
    await expect(gw.management.flushStageCache('nope')).rejects.toMatchObject({ code: 'GW_STAGES_NOT_FOUND' })
  })

  it('§7 cacheNamespace groups related methods: two resources with one namespace share entries', async () => {
    const up = await upstream()
    const def = restApi(up) as { resources: Record<string, unknown> }
    def.resources = {
      '/a': { resourceMethods: { GET: { integration: proxy(up, '/pets', { cacheNamespace: 'shared' }) } } },
      '/b': { resourceMethods: { GET: { integration: proxy(up, '/pets', { cacheNamespace: 'shared' }) } } }
    }
    const { url } = await serve(def as ApiDefinitionInput)
    const a = await send(url, '/prod/a')
    const b = await send(url, '/prod/b')
    expect(b.body).toBe(a.body)
    expect(up.count('/pets')).toBe(1)
  })

  it('§7 §13.1 one cacheLookupChannel event per lookup of a cached method: miss, then hits; uncached methods publish nothing', async () => {
    const up = await upstream()
    const { url } = await serve(restApi(up))
    const events: { hit: boolean; path: string | undefined; stage: string | undefined }[] = []
    const listener = (message: unknown): void => {
      const e = message as CacheLookupEvent
      events.push({ hit: e.hit, path: e.ctx.resourcePath, stage: e.ctx.stage })
    }
    subscribe(cacheLookupChannel.name, listener)
    onTestFinished(() => {
      unsubscribe(cacheLookupChannel.name, listener)
    })
    await send(url, '/prod/pets')
    await send(url, '/prod/pets')
    await send(url, '/prod/pets', { method: 'POST', body: '{}' })
    expect(events).toEqual([
      { hit: false, path: '/pets', stage: 'prod' },
      { hit: true, path: '/pets', stage: 'prod' }
    ])
  })
})

describe('§7 Cache-Control: max-age=0 and requireAuthorizationForCacheControl (IAM callers, aws4 signatures)', () => {
  const ACCOUNT = '123456789012'
  const ADMIN = { accessKeyId: 'AKIAADMIN00000000001', secretAccessKey: 'admin-secret' }
  const USER = { accessKeyId: 'AKIAUSER000000000001', secretAccessKey: 'user-secret' }
  const keys = new Map<string, IamCredentials>([
    [ADMIN.accessKeyId, { secretAccessKey: ADMIN.secretAccessKey, principal: { arn: `arn:aws:iam::${ACCOUNT}:user/admin`, accountId: ACCOUNT }, policy: { Statement: [{ Effect: 'Allow', Action: ['execute-api:Invoke', 'execute-api:InvalidateCache'], Resource: '*' }] } }],
    [USER.accessKeyId, { secretAccessKey: USER.secretAccessKey, principal: { arn: `arn:aws:iam::${ACCOUNT}:user/user`, accountId: ACCOUNT }, policy: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] } }]
  ])
  const iam = { credentials: (id: string) => keys.get(id) }

  function signed(url: string, path: string, creds: typeof ADMIN, extra: Record<string, string> = {}): Record<string, string> {
    const host = new URL(url).host
    const req = { host, method: 'GET', path, service: 'execute-api', region: 'us-east-1', headers: { ...extra } as Record<string, string> }
    aws4.sign(req, creds)
    return { ...req.headers, Host: host }
  }

  const iamApi = (up: Upstream, setting: Record<string, unknown>): ApiDefinitionInput => restApi(up, { methodSettings: { '*/*': setting } }, {}, { authorizationType: 'AWS_IAM' })

  it('§7 without the requirement any caller refreshes: the entry is replaced by the fresh response', async () => {
    const up = await upstream()
    const { url } = await serve(restApi(up, { methodSettings: { '*/*': { requireAuthorizationForCacheControl: false } } }))
    expect(n(await send(url, '/prod/pets'))).toBe(1)
    expect(n(await send(url, '/prod/pets', { headers: { 'cache-control': 'max-age=0' } }))).toBe(2)
    expect(n(await send(url, '/prod/pets'))).toBe(2)
    expect(up.count('/pets')).toBe(2)
  })

  it('§7 with the requirement, a caller allowed execute-api:InvalidateCache refreshes the entry', async () => {
    const up = await upstream()
    const { url } = await serve(iamApi(up, { requireAuthorizationForCacheControl: true }), { iam })
    expect(n(await send(url, '/prod/pets', { headers: signed(url, '/prod/pets', USER) }))).toBe(1)
    expect(n(await send(url, '/prod/pets', { headers: signed(url, '/prod/pets', ADMIN, { 'cache-control': 'max-age=0' }) }))).toBe(2)
    expect(n(await send(url, '/prod/pets', { headers: signed(url, '/prod/pets', USER) }))).toBe(2)
  })

  it.each([
    { strategy: 'FAIL_WITH_403', status: 403, warning: undefined, served: undefined },
    { strategy: 'SUCCEED_WITH_RESPONSE_HEADER', status: 200, warning: '199 - "Cache-Control header ignored: not authorized"', served: 1 },
    { strategy: 'SUCCEED_WITHOUT_RESPONSE_HEADER', status: 200, warning: undefined, served: 1 }
  ])('§7 unauthorized max-age=0 under $strategy', async ({ strategy, status, warning, served }) => {
    const up = await upstream()
    const { url } = await serve(iamApi(up, { requireAuthorizationForCacheControl: true, unauthorizedCacheControlHeaderStrategy: strategy }), { iam })
    await send(url, '/prod/pets', { headers: signed(url, '/prod/pets', USER) })
    const res = await send(url, '/prod/pets', { headers: signed(url, '/prod/pets', USER, { 'cache-control': 'max-age=0' }) })
    expect(res.status).toBe(status)
    expect(res.headers['warning']).toBe(warning)
    if (served !== undefined) expect(n(res)).toBe(served)
    else expect(JSON.parse(res.body)).toEqual({ message: 'User is not authorized to perform: execute-api:InvalidateCache' })
    // the entry was not replaced and the upstream saw one request
    expect(up.count('/pets')).toBe(1)
  })

  it('§7 requirement on by default: an anonymous max-age=0 is ignored with the warning header', async () => {
    const up = await upstream()
    const { url } = await serve(restApi(up))
    await send(url, '/prod/pets')
    const res = await send(url, '/prod/pets', { headers: { 'cache-control': 'no-transform, max-age=0' } })
    expect([n(res), res.headers['warning']]).toEqual([1, '199 - "Cache-Control header ignored: not authorized"'])
    expect(up.count('/pets')).toBe(1)
  })
})

describe('§7 the cache sits after throttling, authorizers and API keys (§0.1): they run on every hit', () => {
  /** TOKEN authorizer: "allow-<who>" → Allow as <who>, "deny" → Deny. */
  const tokenFn = (event: unknown): Promise<unknown> => {
    const e = event as { authorizationToken: string; methodArn: string }
    const allow = e.authorizationToken.startsWith('allow-')
    return Promise.resolve({
      principalId: allow ? e.authorizationToken.slice(6) : 'nobody',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: allow ? 'Allow' : 'Deny', Resource: e.methodArn }] }
    })
  }
  const authApi = (up: Upstream, keyParameters: string[]): ApiDefinitionInput =>
    ({
      ...restApi(up, {}, { cacheKeyParameters: keyParameters }, { authorizationType: 'CUSTOM', authorizerId: 'tok' }),
      authorizers: { tok: tokenAuthorizer(300) }
    })

  it('§7 §10.2 an authorizer still denies on a hit: the entry exists, the denied caller gets 403 and not the body', async () => {
    const up = await upstream()
    const { url } = await serve(authApi(up, []), { integrations: { lambda: { tokenFn } } })
    expect((await send(url, '/prod/pets', { headers: { authorization: 'allow-alice' } })).status).toBe(200)
    expect((await send(url, '/prod/pets', { headers: { authorization: 'allow-alice' } })).status).toBe(200)
    const denied = await send(url, '/prod/pets', { headers: { authorization: 'deny' } })
    expect(denied.status).toBe(403)
    expect(denied.body).toBe('{"Message":"User is not authorized to access this resource with an explicit deny"}')
    expect((await send(url, '/prod/pets')).status).toBe(401)
    expect(up.count('/pets')).toBe(1)
  })

  it("§7 the authorizer's identity as a key parameter: one principal is never served another's response", async () => {
    const up = await upstream()
    const { url } = await serve(authApi(up, ['method.request.header.Authorization']), { integrations: { lambda: { tokenFn } } })
    const alice = await send(url, '/prod/pets', { headers: { authorization: 'allow-alice' } })
    const bob = await send(url, '/prod/pets', { headers: { authorization: 'allow-bob' } })
    const alice2 = await send(url, '/prod/pets', { headers: { authorization: 'allow-alice' } })
    const bob2 = await send(url, '/prod/pets', { headers: { authorization: 'allow-bob' } })
    expect(JSON.parse(alice.body)).toMatchObject({ auth: 'allow-alice' })
    expect(JSON.parse(bob.body)).toMatchObject({ auth: 'allow-bob' })
    expect([alice2.body, bob2.body]).toEqual([alice.body, bob.body])
    expect(up.count('/pets')).toBe(2)
  })

  it('§7 §8.1 a method throttle still answers 429 on hits', async () => {
    const up = await upstream()
    const { url } = await serve(restApi(up, { methodSettings: { '*/*': { throttlingRateLimit: 0.001, throttlingBurstLimit: 2 } } }))
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await send(url, '/prod/pets')).status)
    expect(statuses).toEqual([200, 200, 429])
    expect(up.count('/pets')).toBe(1)
  })

  it('§7 §9.2 API keys and quotas still run on hits: no key → 403, the quota ends in 429 while the entry exists', async () => {
    const up = await upstream()
    const plans = createUsagePlans({ usagePlans: [{ id: 'basic', name: 'Basic', apiStages: [{ apiId: 'cacheapi01', stage: 'prod' }], quota: { limit: 3, period: 'DAY' } }] })
    plans.createApiKey({ name: 'alice', value: 'alice-key-0123456789abcdef', usagePlanIds: ['basic'] })
    const { url } = await serve(restApi(up, {}, {}, { apiKeyRequired: true }), { usagePlans: plans })
    const key = { 'x-api-key': 'alice-key-0123456789abcdef' }
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await send(url, '/prod/pets', { headers: key })).status)
    const missing = await send(url, '/prod/pets')
    expect(statuses).toEqual([200, 200, 200, 429])
    expect([missing.status, missing.body]).toEqual([403, '{"message":"Forbidden"}'])
    expect(up.count('/pets')).toBe(1)
  })

  it('§7 FlushStageAuthorizersCache: the authorizer is invoked again after the flush', async () => {
    const up = await upstream()
    let calls = 0
    const counting = (event: unknown): Promise<unknown> => {
      calls++
      return tokenFn(event)
    }
    const { url, gw } = await serve(authApi(up, []), { integrations: { lambda: { tokenFn: counting } } })
    await send(url, '/prod/pets', { headers: { authorization: 'allow-alice' } })
    await send(url, '/prod/pets', { headers: { authorization: 'allow-alice' } })
    expect(calls).toBe(1)
    await gw.management.flushStageAuthorizersCache('prod')
    await send(url, '/prod/pets', { headers: { authorization: 'allow-alice' } })
    expect(calls).toBe(2)
  })
})

describe('§7 §6.4 canary deployments and useStageCache', () => {
  async function canaryGateway(useStageCache: boolean): Promise<{ url: string; gw: Gateway; up: Upstream }> {
    const up = await upstream()
    const { url, gw } = await serve(restApi(up))
    // The canary deployment answers from another upstream path, so whose response was served is visible.
    const canaryDef = restApi(up) as { resources: Record<string, unknown> }
    canaryDef.resources = { ...canaryDef.resources, '/pets': { resourceMethods: { GET: { integration: proxy(up, '/canary-pets') } } } }
    gw.management.putDefinition(canaryDef as ApiDefinitionInput)
    gw.management.createDeployment({ stageName: 'prod', canarySettings: { percentTraffic: 0, useStageCache } })
    return { url, gw, up }
  }

  it('§6.4 useStageCache false: the canary keeps its own entries (its first request reaches its upstream)', async () => {
    const { url, gw, up } = await canaryGateway(false)
    const stage = await send(url, '/prod/pets')
    expect(JSON.parse(stage.body)).toMatchObject({ path: '/pets' })
    gw.management.updateStage('prod', { canarySettings: { percentTraffic: 100 } })
    const c1 = await send(url, '/prod/pets')
    const c2 = await send(url, '/prod/pets')
    expect(JSON.parse(c1.body)).toMatchObject({ path: '/canary-pets' })
    expect(c2.body).toBe(c1.body)
    expect([up.count('/pets'), up.count('/canary-pets')]).toEqual([1, 1])
  })

  it('§6.4 useStageCache true: canary requests are answered from the stage cache', async () => {
    const { url, gw, up } = await canaryGateway(true)
    const stage = await send(url, '/prod/pets')
    gw.management.updateStage('prod', { canarySettings: { percentTraffic: 100 } })
    const c = await send(url, '/prod/pets')
    expect(c.body).toBe(stage.body)
    expect(up.count('/canary-pets')).toBe(0)
  })
})
