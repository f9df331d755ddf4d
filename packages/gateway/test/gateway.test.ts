import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { silentLogger, toFetchHandler, type Middleware } from '@gw/core'
import { createGateway, type ApiDefinitionInput, type Gateway, type SlotFactory } from '@gw/gateway'
import { createUsagePlans } from '@gw/usage-plans'
import { SignJWT, exportJWK, generateKeyPair } from 'jose'

const gateways: Gateway[] = []
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()))
})

async function start(def: ApiDefinitionInput, options: Parameters<typeof createGateway>[1] = {}): Promise<{ gw: Gateway; url: string }> {
  const gw = createGateway(def, { logger: silentLogger, ...options })
  gateways.push(gw)
  const server = await gw.listen(0, '127.0.0.1')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return { gw, url: `http://127.0.0.1:${String(address.port)}` }
}

const mock = (body: string, status = 200) => ({
  type: 'MOCK' as const,
  requestTemplates: { 'application/json': `{"statusCode": ${String(status)}}` },
  responses: { default: { statusCode: String(status), responseTemplates: { 'application/json': body }, responseParameters: { 'method.response.header.X-Mock': "'yes'" } } }
})

const petsApi: ApiDefinitionInput = {
  protocol: 'REST',
  name: 'pets',
  stages: { prod: { variables: { color: 'blue' } } },
  resources: {
    '/': { resourceMethods: { GET: { integration: mock('{"root":true}') } } },
    '/pets': { resourceMethods: { GET: { integration: mock('[{"id":1}]') } } },
    '/pets/{id}': { resourceMethods: { ANY: { integration: mock('{"pet":true}') } } }
  }
}

/** A user-provided integration slot (the seam @gw/integrations plugs into) that reports what the request ran on. */
const reportSlot: SlotFactory = (input) => (ctx) => {
  ctx.json({ stage: ctx.stage, deploymentId: ctx.deploymentId, canary: ctx.isCanaryRequest, variables: ctx.stageVariables, route: input.routeKey, params: ctx.pathParameters })
}

