import { randomUUID } from 'node:crypto'
import { GwError } from '@gw/core'
import { RedisKeyValueStore } from '@gw/store-redis'
import { describe, expect, it, onTestFinished } from 'vitest'
import { compileResourcePolicy, lambdaAuthorizer, type LambdaAuthorizerOptions } from '@gw/authorizers'
import { call, localLambda, serve } from './helpers.js'

const ARN_PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod'

function allowPolicy(resource = `${ARN_PREFIX}/*`, effect: 'Allow' | 'Deny' = 'Allow'): Record<string, unknown> {
  return { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] }
}

const allowAll = (): Record<string, unknown> => ({
  principalId: 'user|a1b2c3',
  policyDocument: allowPolicy(),
  context: { stringKey: 'value', numberKey: 1, booleanKey: true },
  usageIdentifierKey: 'apikey1234abcdefghij0123456789'
})

async function setup(handler: (event: Record<string, unknown>) => unknown, options: Partial<LambdaAuthorizerOptions> = {}, flavour: 'REST' | 'HTTP' = 'REST') {
  const lambda = await localLambda(handler)
  const url = await serve(lambdaAuthorizer({ invoke: lambda.invoke, ...options }), { flavour, routeKey: 'GET /pets/{id}', stageVariables: { tenant: 't1' } })
  return { lambda, url }
}

