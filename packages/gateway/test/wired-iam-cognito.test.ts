import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import aws4 from 'aws4'
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose'
import { describe, expect, it, onTestFinished } from 'vitest'
import { GwError, silentLogger } from '@gw/core'
import { createGateway, type ApiDefinitionInput, type IamCredentials } from '@gw/gateway'
import { mock, start } from './serve.js'

const ACCOUNT = '123456789012'
const API = 'iamapi0001'
const ALICE = { accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice-secret/abc+def' }
const BOB = { accessKeyId: 'AKIABOB0000000000001', secretAccessKey: 'bob-secret' }
const ALICE_ARN = `arn:aws:iam::${ACCOUNT}:user/alice`
const BOB_ARN = 'arn:aws:iam::999999999999:user/bob'
const arn = (method: string, path: string): string => `arn:aws:execute-api:us-east-1:${ACCOUNT}:${API}/prod/${method}/${path}`

/** alice: same account, identity policy allows everything; bob: another account, identity policy allows everything. */
const keys = new Map<string, IamCredentials>([
  [ALICE.accessKeyId, { secretAccessKey: ALICE.secretAccessKey, principal: { arn: ALICE_ARN, accountId: ACCOUNT, userId: 'AIDAALICE' }, policy: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] } }],
  [BOB.accessKeyId, { secretAccessKey: BOB.secretAccessKey, principal: { arn: BOB_ARN, accountId: '999999999999' }, policy: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] } }]
])
const iam = { credentials: (id: string) => keys.get(id) }

