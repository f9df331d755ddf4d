import { describe, expect, it } from 'vitest'
import { silentLogger } from '@gw/core'
import { createGateway, type ApiDefinitionInput } from '@gw/gateway'
import { createUsagePlans } from '@gw/usage-plans'
import { mock, start } from './serve.js'

/** An in-process TOKEN authorizer: "allow" → Allow, "deny" → Deny, "boom" → throws, anything else → Unauthorized. */
const tokenFn = (event: unknown): Promise<unknown> => {
  const e = event as { authorizationToken: string; methodArn: string }
  if (e.authorizationToken === 'boom') return Promise.reject(new Error('boom'))
  if (e.authorizationToken !== 'allow' && e.authorizationToken !== 'deny') return Promise.reject(new Error('Unauthorized'))
  const effect = e.authorizationToken === 'allow' ? 'Allow' : 'Deny'
  return Promise.resolve({
    principalId: 'user-1',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: e.methodArn }] },
    usageIdentifierKey: 'alice-key-0123456789abcdef'
  })
}

const api = (extra: Record<string, unknown> = {}, top: Record<string, unknown> = {}): ApiDefinitionInput =>
  ({
    protocol: 'REST',
    id: 'authapi01',
    name: 'auth',
    stages: { prod: {} },
    authorizers: {
      tok: {
        type: 'TOKEN',
        authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:tokenFn/invocations',
        identitySource: 'method.request.header.Authorization',
        authorizerResultTtlInSeconds: 0
      }
    },
    resources: { '/pets': { resourceMethods: { GET: { authorizationType: 'CUSTOM', authorizerId: 'tok', integration: mock, ...extra } } } },
    ...top
  })

describe('createGateway: default Lambda TOKEN authorizer (§10.2) through options.integrations.lambda', () => {
  it.each([
    { name: '§10.2 Allow → 200 reaching the MOCK', token: 'allow', status: 200, body: '{"ok":true}' },
    { name: '§10.2 Deny → 403 with Message', token: 'deny', status: 403, body: '{"Message":"User is not authorized to access this resource with an explicit deny"}' },
    { name: '§10.2 missing header → 401 Unauthorized', token: undefined, status: 401, body: '{"message":"Unauthorized"}' },
    { name: '§10.2 function says Unauthorized → 401', token: 'nope', status: 401, body: '{"message":"Unauthorized"}' }
  ])('$name', async ({ token, status, body }) => {
    const url = await start(api(), { integrations: { lambda: { tokenFn } } })
    const res = await fetch(`${url}/prod/pets`, { headers: token === undefined ? {} : { authorization: token } })
    expect(res.status).toBe(status)
    expect(await res.text()).toBe(body)
  })

  it('§10.2 authorizer function missing from the resolver is refused at construction', () => {
    expect(() => createGateway(api(), { logger: silentLogger, integrations: { lambda: {} } })).toThrow(/tokenFn/)
  })

  it('§9.2 apiKeySource AUTHORIZER: usageIdentifierKey from the Lambda authorizer is the API key, end to end', async () => {
    const plans = createUsagePlans({ usagePlans: [{ id: 'basic', name: 'Basic', apiStages: [{ apiId: 'authapi01', stage: 'prod' }] }] })
    plans.createApiKey({ name: 'alice', value: 'alice-key-0123456789abcdef', usagePlanIds: ['basic'] })
    const def = { ...api({ apiKeyRequired: true }), apiKeySource: 'AUTHORIZER' } as ApiDefinitionInput
    const url = await start(def, { usagePlans: plans, integrations: { lambda: { tokenFn } } })
    const ok = await fetch(`${url}/prod/pets`, { headers: { authorization: 'allow' } })
    expect(ok.status).toBe(200)
    // x-api-key is ignored with apiKeySource AUTHORIZER: without the authorizer's key there is none.
    plans.createApiKey({ name: 'bob', value: 'bob-key-0123456789abcdefgh', usagePlanIds: ['basic'] })
    const ignored = await fetch(`${url}/prod/pets`, { headers: { authorization: 'deny', 'x-api-key': 'bob-key-0123456789abcdefgh' } })
    expect(ignored.status).toBe(403)
  })
})

const denyLocal = { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8'] } } }
const allowPets = { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*/GET/pets' }
const arn = (path: string): string => `arn:aws:execute-api:us-east-1:123456789012:authapi01/prod/GET/${path}`

describe('createGateway: default resource policy (§0.1 step 3, §10.9)', () => {
  it('§10.9 explicit Deny by aws:SourceIp → 403 ACCESS_DENIED before routing, with AWS Message', async () => {
    const url = await start(api({}, { policy: { Version: '2012-10-17', Statement: [denyLocal] } }), { integrations: { lambda: { tokenFn } } })
    for (const path of ['pets', 'nowhere']) {
      const res = await fetch(`${url}/prod/${path}`, { headers: { authorization: 'allow' } })
      expect(res.status).toBe(403)
      expect(res.headers.get('x-amzn-errortype')).toBe('AccessDeniedException')
      expect(await res.json()).toEqual({ Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${arn(path)} with an explicit deny` })
    }
  })

  it('§10.9 NONE authorization needs an explicit Allow', async () => {
    const def = {
      ...api(),
      policy: JSON.stringify({ Version: '2012-10-17', Statement: [allowPets] }),
      resources: { '/pets': { resourceMethods: { GET: { integration: mock } } }, '/cats': { resourceMethods: { GET: { integration: mock } } } }
    } as ApiDefinitionInput
    const url = await start(def)
    const pets = await fetch(`${url}/prod/pets`)
    expect([pets.status, await pets.text()]).toEqual([200, '{"ok":true}'])
    const cats = await fetch(`${url}/prod/cats`)
    expect(cats.status).toBe(403)
    expect(await cats.json()).toEqual({ Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${arn('cats')}` })
  })

  it.each([
    { name: 'Lambda Allow, policy silent → 200', statements: [], token: 'allow', status: 200 },
    { name: 'Lambda Allow, policy Allow → 200', statements: [allowPets], token: 'allow', status: 200 },
    { name: 'Lambda Deny, policy Allow → 403 (explicit Deny wins)', statements: [allowPets], token: 'deny', status: 403 },
    { name: 'Lambda Allow, policy explicit Deny → 403', statements: [denyLocal], token: 'allow', status: 403 }
  ])('§10.9 Lambda authorizer + resource policy: $name', async ({ statements, token, status }) => {
    const url = await start(api({}, { policy: { Version: '2012-10-17', Statement: statements } }), { integrations: { lambda: { tokenFn } } })
    const res = await fetch(`${url}/prod/pets`, { headers: { authorization: token } })
    expect(res.status).toBe(status)
    if (status === 200) expect(await res.text()).toBe('{"ok":true}')
  })
})