describe('Lambda TOKEN authorizer (§10.2, §10.4)', () => {
  it('§10.2 allows, sends the TOKEN event with the method ARN, stringifies context (§2.1, §18.25)', async () => {
    const { lambda, url } = await setup(allowAll)
    const res = await call(`${url}/pets/42`, { headers: { authorization: 'Bearer abc' } })
    expect(res.status).toBe(200)
    expect(lambda.events).toEqual([{ type: 'TOKEN', authorizationToken: 'Bearer abc', methodArn: `${ARN_PREFIX}/GET/pets/42` }])
    const authorizer = res.json.authorizer as Record<string, unknown>
    expect(authorizer).toMatchObject({ stringKey: 'value', numberKey: '1', booleanKey: 'true', principalId: 'user|a1b2c3' })
    expect(typeof authorizer.integrationLatency).toBe('number')
    expect(res.json.state).toEqual({ usageIdentifierKey: 'apikey1234abcdefghij0123456789' })
  })

  it('§10.1 root path gives a trailing slash in the method ARN', async () => {
    const { lambda, url } = await setup(allowAll)
    await call(`${url}/`, { headers: { authorization: 't' } })
    expect(lambda.events[0]?.methodArn).toBe(`${ARN_PREFIX}/GET/`)
  })

  it('§10.1 a method ARN over 1600 bytes → 414 without invoking', async () => {
    const { lambda, url } = await setup(allowAll)
    const res = await call(`${url}/pets/${'a'.repeat(1600)}`, { headers: { authorization: 'tok' } })
    expect(res.status).toBe(414)
    expect(res.body).toBe('{"message":"Request URI too long"}')
    expect(lambda.events).toHaveLength(0)
  })

  it.each([
    ['§10.2 header missing', {}],
    ['§10.2 header empty', { authorization: '' }]
  ])('%s → 401 Unauthorized without invoking', async (_name, headers) => {
    const { lambda, url } = await setup(allowAll)
    const res = await call(`${url}/pets/1`, { headers })
    expect(res.status).toBe(401)
    expect(res.body).toBe('{"message":"Unauthorized"}')
    expect(res.headers.get('x-amzn-errortype')).toBe('UnauthorizedException')
    expect(lambda.events).toHaveLength(0)
  })

  it('§10.2 identityValidationExpression must match fully, else 401 without invoking', async () => {
    const { lambda, url } = await setup(allowAll, { identityValidationExpression: 'Bearer [a-z]+' })
    expect((await call(`${url}/pets/1`, { headers: { authorization: 'Bearer abc1' } })).status).toBe(401)
    expect(lambda.events).toHaveLength(0)
    expect((await call(`${url}/pets/1`, { headers: { authorization: 'Bearer abc' } })).status).toBe(200)
    expect(lambda.events).toHaveLength(1)
  })

  it.each<[string, () => unknown, number, string, string]>([
    ['§10.4 explicit Deny', () => ({ principalId: 'u', policyDocument: allowPolicy(`${ARN_PREFIX}/*`, 'Deny') }), 403, '{"Message":"User is not authorized to access this resource with an explicit deny"}', 'AccessDeniedException'],
    ['§10.4 no matching Allow (implicit deny)', () => ({ principalId: 'u', policyDocument: allowPolicy(`${ARN_PREFIX}/POST/*`) }), 403, '{"Message":"User is not authorized to access this resource"}', 'AccessDeniedException'],
    ['§10.4 function error "Unauthorized"', () => { throw new Error('Unauthorized') }, 401, '{"message":"Unauthorized"}', 'UnauthorizedException'],
    ['§10.4 any other function error', () => { throw new Error('boom') }, 500, '{"message":null}', 'AuthorizerConfigurationException'],
    ['§10.4 missing principalId', () => ({ policyDocument: allowPolicy() }), 500, '{"message":null}', 'AuthorizerConfigurationException'],
    ['§10.4 missing policyDocument', () => ({ principalId: 'u' }), 500, '{"message":null}', 'AuthorizerConfigurationException'],
    ['§10.4 output not an object', () => 'Allow', 500, '{"message":null}', 'AuthorizerConfigurationException'],
    ['§18.25 nested context value', () => ({ ...allowAll(), context: { nested: { a: 1 } } }), 500, '{"message":null}', 'AuthorizerConfigurationException'],
    ['§10.4 null context value', () => ({ ...allowAll(), context: { a: null } }), 500, '{"message":null}', 'AuthorizerConfigurationException'],
    ['§10.4 malformed Statement', () => ({ principalId: 'u', policyDocument: { Statement: [{ Effect: 'Allow' }] } }), 500, '{"message":null}', 'AuthorizerConfigurationException'],
    ['§10.1 policy Resource over 512 characters', () => ({ principalId: 'u', policyDocument: allowPolicy(`${ARN_PREFIX}/${'x'.repeat(520)}`) }), 500, '{"message":null}', 'AuthorizerConfigurationException']
  ])('%s', async (_name, handler, status, body, errorType) => {
    const { lambda, url } = await setup(handler)
    const first = await call(`${url}/pets/1`, { headers: { authorization: 'tok' } })
    expect(first.status).toBe(status)
    expect(first.body).toBe(body)
    expect(first.headers.get('x-amzn-errortype')).toBe(errorType)
    await call(`${url}/pets/1`, { headers: { authorization: 'tok' } })
    // Deny/Allow results are cached; failures never are (§10.4, §18.29).
    expect(lambda.events).toHaveLength(status === 403 ? 1 : 2)
  })

  it('§10.4 timeout → 500 AUTHORIZER_CONFIGURATION_ERROR, not cached', async () => {
    const { lambda, url } = await setup(() => new Promise((r) => setTimeout(() => r(allowAll()), 300)), { timeoutMs: 30 })
    const res = await call(`${url}/pets/1`, { headers: { authorization: 'tok' } })
    expect(res.status).toBe(500)
    expect(res.body).toBe('{"message":null}')
    expect(lambda.events).toHaveLength(1)
  })
})

