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

const api = (extra: Record<string, unknown> = {}): ApiDefinitionInput =>
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
    resources: { '/pets': { resourceMethods: { GET: { authorizationType: 'CUSTOM', authorizerId: 'tok', integration: mock, ...extra } } } }
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