describe('createGateway: REST API over real HTTP (§0.1)', () => {
  it.each([
    ['§1.1 stage + resource → MOCK response with §12.5 headers', 'GET', '/prod/pets', 200, '[{"id":1}]'],
    ['§1.2 root resource', 'GET', '/prod', 200, '{"root":true}'],
    ['§1.2 ANY {param}', 'DELETE', '/prod/pets/7', 200, '{"pet":true}'],
    ['§0.1 unknown stage → 403 Forbidden', 'GET', '/dev/pets', 403, '{"message":"Forbidden"}'],
    ['§1.2 unknown resource → 403 Missing Authentication Token', 'GET', '/prod/cats', 403, '{"message":"Missing Authentication Token"}'],
    ['§1.2 method not defined → 403 Missing Authentication Token', 'POST', '/prod/pets', 403, '{"message":"Missing Authentication Token"}']
  ])('%s', async (_name, method, path, status, body) => {
    const { url } = await start(petsApi)
    const res = await fetch(url + path, { method })
    expect(res.status).toBe(status)
    expect(await res.text()).toBe(body)
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.headers.get('x-amz-apigw-id')).toBeTruthy()
    if (status === 200) expect(res.headers.get('x-mock')).toBe('yes')
  })

  it('handler is a plain middleware: the same gateway through core\'s fetch adapter', async () => {
    const gw = createGateway(petsApi, { logger: silentLogger })
    gateways.push(gw)
    const fetchHandler = toFetchHandler(gw.handler)
    const ok = await fetchHandler(new Request('http://gw.test/prod/pets'))
    expect(ok.status).toBe(200)
    expect(await ok.text()).toBe('[{"id":1}]')
    const miss = await fetchHandler(new Request('http://gw.test/prod/nope'))
    expect(miss.status).toBe(403)
    expect(miss.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
  })

  it('§12.2 customized gateway responses of the deployment apply', async () => {
    const { url } = await start({ ...petsApi, gatewayResponses: { MISSING_AUTHENTICATION_TOKEN: { statusCode: 404, responseTemplates: { 'application/json': '{"error":$context.error.messageString,"stage":"$context.stage"}' } } } })
    const res = await fetch(`${url}/prod/nope`)
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: 'Missing Authentication Token', stage: 'prod' })
  })

  it('§8.1 methodSettings throttle the method (default throttle slot, @gw/throttler)', async () => {
    const { url } = await start({ ...petsApi, stages: { prod: { methodSettings: { '/pets/GET': { throttlingRateLimit: 0.001, throttlingBurstLimit: 1 } } } } })
    expect((await fetch(`${url}/prod/pets`)).status).toBe(200)
    const limited = await fetch(`${url}/prod/pets`)
    expect(limited.status).toBe(429)
    expect(await limited.json()).toEqual({ message: 'Too Many Requests' })
    expect((await fetch(`${url}/prod/pets/1`)).status).toBe(200) // other method: own limits (none)
  })

  it('§0.1 per-method chain runs slots in order: throttle, authorization, apiKey, validation, cache, integration', async () => {
    const seen: string[] = []
    const step = (name: string): SlotFactory => () => async (_ctx, next) => {
      seen.push(name)
      await next()
    }
    const { url } = await start(
      { ...petsApi, resources: { '/x': { resourceMethods: { GET: { authorizationType: 'CUSTOM', authorizerId: 'auth', apiKeyRequired: true, requestValidatorId: 'all', integration: { type: 'HTTP_PROXY', uri: 'http://127.0.0.1:1/x' } } } } }, authorizers: { auth: { type: 'TOKEN' } }, requestValidators: { all: { validateRequestBody: true, validateRequestParameters: true } } },
      {
        slots: {
          throttle: step('throttle'),
          authorization: step('authorization'),
          apiKey: step('apiKey'),
          validation: step('validation'),
          cache: step('cache'),
          integration: (input) => (ctx) => {
            seen.push(`integration:${input.integration?.type ?? ''}:${input.authorizer?.type ?? ''}`)
            ctx.json({ ok: true })
          }
        }
      }
    )
    expect((await fetch(`${url}/prod/x`)).status).toBe(200)
    expect(seen).toEqual(['throttle', 'authorization', 'apiKey', 'validation', 'cache', 'integration:HTTP_PROXY:TOKEN'])
  })
})

describe('createGateway: default apiKey slot (@gw/usage-plans)', () => {
  it.each([
    ['§9.2 no key → 403 Forbidden', undefined, 403, '{"message":"Forbidden"}'],
    ['§9.2 unknown key → 403 Forbidden', 'not-a-key', 403, '{"message":"Forbidden"}'],
    ['§9.2 valid key attached to this api+stage → integration', 'VALID', 200, '[{"id":1}]']
  ])('%s', async (_name, key, status, body) => {
    const plans = createUsagePlans({ usagePlans: [{ id: 'basic', name: 'Basic', apiStages: [{ apiId: 'petsapi01', stage: 'prod' }] }] })
    const { value } = plans.createApiKey({ name: 'alice', usagePlanIds: ['basic'] })
    const def = { ...petsApi, id: 'petsapi01', resources: { '/pets': { resourceMethods: { GET: { apiKeyRequired: true, integration: mock('[{"id":1}]') } } } } } as ApiDefinitionInput
    const { url } = await start(def, { usagePlans: plans })
    const headers: Record<string, string> = key === undefined ? {} : { 'x-api-key': key === 'VALID' ? value : key }
    const res = await fetch(`${url}/prod/pets`, { headers })
    expect(res.status).toBe(status)
    expect(await res.text()).toBe(body)
  })
})