describe('result cache (§10.4, §18.29, §18.30)', () => {
  it('§18.30 TTL unset means 300 s caching: same token invokes once', async () => {
    const { lambda, url } = await setup(allowAll)
    for (let i = 0; i < 3; i++) expect((await call(`${url}/pets/${i}`, { headers: { authorization: 'same' } })).status).toBe(200)
    expect(lambda.events).toHaveLength(1)
  })

  it('§10.4 attack: cache not shared between different identity-source values', async () => {
    const { lambda, url } = await setup((e) => ({ ...allowAll(), context: { token: e.authorizationToken as string } }))
    const a = await call(`${url}/pets/1`, { headers: { authorization: 'alice' } })
    const b = await call(`${url}/pets/1`, { headers: { authorization: 'bob' } })
    expect((a.json.authorizer as Record<string, unknown>).token).toBe('alice')
    expect((b.json.authorizer as Record<string, unknown>).token).toBe('bob')
    expect(lambda.events).toHaveLength(2)
  })

  it('§10.4 attack: a cached Allow for one method is not reused for a method outside its policy', async () => {
    const { lambda, url } = await setup(() => ({ principalId: 'u', policyDocument: allowPolicy(`${ARN_PREFIX}/GET/pets/*`) }))
    expect((await call(`${url}/pets/1`, { headers: { authorization: 'tok' } })).status).toBe(200)
    const post = await call(`${url}/pets/1`, { method: 'POST', headers: { authorization: 'tok' } })
    expect(post.status).toBe(403)
    expect(post.body).toBe('{"Message":"User is not authorized to access this resource"}')
    expect((await call(`${url}/users/1`, { headers: { authorization: 'tok' } })).status).toBe(403)
    expect(lambda.events).toHaveLength(1)
  })

  it('§10.4 authorizerResultTtlInSeconds 0 disables caching', async () => {
    const { lambda, url } = await setup(allowAll, { authorizerResultTtlInSeconds: 0 })
    await call(`${url}/pets/1`, { headers: { authorization: 'same' } })
    await call(`${url}/pets/1`, { headers: { authorization: 'same' } })
    expect(lambda.events).toHaveLength(2)
  })

  it('§10.4 entries expire after the TTL', async () => {
    const { lambda, url } = await setup(allowAll, { authorizerResultTtlInSeconds: 1 })
    await call(`${url}/pets/1`, { headers: { authorization: 'same' } })
    await new Promise((r) => setTimeout(r, 1100))
    await call(`${url}/pets/1`, { headers: { authorization: 'same' } })
    expect(lambda.events).toHaveLength(2)
  })

  it('§10.4 instances share results through a Redis KeyValueStore', async () => {
    const store = new RedisKeyValueStore({ prefix: `t${randomUUID().slice(0, 8)}`, onStoreError: 'failClosed' })
    onTestFinished(() => store.close())
    await store.ready(3000).catch(() => {
      throw new Error(`Redis not reachable at ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}: start redis-server`)
    })
    const lambda = await localLambda(allowAll)
    const opts = { invoke: lambda.invoke, cache: { store }, authorizerId: 'shared' }
    const one = await serve(lambdaAuthorizer(opts))
    const two = await serve(lambdaAuthorizer(opts))
    expect((await call(`${one}/pets/1`, { headers: { authorization: 'tok' } })).status).toBe(200)
    const second = await call(`${two}/pets/1`, { headers: { authorization: 'tok' } })
    expect(second.status).toBe(200)
    expect(second.json.authorizer).toMatchObject({ principalId: 'user|a1b2c3', numberKey: '1', integrationLatency: 0 })
    expect(lambda.events).toHaveLength(1)
    const other = await call(`${two}/pets/1`, { method: 'DELETE', headers: { authorization: 'other' } })
    expect(other.status).toBe(200)
    expect(lambda.events).toHaveLength(2)
  })
})