/** In-process aws_proxy Lambda answering its event's requestContext (§2.1 / §2.2). */
const echo = (event: unknown): Promise<unknown> => Promise.resolve({ statusCode: 200, body: JSON.stringify((event as { requestContext: unknown }).requestContext) })
const lambda = { type: 'AWS_PROXY' as const, httpMethod: 'POST', uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo/invocations` }

const restApi = (policy?: unknown): ApiDefinitionInput =>
  ({
    protocol: 'REST',
    id: API,
    name: 'iam',
    stages: { prod: {} },
    resources: {
      '/pets': { resourceMethods: { GET: { authorizationType: 'AWS_IAM', integration: lambda } } },
      '/private': { resourceMethods: { GET: { authorizationType: 'AWS_IAM', integration: mock } } }
    },
    ...(policy === undefined ? {} : { policy })
  })

interface Answer {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
}

/** Sends exactly these headers over node:http (fetch would add and rewrite some). */
function send(url: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

type Creds = { accessKeyId: string; secretAccessKey: string }

/** SigV4 headers for GET `path` (region us-east-1, service execute-api) made by aws4, and the signer for the expected strings. */
function signed(url: string, path: string, creds: Creds): { headers: Record<string, string>; signer: aws4.RequestSigner } {
  const host = new URL(url).host
  const req = { host, method: 'GET', path, service: 'execute-api', region: 'us-east-1', headers: {} as Record<string, string> }
  aws4.sign(req, creds)
  return { headers: { ...req.headers, Host: host }, signer: new aws4.RequestSigner(req, creds) }
}

describe('createGateway({ iam }): AWS_IAM methods through @gw/authorizers iamAuthorizer (§10.8), real HTTP, aws4 signatures', () => {
  it('§10.8 signed GET → 200; the aws_proxy event carries the caller in requestContext.identity (§2.1)', async () => {
    const url = await start(restApi(), { iam, integrations: { lambda: { echo } } })
    const res = await send(url, '/prod/pets', signed(url, '/prod/pets', ALICE).headers)
    expect(res.status).toBe(200)
    const context = JSON.parse(res.body) as { identity: Record<string, unknown>; accountId: string }
    expect(context.identity).toMatchObject({ accessKey: ALICE.accessKeyId, accountId: ACCOUNT, caller: 'AIDAALICE', user: 'AIDAALICE', userArn: ALICE_ARN, sourceIp: '127.0.0.1' })
  })

  it('§10.8 wrong secret → 403 InvalidSignatureException with the canonical request and string to sign', async () => {
    const url = await start(restApi(), { iam, integrations: { lambda: { echo } } })
    const { headers, signer } = signed(url, '/prod/pets', { accessKeyId: ALICE.accessKeyId, secretAccessKey: 'not-alice-secret' })
    const res = await send(url, '/prod/pets', headers)
    expect(res.status).toBe(403)
    expect(res.headers['x-amzn-errortype']).toBe('InvalidSignatureException')
    expect(res.body).toBe(
      JSON.stringify({
        message: `The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'${signer.canonicalString()}'\n\nThe String-to-Sign should have been\n'${signer.stringToSign()}'\n`
      })
    )
  })

  it.each([
    {
      name: '§10.8 unknown access key → 403 UnrecognizedClientException',
      headers: (url: string) => signed(url, '/prod/pets', { accessKeyId: 'AKIANOBODY0000000001', secretAccessKey: 'x' }).headers,
      body: '{"message":"The security token included in the request is invalid."}',
      type: 'UnrecognizedClientException'
    },
    { name: '§10.8 no Authorization header → 403 Missing Authentication Token', headers: () => ({}), body: '{"message":"Missing Authentication Token"}', type: 'MissingAuthenticationTokenException' }
  ])('$name', async ({ headers, body, type }) => {
    const url = await start(restApi(), { iam, integrations: { lambda: { echo } } })
    const res = await send(url, '/prod/pets', headers(url))
    expect([res.status, res.body, res.headers['x-amzn-errortype']]).toEqual([403, body, type])
  })

  const denyAlicePrivate = { Effect: 'Deny', Principal: { AWS: ALICE_ARN }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*/GET/private' }
  const allowBobPets = { Effect: 'Allow', Principal: { AWS: BOB_ARN }, Action: 'execute-api:Invoke', Resource: 'execute-api:/*/GET/pets' }
  it.each([
    { name: 'same account, identity Allow, policy silent → 200 (either allows)', creds: ALICE, path: 'pets', status: 200, body: undefined },
    {
      name: 'same account, resource policy explicit Deny → 403 naming the caller, with an explicit deny',
      creds: ALICE,
      path: 'private',
      status: 403,
      body: { Message: `User: ${ALICE_ARN} is not authorized to perform: execute-api:Invoke on resource: ${arn('GET', 'private')} with an explicit deny` }
    },
    { name: 'cross account, identity Allow and resource policy Allow → 200 (both must)', creds: BOB, path: 'pets', status: 200, body: undefined },
    {
      name: 'cross account, identity Allow, resource policy silent → 403 (both must)',
      creds: BOB,
      path: 'private',
      status: 403,
      body: { Message: `User: ${BOB_ARN} is not authorized to perform: execute-api:Invoke on resource: ${arn('GET', 'private')}` }
    }
  ])('§10.9 IAM + resource policy: $name', async ({ creds, path, status, body }) => {
    const url = await start(restApi({ Version: '2012-10-17', Statement: [denyAlicePrivate, allowBobPets] }), { iam, integrations: { lambda: { echo } } })
    const res = await send(url, `/prod/${path}`, signed(url, `/prod/${path}`, creds).headers)
    expect(res.status).toBe(status)
    if (body !== undefined) {
      expect(JSON.parse(res.body)).toEqual(body)
      expect(res.headers['x-amzn-errortype']).toBe('AccessDeniedException')
    }
  })

  it('§10.8 options.iam.region is the credential scope and the ARN region of the resource policy', async () => {
    const policy = { Statement: [{ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: `arn:aws:execute-api:eu-west-1:${ACCOUNT}:${API}/*/GET/private` }] }
    const url = await start(restApi(policy), { iam: { ...iam, region: 'eu-west-1' }, integrations: { lambda: { echo } } })
    const host = new URL(url).host
    const sign = (path: string, region: string): Record<string, string> => {
      const req = { host, method: 'GET', path, service: 'execute-api', region, headers: {} as Record<string, string> }
      aws4.sign(req, ALICE)
      return { ...req.headers, Host: host }
    }
    expect((await send(url, '/prod/pets', sign('/prod/pets', 'eu-west-1'))).status).toBe(200)
    expect((await send(url, '/prod/private', sign('/prod/private', 'eu-west-1'))).status).toBe(403)
    const wrongRegion = await send(url, '/prod/pets', sign('/prod/pets', 'us-east-1'))
    expect([wrongRegion.status, wrongRegion.headers['x-amzn-errortype']]).toEqual([403, 'InvalidSignatureException'])
  })

  it('§10.8 HTTP API AWS_IAM route: signed → 200 with requestContext.authorizer.iam (§2.2); unsigned → 403', async () => {
    const def = {
      protocol: 'HTTP',
      id: API,
      name: 'iam-http',
      integrations: { echo: { ...lambda, payloadFormatVersion: '2.0' } },
      routes: { 'GET /pets': { authorizationType: 'AWS_IAM', integrationId: 'echo' } }
    } as ApiDefinitionInput
    const url = await start(def, { iam, integrations: { lambda: { echo } } })
    const ok = await send(url, '/pets', signed(url, '/pets', ALICE).headers)
    expect(ok.status).toBe(200)
    expect((JSON.parse(ok.body) as { authorizer: unknown }).authorizer).toEqual({
      iam: { accessKey: ALICE.accessKeyId, accountId: ACCOUNT, callerId: 'AIDAALICE', cognitoIdentity: null, principalOrgId: null, userArn: ALICE_ARN, userId: 'AIDAALICE' }
    })
    const unsigned = await send(url, '/pets')
    expect([unsigned.status, unsigned.body]).toEqual([403, '{"message":"Missing Authentication Token"}'])
  })

  it('§10.8 an AWS_IAM method without options.iam is refused at construction, naming the option', () => {
    const build = (): unknown => createGateway(restApi(), { logger: silentLogger, integrations: { lambda: { echo } } })
    expect(build).toThrow(GwError)
    expect(build).toThrow(/prod GET \/pets: authorizationType AWS_IAM needs options\.iam/)
  })

  it('§10.8 options.iam.credentials as a static table { accessKeyId: credentials } → signed GET 200, unknown key 403', async () => {
    const url = await start(restApi(), { iam: { credentials: Object.fromEntries(keys) }, integrations: { lambda: { echo } } })
    expect((await send(url, '/prod/pets', signed(url, '/prod/pets', ALICE).headers)).status).toBe(200)
    const unknown = await send(url, '/prod/pets', signed(url, '/prod/pets', { accessKeyId: 'AKIANOBODY0000000001', secretAccessKey: 'x' }).headers)
    expect([unknown.status, unknown.headers['x-amzn-errortype']]).toEqual([403, 'UnrecognizedClientException'])
  })

  it('a static table is validated at construction: a bad identity policy is GW_CONFIG_INVALID naming its path', () => {
    const credentials = { [ALICE.accessKeyId]: { secretAccessKey: 's', principal: { arn: ALICE_ARN, accountId: ACCOUNT }, policy: JSON.stringify({ Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }) } }
    expect(() => createGateway(restApi(), { logger: silentLogger, iam: { credentials } })).toThrow(new RegExp(`iam\\.credentials\\.${ALICE.accessKeyId}\\.policy: `))
  })

  it('options.iam is validated once: credentials must be a function or a table, accountId 12 digits', () => {
    const bad = { credentials: 'keys', accountId: '42' } as unknown as typeof iam
    expect(() => createGateway(restApi(), { logger: silentLogger, iam: bad })).toThrow(/iam\.credentials[\s\S]*iam\.accountId|iam\.accountId[\s\S]*iam\.credentials/)
  })
})

/** A local Cognito stand-in: `{poolId}/.well-known/jwks.json` on node:http, port 0. */
async function startJwks(jwk: Record<string, unknown>): Promise<string> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    if (req.url?.endsWith('/.well-known/jwks.json') === true) res.end(JSON.stringify({ keys: [jwk] }))
    else {
      res.statusCode = 404
      res.end('{}')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`
}

const POOL = 'us-east-1_Ab12Cd34'
const cognitoApi: ApiDefinitionInput = {
  protocol: 'REST',
  id: API,
  name: 'cognito',
  stages: { prod: {} },
  authorizers: { pool: { type: 'COGNITO_USER_POOLS', providerARNs: [`arn:aws:cognito-idp:us-east-1:${ACCOUNT}:userpool/${POOL}`], identitySource: 'method.request.header.Authorization' } },
  resources: { '/pets': { resourceMethods: { GET: { authorizationType: 'COGNITO_USER_POOLS', authorizerId: 'pool', integration: lambda } } } }
}

describe('createGateway({ cognito: { issuerBaseUrl } }): COGNITO_USER_POOLS against a local JWKS (§10.6)', () => {
  it.each([
    { name: 'valid ID token → 200 with claims in requestContext.authorizer.claims', claims: {}, status: 200 },
    { name: 'expired token → 401 Unauthorized', claims: { exp: Math.floor(Date.now() / 1000) - 3600 }, status: 401 },
    { name: 'wrong issuer → 401 Unauthorized', claims: { iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34' }, status: 401 }
  ])('§10.6 $name', async ({ claims, status }) => {
    const { privateKey, publicKey } = await generateKeyPair('RS256')
    const base = await startJwks({ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' })
    const url = await start(cognitoApi, { cognito: { issuerBaseUrl: base }, integrations: { lambda: { echo } } })
    const now = Math.floor(Date.now() / 1000)
    const payload: JWTPayload = { sub: 'u-1', aud: 'client-1', token_use: 'id', iss: `${base}/${POOL}`, iat: now - 10, exp: now + 600, ...claims }
    const token = await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey)
    const res = await send(url, '/prod/pets', { Authorization: token })
    expect(res.status).toBe(status)
    if (status === 200) expect((JSON.parse(res.body) as { authorizer: { claims: Record<string, string> } }).authorizer.claims).toMatchObject({ sub: 'u-1', aud: 'client-1', token_use: 'id' })
    else expect(res.body).toBe('{"message":"Unauthorized"}')
  })

  it('options.cognito.issuerBaseUrl must be a URL (validated once)', () => {
    expect(() => createGateway(cognitoApi, { logger: silentLogger, cognito: { issuerBaseUrl: 'not a url' } })).toThrow(/cognito\.issuerBaseUrl/)
  })
})