describe('createGateway: default integration slot (@gw/integrations)', () => {
  it('§6.3 HTTP_PROXY with ${stageVariables.x} in the URI reaches a real upstream; canary overrides change the target', async () => {
    const upstream = createServer((req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ upstream: req.headers['x-upstream-name'] ?? null, url: req.url }))
    })
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r))
    onTestFinished(() => new Promise<void>((r) => upstream.close(() => r())))
    const port = String((upstream.address() as AddressInfo).port)
    const { gw, url } = await start({
      protocol: 'REST',
      name: 'proxy',
      stages: { prod: { variables: { host: `127.0.0.1:${port}`, base: 'stable' } } },
      resources: { '/{proxy+}': { resourceMethods: { ANY: { requestParameters: { 'method.request.path.proxy': true }, integration: { type: 'HTTP_PROXY', httpMethod: 'ANY', uri: 'http://${stageVariables.host}/${stageVariables.base}/{proxy}', requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' } } } } } }
    })
    const stable = await fetch(`${url}/prod/a/b`)
    expect(stable.status).toBe(200)
    expect(await stable.json()).toMatchObject({ url: '/stable/a/b' })
    gw.management.createDeployment({ stageName: 'prod', canarySettings: { percentTraffic: 100, stageVariableOverrides: { base: 'next' } } })
    expect(await (await fetch(`${url}/prod/a/b`)).json()).toMatchObject({ url: '/next/a/b' })
  })
})

describe('createGateway: default JWT authorization slot (@gw/authorizers, §10.7)', () => {
  it('HTTP API JWT routes: 401 without a token, 403 without the route scope, 200 with a valid token', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256')
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
    const idp = createServer((req, res) => {
      res.setHeader('content-type', 'application/json')
      if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }))
      else res.end(JSON.stringify({ keys: [jwk] }))
    })
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r))
    onTestFinished(() => new Promise<void>((r) => idp.close(() => r())))
    const issuer = `http://127.0.0.1:${String((idp.address() as AddressInfo).port)}`
    const token = (scope: string) => new SignJWT({ scope }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience('pets-api').setIssuedAt().setExpirationTime('5m').sign(privateKey)
    const { url } = await start(
      {
        protocol: 'HTTP',
        name: 'h',
        authorizers: { jwt: { type: 'JWT', identitySource: ['$request.header.Authorization'], jwtConfiguration: { issuer, audience: ['pets-api'] } } },
        routes: { 'GET /pets': { authorizationType: 'JWT', authorizerId: 'jwt', authorizationScopes: ['pets:read'], integrationId: 'r' } },
        integrations: { r: { type: 'HTTP_PROXY', uri: 'http://127.0.0.1:1' } }
      },
      { slots: { integration: () => (ctx) => ctx.json({ sub: ctx.authorizer === undefined ? null : 'ok' }) } }
    )
    const none = await fetch(`${url}/pets`)
    expect(none.status).toBe(401)
    expect(await none.text()).toBe('{"message":"Unauthorized"}')
    const wrongScope = await fetch(`${url}/pets`, { headers: { authorization: `Bearer ${await token('pets:write')}` } })
    expect(wrongScope.status).toBe(403)
    const ok = await fetch(`${url}/pets`, { headers: { authorization: `Bearer ${await token('pets:read')}` } })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ sub: 'ok' })
  })
})