describe('Lambda REQUEST authorizer (§10.3)', () => {
  const sources = 'method.request.header.X-User, method.request.querystring.tenant'

  it('§10.3 event carries the request; cache key is the tuple of all identity values', async () => {
    const { lambda, url } = await setup(allowAll, { type: 'REQUEST', identitySource: sources })
    const res = await call(`${url}/pets/7?tenant=a&tenant=b`, { headers: { 'X-User': 'u1' } })
    expect(res.status).toBe(200)
    const e = lambda.events[0] as Record<string, unknown>
    expect(e).toMatchObject({
      type: 'REQUEST',
      methodArn: `${ARN_PREFIX}/GET/pets/7`,
      path: '/pets/7',
      httpMethod: 'GET',
      queryStringParameters: { tenant: 'b' },
      multiValueQueryStringParameters: { tenant: ['a', 'b'] },
      pathParameters: {},
      stageVariables: { tenant: 't1' }
    })
    expect((e.headers as Record<string, string>)['X-User']).toBe('u1')
    expect((e.requestContext as Record<string, unknown>).stage).toBe('prod')
    await call(`${url}/pets/7?tenant=b`, { headers: { 'X-User': 'u1' } })
    await call(`${url}/pets/7?tenant=c`, { headers: { 'X-User': 'u1' } })
    expect(lambda.events).toHaveLength(2)
  })

  it('§10.3 caching on: a missing identity source → 401 without invoking', async () => {
    const { lambda, url } = await setup(allowAll, { type: 'REQUEST', identitySource: sources })
    const res = await call(`${url}/pets/7`, { headers: { 'X-User': 'u1' } })
    expect(res.status).toBe(401)
    expect(lambda.events).toHaveLength(0)
  })

  it('§10.3 §18.28 caching off: empty identity source still invokes', async () => {
    const { lambda, url } = await setup(allowAll, { type: 'REQUEST', identitySource: sources, authorizerResultTtlInSeconds: 0 })
    expect((await call(`${url}/pets/7`)).status).toBe(200)
    expect(lambda.events).toHaveLength(1)
  })

  it('§10.3 stage variable and context identity sources', async () => {
    const { lambda, url } = await setup(allowAll, { type: 'REQUEST', identitySource: ['stageVariables.tenant', 'context.httpMethod'] })
    expect((await call(`${url}/pets/7`)).status).toBe(200)
    expect((await call(`${url}/pets/7`, { method: 'POST' })).status).toBe(200)
    expect(lambda.events).toHaveLength(2)
  })

  it('§10.9 explicit Deny of the resource policy answers before invoking', async () => {
    const rp = compileResourcePolicy(
      { Statement: [{ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*/DELETE/*' }] },
      { apiId: 'a1b2c3d4e5' }
    )
    const { lambda, url } = await setup(allowAll, { resourcePolicy: rp })
    const res = await call(`${url}/pets/1`, { method: 'DELETE', headers: { authorization: 'tok' } })
    expect(res.status).toBe(403)
    expect(res.json.Message).toBe(`User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${ARN_PREFIX}/DELETE/pets/1 with an explicit deny`)
    expect(lambda.events).toHaveLength(0)
    expect((await call(`${url}/pets/1`, { headers: { authorization: 'tok' } })).status).toBe(200)
  })
})

describe('HTTP API Lambda authorizer (§10.5)', () => {
  const v2 = { authorizerPayloadFormatVersion: '2.0' as const, identitySource: ['$request.header.Authorization'] }

  it('§10.5 simple response: isAuthorized true, context JSON types kept under `lambda` (§18.26)', async () => {
    const { lambda, url } = await setup(() => ({ isAuthorized: true, context: { list: [1, 2], obj: { a: true }, n: 3 } }), { ...v2, enableSimpleResponses: true }, 'HTTP')
    const res = await call(`${url}/pets/9?x=1&x=2`, { headers: { authorization: 'tok', cookie: 'a=1; b=2' } })
    expect(res.status).toBe(200)
    expect(res.json.authorizer).toMatchObject({ lambda: { list: [1, 2], obj: { a: true }, n: 3 } })
    expect(lambda.events[0]).toMatchObject({
      version: '2.0',
      type: 'REQUEST',
      routeArn: `${ARN_PREFIX}/GET/pets/9`,
      identitySource: ['tok'],
      routeKey: 'GET /pets/{id}',
      rawPath: '/pets/9',
      rawQueryString: 'x=1&x=2',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { x: '1,2' },
      stageVariables: { tenant: 't1' }
    })
    expect((lambda.events[0]?.headers as Record<string, string>).authorization).toBe('tok')
  })

  it.each<[string, unknown, number, string]>([
    ['§10.5 isAuthorized false → 403 Forbidden', { isAuthorized: false }, 403, '{"message":"Forbidden"}'],
    ['§10.5 §18.29 isAuthorized "false" string → 500', { isAuthorized: 'false' }, 500, '{"message":"Internal Server Error"}'],
    ['§10.5 isAuthorized "true" string → 500 (not truthy)', { isAuthorized: 'true' }, 500, '{"message":"Internal Server Error"}']
  ])('%s', async (_name, out, status, body) => {
    const { url } = await setup(() => out, { ...v2, enableSimpleResponses: true }, 'HTTP')
    const res = await call(`${url}/pets/1`, { headers: { authorization: 'tok' } })
    expect(res.status).toBe(status)
    expect(res.body).toBe(body)
    expect(res.headers.get('x-amzn-errortype')).toBeNull()
  })

  it('§10.5 missing identity source → 401 without invoking', async () => {
    const { lambda, url } = await setup(() => ({ isAuthorized: true }), { ...v2, enableSimpleResponses: true }, 'HTTP')
    const res = await call(`${url}/pets/1`)
    expect(res.status).toBe(401)
    expect(res.body).toBe('{"message":"Unauthorized"}')
    expect(lambda.events).toHaveLength(0)
  })

  it('§10.5 payload 1.0 policy response: comma-joined identitySource, context under `lambda`, routeArn re-evaluated', async () => {
    const { lambda, url } = await setup(
      () => ({ principalId: 'p', policyDocument: allowPolicy(`${ARN_PREFIX}/GET/*`), context: { k: 'v', n: 1 } }),
      { authorizerPayloadFormatVersion: '1.0', identitySource: ['$request.header.Authorization', '$request.querystring.q'] },
      'HTTP'
    )
    const res = await call(`${url}/pets/1?q=z`, { headers: { authorization: 'tok' } })
    expect(res.status).toBe(200)
    expect(res.json.authorizer).toMatchObject({ lambda: { k: 'v', n: 1 }, principalId: 'p' })
    expect(lambda.events[0]).toMatchObject({ version: '1.0', type: 'REQUEST', identitySource: 'tok,z', authorizationToken: 'tok,z' })
    const post = await call(`${url}/pets/1?q=z`, { method: 'POST', headers: { authorization: 'tok' } })
    expect(post.status).toBe(403)
    expect(post.body).toBe('{"message":"Forbidden"}')
    expect(lambda.events).toHaveLength(1)
  })
})

describe('options are validated once (GW_CONFIG_INVALID)', () => {
  const invoke = (): Promise<unknown> => Promise.resolve({})
  it.each<[string, Record<string, unknown>]>([
    ['§15 TTL above 3600', { authorizerResultTtlInSeconds: 3601 }],
    ['§15 negative TTL', { authorizerResultTtlInSeconds: -1 }],
    ['§10.5 simple responses need 2.0', { authorizerPayloadFormatVersion: '1.0', enableSimpleResponses: true }],
    ['§10.2 TOKEN reads one header', { identitySource: 'method.request.querystring.token' }],
    ['§10.3 path parameters are not identity sources', { type: 'REQUEST', identitySource: 'method.request.path.id' }],
    ['§10.3 caching needs an identity source', { type: 'REQUEST' }],
    ['§10.2 bad regular expression', { identityValidationExpression: '(' }],
    ['missing invoke', { invoke: undefined }]
  ])('%s', (_name, extra) => {
    expect(() => lambdaAuthorizer({ invoke, ...extra })).toThrow(GwError)
    try {
      lambdaAuthorizer({ invoke, ...extra })
    } catch (err) {
      expect((err as GwError).code).toBe('GW_CONFIG_INVALID')
    }
  })
})

describe('concurrent misses (§10.4 cache)', () => {
  it('a burst of one uncached token invokes the function once; each request is judged on its own ARN', async () => {
    const { lambda, url } = await setup(async () => {
      await new Promise((r) => setTimeout(r, 50))
      return { principalId: 'u', policyDocument: allowPolicy(`${ARN_PREFIX}/GET/*`) }
    })
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(`${url}/pets/${i}`, { method: i % 2 === 0 ? 'GET' : 'DELETE', headers: { authorization: 'burst' } }))
    )
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 200 : 403)))
    expect(lambda.events).toHaveLength(1)
  })

  it('with caching off, concurrent requests each invoke', async () => {
    const { lambda, url } = await setup(allowAll, { authorizerResultTtlInSeconds: 0 })
    await Promise.all(Array.from({ length: 5 }, () => call(`${url}/pets/1`, { headers: { authorization: 'same' } })))
    expect(lambda.events).toHaveLength(5)
  })
})

describe('cached results re-use their policy decision per method ARN (§10.2 result cache, §10.4)', () => {
  it('one cached Allow for /pets/* and a Deny elsewhere: each method keeps its own decision, one invocation', async () => {
    const policy = { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${ARN_PREFIX}/GET/pets/*` }] }
    const { lambda, url } = await setup(() => ({ principalId: 'u', policyDocument: policy }), { authorizerResultTtlInSeconds: 300 })
    for (let i = 0; i < 3; i++) {
      expect((await call(`${url}/pets/1`, { headers: { authorization: 'tok' } })).status).toBe(200)
      const denied = await call(`${url}/cats/1`, { headers: { authorization: 'tok' } })
      expect(denied.status).toBe(403)
      expect(denied.body).toBe('{"Message":"User is not authorized to access this resource"}')
    }
    expect(lambda.events).toHaveLength(1)
  })

  it('a policy with a Condition is evaluated on every request, cached result or not (§10.4 aws:UserAgent)', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${ARN_PREFIX}/*`, Condition: { StringEquals: { 'aws:UserAgent': 'good-agent' } } }]
    }
    const { lambda, url } = await setup(() => ({ principalId: 'u', policyDocument: policy }), { authorizerResultTtlInSeconds: 300 })
    expect((await call(`${url}/pets/1`, { headers: { authorization: 'tok', 'user-agent': 'good-agent' } })).status).toBe(200)
    expect((await call(`${url}/pets/1`, { headers: { authorization: 'tok', 'user-agent': 'bad-agent' } })).status).toBe(403)
    expect((await call(`${url}/pets/1`, { headers: { authorization: 'tok', 'user-agent': 'good-agent' } })).status).toBe(200)
    expect(lambda.events).toHaveLength(1)
  })
})

describe('$context.authorizer built per request from a cached result (§10.4)', () => {
  it('keeps the context keys in order, then principalId and integrationLatency, on the first call and on cache hits', async () => {
    const { url } = await setup(() => ({ principalId: 'p1', policyDocument: allowPolicy(), context: { b: 'x', a: 2, '1': true } }), { authorizerResultTtlInSeconds: 300 })
    for (let i = 0; i < 3; i++) {
      const res = await call(`${url}/pets/1`, { headers: { authorization: 'tok' } })
      const authorizer = res.json.authorizer as Record<string, unknown>
      expect(Object.keys(authorizer)).toEqual(['1', 'b', 'a', 'principalId', 'integrationLatency'])
      expect(authorizer).toMatchObject({ '1': 'true', b: 'x', a: '2', principalId: 'p1' })
    }
  })
})
