import aws4 from 'aws4'
import { describe, expect, it } from 'vitest'
import { compileResourcePolicy, formatAmzDate, iamAuthorizer, type IamAuthorizerOptions, type IamCredentials, type PolicyDocument } from '@gw/authorizers'
import { send, serve } from './helpers.js'

const ACCOUNT = '123456789012'
const ARN_PREFIX = `arn:aws:execute-api:us-east-1:${ACCOUNT}:a1b2c3d4e5/prod`
const ALICE = { accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice-secret/abc+def' }
const TEMP = { accessKeyId: 'ASIATEMP000000000001', secretAccessKey: 'temp-secret', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN//+=' }
const OUTSIDER = { accessKeyId: 'AKIAOUTSIDER00000001', secretAccessKey: 'outsider-secret' }

const allowGet: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${ARN_PREFIX}/GET/*` }] }

function users(overrides: Record<string, Partial<IamCredentials>> = {}): Map<string, IamCredentials> {
  return new Map<string, IamCredentials>([
    [ALICE.accessKeyId, { secretAccessKey: ALICE.secretAccessKey, principal: { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, userId: 'AIDAALICE' }, policy: allowGet, ...overrides.alice }],
    [TEMP.accessKeyId, { secretAccessKey: TEMP.secretAccessKey, sessionToken: TEMP.sessionToken, expiration: Date.now() + 3_600_000, principal: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s`, accountId: ACCOUNT }, policy: allowGet, ...overrides.temp }],
    [OUTSIDER.accessKeyId, { secretAccessKey: OUTSIDER.secretAccessKey, principal: { arn: 'arn:aws:iam::999999999999:user/eve', accountId: '999999999999' }, policy: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } satisfies PolicyDocument, ...overrides.outsider }]
  ])
}

async function setup(options: Partial<IamAuthorizerOptions> = {}, flavour: 'REST' | 'HTTP' = 'REST', overrides: Record<string, Partial<IamCredentials>> = {}) {
  const table = users(overrides)
  const url = await serve(iamAuthorizer({ credentials: (id) => table.get(id), arn: { accountId: ACCOUNT }, ...options }), { flavour })
  const host = new URL(url).host
  const signed = (opts: { method?: string; path: string; body?: string; headers?: Record<string, string>; signQuery?: boolean }, creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = ALICE) => {
    const req = { host, method: opts.method ?? 'GET', path: opts.path, service: 'execute-api', region: 'us-east-1', headers: { ...opts.headers }, ...(opts.body === undefined ? {} : { body: opts.body }), ...(opts.signQuery ? { signQuery: true } : {}) }
    aws4.sign(req, creds)
    return { method: req.method, path: req.path, headers: { ...req.headers, Host: host } as Record<string, string>, body: opts.body }
  }
  return { url, signed }
}

describe('IAM SigV4 authorization over real HTTP, signed by aws4 (§10.8)', () => {
  it('§10.8 GET signed in the Authorization header → 200, identity filled', async () => {
    const { url, signed } = await setup()
    const res = await send(url, signed({ path: '/pets/42?b=2&a=1&a=0' }))
    expect(res.status).toBe(200)
    expect(res.json.identity).toMatchObject({ accessKey: ALICE.accessKeyId, accountId: ACCOUNT, caller: 'AIDAALICE', user: 'AIDAALICE', userArn: `arn:aws:iam::${ACCOUNT}:user/alice` })
  })

  it('§10.8 encoded path segments are double-encoded on both sides', async () => {
    const { url, signed } = await setup()
    expect((await send(url, signed({ path: '/pets/a%20b/%C3%A9' }))).status).toBe(200)
  })

  it('§10.8 POST body is covered by the signature', async () => {
    const { url, signed } = await setup({}, 'REST', { alice: { policy: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] } satisfies PolicyDocument } })
    const req = signed({ method: 'POST', path: '/pets', body: '{"name":"rex"}', headers: { 'content-type': 'application/json' } })
    expect((await send(url, req)).status).toBe(200)
    const tampered = await send(url, { ...req, body: '{"name":"rey"}' })
    expect(tampered.status).toBe(403)
    expect(tampered.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException')
    expect(tampered.json.message).toMatch(/^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\.\n\nThe Canonical String for this request should have been\n'POST\n\/pets\n\n/)
  })

  it('§10.8 attack: tampered signature → 403 INVALID_SIGNATURE', async () => {
    const { url, signed } = await setup()
    const req = signed({ path: '/pets' })
    const auth = req.headers.Authorization as string
    const res = await send(url, { ...req, headers: { ...req.headers, Authorization: auth.slice(0, -1) + (auth.endsWith('0') ? '1' : '0') } })
    expect(res.status).toBe(403)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException')
    expect(res.json.message).toContain("The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n")
  })

  it.each([
    ['§10.8 attack: skew of 6 minutes in the past', -6, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/],
    ['§10.8 skew of 6 minutes in the future', 6, /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/]
  ])('%s → 403', async (_name, minutes, message) => {
    const { url, signed } = await setup()
    const res = await send(url, signed({ path: '/pets', headers: { 'X-Amz-Date': formatAmzDate(Date.now() + minutes * 60_000) } }))
    expect(res.status).toBe(403)
    expect(res.json.message).toMatch(message)
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException')
  })

  it('§10.8 skew of 4 minutes is accepted', async () => {
    const { url, signed } = await setup()
    expect((await send(url, signed({ path: '/pets', headers: { 'X-Amz-Date': formatAmzDate(Date.now() - 4 * 60_000) } }))).status).toBe(200)
  })

  it('§10.8 presigned URL works, and a replay after X-Amz-Expires is refused', async () => {
    let clock = Date.now()
    const { url, signed } = await setup({ now: () => clock })
    const req = signed({ path: '/pets?X-Amz-Expires=60&tag=a', signQuery: true })
    expect(req.path).toContain('X-Amz-Signature=')
    expect((await send(url, req)).status).toBe(200)
    clock += 61_000
    const replay = await send(url, req)
    expect(replay.status).toBe(403)
    expect(replay.json.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/)
  })

  it('§10.8 presigned URL with temporary credentials carries X-Amz-Security-Token in the query', async () => {
    const { url, signed } = await setup()
    const req = signed({ path: '/pets?X-Amz-Expires=300', signQuery: true }, TEMP)
    expect(req.path).toContain('X-Amz-Security-Token=')
    const res = await send(url, req)
    expect(res.status).toBe(200)
    expect(res.json.identity).toMatchObject({ accessKey: TEMP.accessKeyId, userArn: `arn:aws:sts::${ACCOUNT}:assumed-role/r/s` })
  })

  it('§10.8 presigned URL with a changed query parameter fails', async () => {
    const { url, signed } = await setup()
    const req = signed({ path: '/pets?X-Amz-Expires=60&tag=a', signQuery: true })
    expect((await send(url, { ...req, path: req.path.replace('tag=a', 'tag=b') })).status).toBe(403)
  })

  it.each<[string, (r: { headers: Record<string, string> }) => Record<string, string>, string, string, string]>([
    ['§10.8 no Authorization → Missing Authentication Token', () => ({ Host: 'x' }), 'MISSING', '{"message":"Missing Authentication Token"}', 'MissingAuthenticationTokenException'],
    [
      '§10.8 malformed header → IncompleteSignatureException',
      (r) => ({ ...r.headers, Authorization: 'AWS4-HMAC-SHA256 Signature=abc' }),
      'INCOMPLETE',
      JSON.stringify({
        message: "Authorization header requires 'Credential' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Signature=abc"
      }),
      'IncompleteSignatureException'
    ],
    [
      '§10.8 unknown access key → UnrecognizedClientException',
      (r) => ({ ...r.headers, Authorization: (r.headers.Authorization as string).replace(ALICE.accessKeyId, 'AKIANOBODY0000000000') }),
      'UNKNOWN',
      '{"message":"The security token included in the request is invalid."}',
      'UnrecognizedClientException'
    ]
  ])('%s', async (_name, mutate, _tag, body, errorType) => {
    const { url, signed } = await setup()
    const r = signed({ path: '/pets' })
    const res = await send(url, { path: r.path, headers: mutate(r) })
    expect(res.status).toBe(403)
    expect(res.body).toBe(body)
    expect(res.headers.get('x-amzn-errortype')).toBe(errorType)
  })

  it('§10.8 credential scoped to another region → 403', async () => {
    const { url } = await setup()
    const host = new URL(url).host
    const req = { host, path: '/pets', service: 'execute-api', region: 'eu-west-1', headers: {} as Record<string, string> }
    aws4.sign(req, ALICE)
    const res = await send(url, { path: req.path, headers: req.headers })
    expect(res.status).toBe(403)
    expect(res.json.message).toBe("Credential should be scoped to a valid region, not 'eu-west-1'. ")
  })

  it('§10.8 temporary credentials: X-Amz-Security-Token must match', async () => {
    const { url, signed } = await setup()
    const req = signed({ path: '/pets' }, TEMP)
    expect(req.headers['X-Amz-Security-Token']).toBe(TEMP.sessionToken)
    expect((await send(url, req)).status).toBe(200)
    const wrong = signed({ path: '/pets' }, { ...TEMP, sessionToken: 'other' })
    const res = await send(url, wrong)
    expect(res.status).toBe(403)
    expect(res.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException')
  })

  it('§10.8 expired session token → 403 EXPIRED_TOKEN', async () => {
    const { url, signed } = await setup({}, 'REST', { temp: { expiration: Date.now() - 1000 } })
    const res = await send(url, signed({ path: '/pets' }, TEMP))
    expect(res.status).toBe(403)
    expect(res.body).toBe('{"message":"The security token included in the request is expired"}')
    expect(res.headers.get('x-amzn-errortype')).toBe('ExpiredTokenException')
  })

  it('§10.8 identity policy does not allow the method → ACCESS_DENIED with the IAM message', async () => {
    const { url, signed } = await setup()
    const res = await send(url, signed({ method: 'DELETE', path: '/pets/1' }))
    expect(res.status).toBe(403)
    expect(res.body).toBe(JSON.stringify({ Message: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: execute-api:Invoke on resource: ${ARN_PREFIX}/DELETE/pets/1` }))
    expect(res.headers.get('x-amzn-errortype')).toBe('AccessDeniedException')
  })

  it('§10.8 explicit deny in the identity policy', async () => {
    const policy: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${ARN_PREFIX}/GET/*` }, { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${ARN_PREFIX}/GET/admin*` }] }
    const { url, signed } = await setup({}, 'REST', { alice: { policy } })
    const res = await send(url, signed({ path: '/admin' }))
    expect(res.json.Message).toBe(`User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: execute-api:Invoke on resource: ${ARN_PREFIX}/GET/admin with an explicit deny`)
  })

  it('§10.9 IAM cross account: identity Allow alone is not enough; the resource policy must allow too', async () => {
    const plain = await setup()
    expect((await send(plain.url, plain.signed({ path: '/pets' }, OUTSIDER))).status).toBe(403)
    const rp = compileResourcePolicy({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }] }, { apiId: 'a1b2c3d4e5' })
    const withPolicy = await setup({ resourcePolicy: rp })
    expect((await send(withPolicy.url, withPolicy.signed({ path: '/pets' }, OUTSIDER))).status).toBe(200)
  })

  it('§10.9 IAM same account: a resource policy Allow suffices without an identity policy; its Deny wins', async () => {
    const rp = compileResourcePolicy(
      {
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
          { Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/prod/GET/secret' }
        ]
      },
      { apiId: 'a1b2c3d4e5' }
    )
    const { url, signed } = await setup({ resourcePolicy: rp }, 'REST', { alice: { policy: undefined } })
    expect((await send(url, signed({ method: 'DELETE', path: '/pets/1' }))).status).toBe(200)
    const denied = await send(url, signed({ path: '/secret' }))
    expect(denied.status).toBe(403)
    expect(denied.json.Message).toContain('with an explicit deny')
  })

  it('§2.2 HTTP API: identity under authorizer.iam; errors use the §12.3 catalogue', async () => {
    const { url, signed } = await setup({}, 'HTTP')
    const ok = await send(url, signed({ path: '/pets' }))
    expect(ok.json.authorizer).toEqual({
      iam: { accessKey: ALICE.accessKeyId, accountId: ACCOUNT, callerId: 'AIDAALICE', cognitoIdentity: null, principalOrgId: null, userArn: `arn:aws:iam::${ACCOUNT}:user/alice`, userId: 'AIDAALICE' }
    })
    const denied = await send(url, signed({ method: 'DELETE', path: '/pets' }))
    expect(denied.status).toBe(403)
    expect(denied.body).toBe('{"message":"Forbidden"}')
  })
})

describe('IAM failures on HTTP APIs (§10.8: same messages, lower-case `message`)', () => {
  it.each([
    ['§10.8 missing signature', (_s: (o: { path: string }) => { path: string; headers: Record<string, string> }) => ({ path: '/pets', headers: {} }), '{"message":"Missing Authentication Token"}'],
    [
      '§10.8 bad signature',
      (s: (o: { path: string }) => { path: string; headers: Record<string, string> }) => {
        const r = s({ path: '/pets' })
        return { path: '/pets?x=1', headers: r.headers }
      },
      /^\{"message":"The request signature we calculated does not match/
    ]
  ])('%s → 403, no x-amzn-ErrorType', async (_name, make, body) => {
    const { url, signed } = await setup({}, 'HTTP')
    const res = await send(url, make(signed))
    expect(res.status).toBe(403)
    if (typeof body === 'string') expect(res.body).toBe(body)
    else expect(res.body).toMatch(body)
    expect(res.headers.get('x-amzn-errortype')).toBeNull()
  })
})