describe('createGateway: HTTP API (§0.2)', () => {
  const httpApi: ApiDefinitionInput = {
    protocol: 'HTTP',
    name: 'h',
    routes: { 'GET /pets/{id}': { integrationId: 'report' }, $default: { integrationId: 'report' } },
    integrations: { report: { type: 'HTTP_PROXY', uri: 'http://127.0.0.1:1', payloadFormatVersion: '2.0' } }
  }

  it.each([
    ['§1.1 $default stage created when none is defined; route key set', '/pets/a%20b', 200, { route: 'GET /pets/{id}', params: { id: 'a b' }, stage: '$default' }],
    ['§1.3 $default route', '/other', 200, { route: '$default', params: null, stage: '$default' }]
  ])('%s', async (_name, path, status, expected) => {
    const { url } = await start(httpApi, { slots: { integration: reportSlot } })
    const res = await fetch(url + path)
    expect(res.status).toBe(status)
    expect(await res.json()).toMatchObject(expected)
    expect(res.headers.get('apigw-requestid')).toBeTruthy()
    expect(res.headers.get('x-amzn-requestid')).toBeNull()
  })

  it('§0.2 no stage and no $default → 404 Not Found; no route → 404', async () => {
    const { url } = await start({ protocol: 'HTTP', name: 'h', stages: { dev: {} }, routes: { 'GET /a': { integration: { type: 'HTTP_PROXY', uri: 'http://x' } } } }, { slots: { integration: reportSlot } })
    for (const path of ['/a', '/dev/b']) {
      const res = await fetch(url + path)
      expect(res.status).toBe(404)
      expect(await res.text()).toBe('{"message":"Not Found"}')
      expect(res.headers.get('apigw-requestid')).toBeTruthy()
    }
    expect((await fetch(`${url}/dev/a`)).status).toBe(200)
  })
})

describe('createGateway: definition errors at construction', () => {
  it.each([
    ['§1.2 greedy not last', { ...petsApi, resources: { '/{proxy+}/x': {} } }, 'GW_CONFIG_INVALID', /resources\.\/\{proxy\+\}\/x.*greedy/s],
    ['§6.3 bad stage variable', { ...petsApi, stages: { prod: { variables: { 'a-b': 'x' } } } }, 'GW_CONFIG_INVALID', /stages\.prod\.variables.*stage variable names/s],
    ['unknown authorizer', { ...petsApi, resources: { '/a': { resourceMethods: { GET: { authorizationType: 'CUSTOM', authorizerId: 'nope', integration: mock('{}') } } } } }, 'GW_CONFIG_INVALID', /authorizerId: unknown authorizer "nope"/],
    ['§1.3 route key with trailing slash', { protocol: 'HTTP', name: 'h', routes: { 'GET /a/': {} } }, 'GW_CONFIG_INVALID', /routes\.GET \/a\/.*route key/s],
    ['protocol missing', { name: 'x' }, 'GW_CONFIG_INVALID', /protocol/],
    ['method without integration (AWS refuses the deployment)', { ...petsApi, resources: { '/a': { resourceMethods: { GET: {} } } } }, 'GW_GATEWAY_UNSUPPORTED', /No integration defined for method/],
    ['§10.2 TOKEN authorizer without authorizerUri', { ...petsApi, authorizers: { a: { type: 'TOKEN' } }, resources: { '/a': { resourceMethods: { GET: { authorizationType: 'CUSTOM', authorizerId: 'a', integration: mock('{}') } } } } }, 'GW_GATEWAY_UNSUPPORTED', /authorizerUri/],
    ['§10.2 TOKEN authorizer without a Lambda resolver', { ...petsApi, authorizers: { a: { type: 'TOKEN', authorizerUri: 'fn' } }, resources: { '/a': { resourceMethods: { GET: { authorizationType: 'CUSTOM', authorizerId: 'a', integration: mock('{}') } } } } }, 'GW_GATEWAY_UNSUPPORTED', /integrations\.lambda/],
    ['apiKeyRequired without usagePlans', { ...petsApi, resources: { '/a': { resourceMethods: { GET: { apiKeyRequired: true, integration: mock('{}') } } } } }, 'GW_GATEWAY_UNSUPPORTED', /usagePlans/],
    ['REST API without stages', { ...petsApi, stages: {} }, 'GW_GATEWAY_UNSUPPORTED', /at least one stage/]
  ] as const)('%s', (_name, def, code, message) => {
    let err: unknown
    try {
      createGateway(def as ApiDefinitionInput)
    } catch (e) {
      err = e
    }
    expect(err).toMatchObject({ code })
    expect((err as Error).message).toMatch(message)
  })
})

