import { GwError } from '@gw/core'
import { describe, expect, it } from 'vitest'
import { compileResourcePolicy, resourcePolicy, type PolicyDocument, type ResourcePolicyOptions } from '@gw/authorizers'
import { call, serve } from './helpers.js'

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod'

function ipPolicy(effect: 'Allow' | 'Deny', operator: 'IpAddress' | 'NotIpAddress', cidrs: string[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: effect, Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { [operator]: { 'aws:SourceIp': cidrs } } }] }
}

const allowAll: PolicyDocument = { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }] }

async function setup(options: Omit<ResourcePolicyOptions, 'arn'>): Promise<string> {
  return serve(resourcePolicy({ arn: { apiId: 'a1b2c3d4e5' }, ...options }))
}

describe('resource policies over real HTTP (§10.9)', () => {
  it('§10.9 attack: X-Forwarded-For cannot satisfy an IP allow-list (source IP is the socket)', async () => {
    const url = await setup({ policy: ipPolicy('Allow', 'IpAddress', ['10.0.0.0/8']) })
    const res = await call(`${url}/pets`, { headers: { 'x-forwarded-for': '10.1.2.3', 'x-real-ip': '10.1.2.3' } })
    expect(res.status).toBe(403)
    expect(res.body).toBe(JSON.stringify({ Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${ARN}/GET/pets` }))
    expect(res.headers.get('x-amzn-errortype')).toBe('AccessDeniedException')
  })

  it.each<[string, string, number, string]>([
    ['§10.9 trustProxy [loopback]: a proxy on loopback vouches for the client', '10.1.2.3', 200, '10.1.2.3'],
    ['§10.9 trustProxy [loopback]: a forged left-most entry does not count (right-most untrusted hop is the client)', '10.1.2.3, 203.0.113.9', 403, ''],
    ['§10.9 trustProxy [loopback]: garbage in X-Forwarded-For falls back to the last valid hop', 'not-an-ip', 403, '']
  ])('%s', async (_name, xff, status, sourceIp) => {
    const url = await serve(resourcePolicy({ arn: { apiId: 'a1b2c3d4e5' }, policy: ipPolicy('Allow', 'IpAddress', ['10.0.0.0/8']) }), { trustProxy: ['loopback'] })
    const res = await call(`${url}/pets`, { headers: { 'x-forwarded-for': xff } })
    expect(res.status).toBe(status)
    if (status === 200) expect(res.json.sourceIp).toBe(sourceIp)
  })

  it('§10.9 attack: X-Forwarded-For cannot escape an IP deny-list', async () => {
    const url = await setup({ policy: { Statement: [...(allowAll.Statement as object[]), ...(ipPolicy('Deny', 'IpAddress', ['127.0.0.0/8']).Statement as object[])] } as PolicyDocument })
    const res = await call(`${url}/pets`, { headers: { 'x-forwarded-for': '203.0.113.9' } })
    expect(res.status).toBe(403)
    expect(res.json.Message).toBe(`User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${ARN}/GET/pets with an explicit deny`)
  })

  it('§10.9 the socket address matches its CIDR → 200', async () => {
    const url = await setup({ policy: ipPolicy('Allow', 'IpAddress', ['127.0.0.0/8', '::1/128']) })
    const res = await call(`${url}/pets`)
    expect(res.status).toBe(200)
    expect(res.json.sourceIp).toBe('127.0.0.1')
  })

  it.each<[string, string[], number]>([
    ['§10.9 IPv6 client inside an IPv6 CIDR', ['::1/128'], 200],
    ['§10.9 IPv6 client outside the CIDR', ['2001:db8::/32'], 403],
    ['§10.9 IPv6 client does not match an IPv4 CIDR', ['127.0.0.0/8'], 403]
  ])('%s (real socket on ::1)', async (_name, cidrs, status) => {
    const url = await serve(resourcePolicy({ arn: { apiId: 'a1b2c3d4e5' }, policy: ipPolicy('Allow', 'IpAddress', cidrs) }), { host: '::1' })
    const res = await call(`${url}/pets`, { headers: { 'x-forwarded-for': '127.0.0.1' } })
    expect(res.status).toBe(status)
  })

  it.each<[string, PolicyDocument, RequestInit, number, string | undefined]>([
    ['§10.9 NotIpAddress deny for outsiders', { Statement: [...(allowAll.Statement as object[]), ...(ipPolicy('Deny', 'NotIpAddress', ['192.0.2.0/24']).Statement as object[])] } as PolicyDocument, {}, 403, 'with an explicit deny'],
    ['§10.9 NotIpAddress: insiders pass', { Statement: [...(allowAll.Statement as object[]), ...(ipPolicy('Deny', 'NotIpAddress', ['127.0.0.0/8']).Statement as object[])] } as PolicyDocument, {}, 200, undefined],
    ['§10.9 authorizationType NONE needs an explicit Allow', { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/prod/POST/*' }] }, {}, 403, `${ARN}/GET/pets`],
    [
      '§10.9 StringLike aws:UserAgent',
      { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { StringLike: { 'aws:UserAgent': 'partner-app/*' } } }] },
      { headers: { 'user-agent': 'partner-app/2.1' } },
      200,
      undefined
    ],
    [
      '§10.9 StringEquals aws:Referer mismatch',
      { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { StringEquals: { 'aws:Referer': 'https://app.example.com/' } } }] },
      { headers: { referer: 'https://evil.example.com/' } },
      403,
      undefined
    ],
    [
      '§10.9 aws:SourceVpce only exists on private APIs: StringEquals fails on a public request',
      { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c' } } }] },
      {},
      403,
      undefined
    ],
    ['§10.9 Deny on one resource path only', { Statement: [...(allowAll.Statement as object[]), { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*/DELETE/*' }] } as PolicyDocument, { method: 'DELETE' }, 403, 'explicit deny']
  ])('%s', async (_name, policy, init, status, message) => {
    const url = await setup({ policy })
    const res = await call(`${url}/pets`, init)
    expect(res.status).toBe(status)
    if (message !== undefined) expect(res.json.Message).toContain(message)
  })

  it('§10.9 with an authorizer (AWS_IAM/CUSTOM/COGNITO) phase 1 only stops explicit denies', async () => {
    const policy: PolicyDocument = { Statement: [{ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*/DELETE/*' }] }
    const url = await setup({ policy, authorizationType: 'AWS_IAM' })
    expect((await call(`${url}/pets`)).status).toBe(200)
    expect((await call(`${url}/pets`, { method: 'DELETE' })).status).toBe(403)
  })

  it('§10.9 an already compiled ResourcePolicy is accepted and used as is (one compilation shared by several steps)', async () => {
    const compiled = compileResourcePolicy({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*/GET/pets' }] }, { apiId: 'a1b2c3d4e5' })
    const url = await serve([
      resourcePolicy({ policy: compiled, arn: { apiId: 'a1b2c3d4e5' }, authorizationType: 'CUSTOM' }),
      resourcePolicy({ policy: compiled, arn: { apiId: 'a1b2c3d4e5' }, authorizationType: 'NONE' })
    ])
    expect((await call(`${url}/pets`)).status).toBe(200)
    const cats = await call(`${url}/cats`)
    expect(cats.status).toBe(403)
    expect(cats.body).toBe(JSON.stringify({ Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${ARN}/GET/cats` }))
  })

  it('§10.9 the policy string may be JSON text; execute-api:/ shorthand expands to the API ARN', () => {
    const rp = compileResourcePolicy(JSON.stringify(allowAll), { apiId: 'xyz', region: 'eu-west-1', accountId: '111122223333' })
    const fakeCtx = { sourceIp: '1.2.3.4', headers: {}, identity: undefined, source: { protocol: 'http' }, requestTimeEpoch: 0 } as never
    expect(rp.evaluate(fakeCtx, 'arn:aws:execute-api:eu-west-1:111122223333:xyz/prod/GET/a', null)).toBe('Allow')
    expect(rp.evaluate(fakeCtx, 'arn:aws:execute-api:eu-west-1:111122223333:other/prod/GET/a', null)).toBe('None')
  })

  it.each<[string, unknown]>([
    ['§10.9 longer than 8192 characters', { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: `execute-api:/${'x'.repeat(8200)}` }] }],
    ['§10.9 malformed statement', { Statement: [{ Effect: 'Allow', Principal: '*', Resource: '*' }] }],
    ['§10.9 bad CIDR', ipPolicy('Allow', 'IpAddress', ['300.1.1.1/8'])],
    ['§10.9 not JSON', '{"Statement":[']
  ])('refused at construction: %s', (_name, policy) => {
    expect(() => resourcePolicy({ policy: policy as PolicyDocument })).toThrow(GwError)
  })
})
