import { afterEach, describe, expect, it } from 'vitest'
import { MemoryRateLimitStore, silentLogger, type Middleware } from '@gw/core'
import { lambdaAuthorizer } from '@gw/authorizers'
import { createGateway, type Gateway } from '@gw/gateway'
import { throttler } from '@gw/throttler'
import { apiKeys, createUsagePlans } from '@gw/usage-plans'
import { HOST_ADAPTERS, startAdapter, type RunningAdapter } from './support/adapters.js'
import { rawRequest, type RawResponse } from './support/raw-http.js'

/**
 * Issue #14's acceptance: each of Express 5, Koa 3, Fastify 5 and Hono 4 with
 * a gw package dropped in with NO options. Allowed requests reach the host's
 * own route (`/host-route` answers `from <host>`, support/adapters.ts) with
 * its body; refused ones get AWS's status and body. A whole gateway mounted
 * the same way answers its own 403 for a path it does not know, and reaches
 * the host with `fallthrough: true`.
 */
const started: RunningAdapter[] = []
const gateways: Gateway[] = []
afterEach(async () => {
  for (const a of started.splice(0)) await a.close()
  for (const g of gateways.splice(0)) await g.close()
})

async function start(host: (typeof HOST_ADAPTERS)[number], pipeline: Middleware<object>, fallthrough?: boolean): Promise<RunningAdapter> {
  const adapter = await startAdapter(host, pipeline, fallthrough === undefined ? {} : { fallthrough })
  started.push(adapter)
  return adapter
}

function get(adapter: RunningAdapter, path: string, ...headers: string[]): Promise<RawResponse> {
  return rawRequest(adapter.url, [`GET ${path} HTTP/1.1`, 'Host: gw.test', ...headers, 'Connection: close'])
}

const MOCK = { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '[]' } } } } as const

describe.each(HOST_ADAPTERS)('dropped into %s with no options', (host) => {
  it('§8.1 throttler: admitted requests reach the host route; the one past the burst gets 429 {"message":"Too Many Requests"}', async () => {
    const adapter = await start(host, throttler({ rateLimit: 0.001, burstLimit: 2, key: 'ip', store: new MemoryRateLimitStore() }))
    for (let i = 0; i < 2; i++) {
      const ok = await get(adapter, '/host-route')
      expect(ok.status).toBe(200)
      expect(ok.body.toString()).toBe(`from ${host}`)
    }
    const refused = await get(adapter, '/host-route')
    expect(refused.status).toBe(429)
    expect(refused.body.toString()).toBe('{"message":"Too Many Requests"}')
    expect(refused.headers['x-amzn-errortype']).toBe('TooManyRequestsException')
  })

  it('§10.2 Lambda TOKEN authorizer: Allow reaches the host route; no token 401, Deny 403 with AWS\'s bodies', async () => {
    const invoke = (event: { authorizationToken?: string }) =>
      Promise.resolve({
        principalId: 'user-1',
        policyDocument: { Version: '2012-10-17', Statement: [{ Effect: event.authorizationToken === 'allow' ? 'Allow' : 'Deny', Action: 'execute-api:Invoke', Resource: '*' }] }
      })
    const adapter = await start(host, lambdaAuthorizer({ invoke, authorizerResultTtlInSeconds: 0 }))
    const ok = await get(adapter, '/host-route', 'Authorization: allow')
    expect(ok.status).toBe(200)
    expect(ok.body.toString()).toBe(`from ${host}`)
    const missing = await get(adapter, '/host-route')
    expect(missing.status).toBe(401)
    expect(missing.body.toString()).toBe('{"message":"Unauthorized"}')
    const denied = await get(adapter, '/host-route', 'Authorization: deny')
    expect(denied.status).toBe(403)
    expect(denied.body.toString()).toBe('{"Message":"User is not authorized to access this resource with an explicit deny"}')
  })

  it('§9.2 usage plans (apiKeys): a valid key reaches the host route; none or an unknown one gets 403 {"message":"Forbidden"}', async () => {
    const plans = createUsagePlans({ usagePlans: [{ id: 'basic', name: 'Basic', apiStages: [{ apiId: 'a1', stage: 'prod' }] }] })
    const { value } = plans.createApiKey({ name: 'alice', usagePlanIds: ['basic'] })
    const adapter = await start(host, apiKeys(plans, { apiId: 'a1', stage: 'prod' }))
    const ok = await get(adapter, '/host-route', `x-api-key: ${value}`)
    expect(ok.status).toBe(200)
    expect(ok.body.toString()).toBe(`from ${host}`)
    for (const headers of [[], ['x-api-key: not-a-key-of-this-plan-0000']]) {
      const refused = await get(adapter, '/host-route', ...headers)
      expect(refused.status).toBe(403)
      expect(refused.body.toString()).toBe('{"message":"Forbidden"}')
    }
  })

  it('§12.1 a whole createGateway() answers its routes and its own 403 for a path it does not know', async () => {
    const gw = createGateway({ protocol: 'REST', name: 'pets', stages: { prod: {} }, resources: { '/pets': { resourceMethods: { GET: { integration: MOCK } } } } }, { logger: silentLogger })
    gateways.push(gw)
    const adapter = await start(host, gw.handler)
    const pets = await get(adapter, '/prod/pets')
    expect(pets.status).toBe(200)
    expect(pets.body.toString()).toBe('[]')
    const unknownResource = await get(adapter, '/prod/nope')
    expect(unknownResource.status).toBe(403)
    expect(unknownResource.body.toString()).toBe('{"message":"Missing Authentication Token"}')
    const unknownStage = await get(adapter, '/host-route')
    expect(unknownStage.status).toBe(403)
    expect(unknownStage.body.toString()).toBe('{"message":"Forbidden"}')
  })

  it('with fallthrough: true, the paths the gateway does not know reach the host; its own routes are still its own', async () => {
    const gw = createGateway({ protocol: 'REST', name: 'pets', stages: { prod: {} }, resources: { '/pets': { resourceMethods: { GET: { integration: MOCK } } } } }, { logger: silentLogger })
    gateways.push(gw)
    const adapter = await start(host, gw.handler, true)
    const hostRoute = await get(adapter, '/host-route')
    expect(hostRoute.status).toBe(200)
    expect(hostRoute.body.toString()).toBe(`from ${host}`)
    const pets = await get(adapter, '/prod/pets')
    expect(pets.status).toBe(200)
    expect(pets.body.toString()).toBe('[]')
  })
})