describe('createGateway: management (§6)', () => {
  const api = (name: string): ApiDefinitionInput => ({ ...petsApi, name, resources: { '/who': { resourceMethods: { GET: { integration: { type: 'HTTP_PROXY', uri: `http://${name}` } } } } } })

  it('§6.1 a new definition is invisible until deployed; rollback returns to the earlier deployment', async () => {
    const { gw, url } = await start(api('v1'), { slots: { integration: (input) => (ctx) => ctx.json({ api: input.api.name, deploymentId: ctx.deploymentId }) } })
    const first = (await (await fetch(`${url}/prod/who`)).json()) as { api: string; deploymentId: string }
    expect(first.api).toBe('v1')
    gw.management.putDefinition(api('v2'))
    expect(((await (await fetch(`${url}/prod/who`)).json()) as { api: string }).api).toBe('v1')
    const d2 = gw.management.createDeployment({ stageName: 'prod' })
    expect(await (await fetch(`${url}/prod/who`)).json()).toEqual({ api: 'v2', deploymentId: d2.id })
    gw.management.rollback('prod', first.deploymentId)
    expect(await (await fetch(`${url}/prod/who`)).json()).toEqual({ api: 'v1', deploymentId: first.deploymentId })
    expect(gw.management.getDeployments().map((d) => d.id)).toContain(d2.id)
  })

  it('§6.4 canary at 100%: canary deployment, merged variables; promote and delete', async () => {
    const { gw, url } = await start(api('v1'), { slots: { integration: (input) => (ctx) => ctx.json({ api: input.api.name, canary: ctx.isCanaryRequest, variables: ctx.stageVariables }) } })
    gw.management.putDefinition(api('v2'))
    gw.management.createDeployment({ stageName: 'prod', canarySettings: { percentTraffic: 100, stageVariableOverrides: { color: 'green', extra: 'x' } } })
    expect(await (await fetch(`${url}/prod/who`)).json()).toEqual({ api: 'v2', canary: true, variables: { color: 'green', extra: 'x' } })
    gw.management.updateStage('prod', { canarySettings: { percentTraffic: 0 } })
    expect(await (await fetch(`${url}/prod/who`)).json()).toEqual({ api: 'v1', canary: false, variables: { color: 'blue' } })
    const promoted = gw.management.promoteCanary('prod')
    expect(promoted.variables).toEqual({ color: 'green', extra: 'x' })
    expect(await (await fetch(`${url}/prod/who`)).json()).toEqual({ api: 'v2', canary: false, variables: { color: 'green', extra: 'x' } })
    expect(gw.management.deleteCanary('prod').canarySettings).toBeUndefined()
  })

  it('§6.1 stage settings apply without redeploy (methodSettings via updateStage)', async () => {
    const { gw, url } = await start(petsApi)
    expect((await fetch(`${url}/prod/pets`)).status).toBe(200)
    gw.management.updateStage('prod', { methodSettings: { '*/*': { throttlingRateLimit: 0.001, throttlingBurstLimit: 0 } } })
    expect((await fetch(`${url}/prod/pets`)).status).toBe(429)
  })

  it('refuses a deployment that cannot be served, before any stage points at it', async () => {
    const { gw, url } = await start(petsApi)
    gw.management.putDefinition({ ...petsApi, resources: { '/a': { resourceMethods: { GET: {} } } } })
    expect(() => gw.management.createDeployment({ stageName: 'prod' })).toThrow(expect.objectContaining({ code: 'GW_GATEWAY_UNSUPPORTED' }))
    expect((await fetch(`${url}/prod/pets`)).status).toBe(200)
    expect(gw.management.getDeployments()).toHaveLength(1)
  })
})

export type { Middleware }
