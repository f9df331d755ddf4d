import { describe, expect, it } from 'vitest'
import { cognitoAuthorizer, compileResourcePolicy, type CognitoAuthorizerOptions } from '@gw/authorizers'
import { call, serve } from './helpers.js'
import { makeKey, sign, startIssuer, type TestKey } from './jwks-server.js'

const POOL = 'us-east-1_Ab12Cd34'
const POOL_ARN = `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${POOL}`
const now = (): number => Math.floor(Date.now() / 1000)

async function setup(options: Partial<CognitoAuthorizerOptions> = {}): Promise<{ iss: string; key: TestKey; url: string; hits: () => number }> {
  const key = await makeKey('c1')
  const issuer = await startIssuer([key])
  const url = await serve(cognitoAuthorizer({ providerARNs: [POOL_ARN], issuerBaseUrl: issuer.url, ...options }))
  return { iss: `${issuer.url}/${POOL}`, key, url, hits: () => issuer.hitsTo(`/${POOL}/.well-known/jwks.json`) }
}

const idClaims = (iss: string): Record<string, unknown> => ({
  iss,
  aud: 'client123',
  token_use: 'id',
  sub: 'abc',
  'cognito:groups': ['admins', 'users'],
  email_verified: true,
  exp: now() + 600
})

describe('Cognito user pool authorizer (§10.6)', () => {
  it('§10.6 ID token → 200; claims as strings under `claims` (§2.1), JWKS from the pool URL', async () => {
    const { iss, key, url, hits } = await setup()
    const claims = idClaims(iss)
    const res = await call(`${url}/pets`, { headers: { authorization: await sign(key, claims) } })
    expect(res.status).toBe(200)
    expect(res.json.authorizer).toEqual({
      claims: { iss, aud: 'client123', token_use: 'id', sub: 'abc', 'cognito:groups': 'admins,users', email_verified: 'true', exp: String(claims.exp) }
    })
    expect(hits()).toBe(1)
  })

  it.each<[string, Partial<CognitoAuthorizerOptions>, (iss: string) => Record<string, unknown>, Record<string, string>, number]>([
    ['§10.6 attack: access token where an ID token is expected (wrong token_use)', {}, (iss) => ({ ...idClaims(iss), token_use: 'access' }), {}, 401],
    ['§10.6 scopes: access token with a method scope', { authorizationScopes: ['pets/read'] }, (iss) => ({ iss, client_id: 'c', token_use: 'access', scope: 'pets/read', exp: now() + 60 }), {}, 200],
    ['§10.6 scopes: ID token is refused (token_use)', { authorizationScopes: ['pets/read'] }, idClaims, {}, 401],
    ['§10.6 scopes: access token without the scope → 401', { authorizationScopes: ['pets/read'] }, (iss) => ({ iss, token_use: 'access', scope: 'pets/write', exp: now() + 60 }), {}, 401],
    ['§10.6 attack: expired', {}, (iss) => ({ ...idClaims(iss), exp: now() - 60 }), {}, 401],
    ['§10.6 attack: not yet valid', {}, (iss) => ({ ...idClaims(iss), nbf: now() + 120 }), {}, 401],
    ['§10.6 attack: another pool as issuer', {}, (iss) => ({ ...idClaims(iss), iss: iss.replace(POOL, 'us-east-1_Other999') }), {}, 401],
    ['§10.6 identityValidationExpression matches aud', { identityValidationExpression: 'client1\\d+' }, idClaims, {}, 200],
    ['§10.6 identityValidationExpression mismatch', { identityValidationExpression: 'web-.*' }, idClaims, {}, 401],
    ['§10.6 Bearer prefix rejected by default', {}, idClaims, { prefix: 'Bearer ' }, 401],
    ['§10.6 Bearer prefix allowed when configured', { allowBearerPrefix: true }, idClaims, { prefix: 'Bearer ' }, 200]
  ])('%s', async (_name, options, claims, extra, status) => {
    const { iss, key, url } = await setup(options)
    const res = await call(`${url}/pets`, { headers: { authorization: `${extra.prefix ?? ''}${await sign(key, claims(iss))}` } })
    expect(res.status).toBe(status)
    if (status === 401) {
      expect(res.body).toBe('{"message":"Unauthorized"}')
      expect(res.headers.get('x-amzn-errortype')).toBe('UnauthorizedException')
    }
  })

  it('§10.6 missing token → 401', async () => {
    const { url } = await setup()
    expect((await call(`${url}/pets`)).status).toBe(401)
  })

  it('§10.9 Cognito + resource policy: authenticated, then the resource policy must allow', async () => {
    const rp = compileResourcePolicy({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/prod/GET/pets' }] }, { apiId: 'a1b2c3d4e5' })
    const { iss, key, url } = await setup({ resourcePolicy: rp, arn: { apiId: 'a1b2c3d4e5' } })
    const token = await sign(key, idClaims(iss))
    expect((await call(`${url}/pets`, { headers: { authorization: token } })).status).toBe(200)
    const other = await call(`${url}/users`, { headers: { authorization: token } })
    expect(other.status).toBe(403)
    expect(other.json.Message).toBe('User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/users')
  })
})
