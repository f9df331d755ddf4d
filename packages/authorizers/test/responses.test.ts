import aws4 from 'aws4'
import { compileGatewayResponses, type Middleware } from '@gw/core'
import { describe, expect, it } from 'vitest'
import { iamAuthorizer, lambdaAuthorizer } from '@gw/authorizers'
import { send, serve } from './helpers.js'

const KEY = { accessKeyId: 'AKIARESPONSES0000001', secretAccessKey: 's3cr3t' }

function deny(): Promise<unknown> {
  return Promise.resolve({ principalId: 'u', policyDocument: { Statement: [{ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*' }] } })
}

const iam = (credentials: Parameters<typeof iamAuthorizer>[0]['credentials']): Middleware<object> => iamAuthorizer({ credentials })

function signed(host: string, path: string, creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = KEY): { path: string; headers: Record<string, string> } {
  const req = { host, path, service: 'execute-api', region: 'us-east-1', headers: {} as Record<string, string> }
  aws4.sign(req, creds)
  return { path: req.path, headers: req.headers }
}

interface Row {
  mw: Middleware<object>
  request: (host: string) => { path: string; headers: Record<string, string> }
}

const rows: [string, Row, number, string, string][] = [
  ['§12.1 ACCESS_DENIED (Message with capital M, §10.4)', { mw: lambdaAuthorizer({ invoke: deny }), request: () => ({ path: '/x', headers: { authorization: 't' } }) }, 403, '{"Message":"User is not authorized to access this resource with an explicit deny"}', 'AccessDeniedException'],
  ['§12.1 UNAUTHORIZED', { mw: lambdaAuthorizer({ invoke: deny }), request: () => ({ path: '/x', headers: {} }) }, 401, '{"message":"Unauthorized"}', 'UnauthorizedException'],
  [
    '§12.1 AUTHORIZER_FAILURE (credentials provider failed)',
    { mw: iam(() => Promise.reject(new Error('directory down'))), request: (host) => signed(host, '/x') },
    500,
    '{"message":"Internal server error"}',
    'AuthorizerFailureException'
  ],
  ['§12.1 AUTHORIZER_CONFIGURATION_ERROR (message null)', { mw: lambdaAuthorizer({ invoke: () => Promise.reject(new Error('boom')) }), request: () => ({ path: '/x', headers: { authorization: 't' } }) }, 500, '{"message":null}', 'AuthorizerConfigurationException'],
  [
    '§12.1 INVALID_SIGNATURE',
    { mw: iam(() => ({ secretAccessKey: 'other', principal: { arn: 'arn:aws:iam::123456789012:user/a', accountId: '123456789012' } })), request: (host) => signed(host, '/x') },
    403,
    'MISMATCH',
    'InvalidSignatureException'
  ],
  [
    '§12.1 EXPIRED_TOKEN',
    {
      mw: iam(() => ({ secretAccessKey: KEY.secretAccessKey, sessionToken: 'tok', expiration: 1, principal: { arn: 'arn:aws:iam::123456789012:user/a', accountId: '123456789012' } })),
      request: (host) => signed(host, '/x', { ...KEY, sessionToken: 'tok' })
    },
    403,
    '{"message":"The security token included in the request is expired"}',
    'ExpiredTokenException'
  ],
  ['§12.1 MISSING_AUTHENTICATION_TOKEN', { mw: iam(() => undefined), request: () => ({ path: '/x', headers: {} }) }, 403, '{"message":"Missing Authentication Token"}', 'MissingAuthenticationTokenException']
]

describe('gateway responses rendered exactly (§12.1)', () => {
  it.each(rows)('%s', async (_name, row, status, body, errorType) => {
    const url = await serve(row.mw)
    const res = await send(url, row.request(new URL(url).host))
    expect(res.status).toBe(status)
    if (body === 'MISMATCH') expect(res.body.startsWith('{"message":"The request signature we calculated does not match the signature you provided.')).toBe(true)
    else expect(res.body).toBe(body)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.headers.get('x-amzn-errortype')).toBe(errorType)
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.headers.get('x-amz-apigw-id')).toBeTruthy()
  })

  it('§12.2 customized UNAUTHORIZED and DEFAULT_4XX apply to authorizer rejections', async () => {
    const gatewayResponses = compileGatewayResponses({
      UNAUTHORIZED: { statusCode: 401, responseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" }, responseTemplates: { 'application/json': '{"error":$context.error.messageString,"type":"$context.error.responseType"}' } },
      DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" } }
    })
    const url = await serve(lambdaAuthorizer({ invoke: deny }), { gatewayResponses })
    const unauthorized = await send(url, { path: '/x' })
    expect(unauthorized.status).toBe(401)
    expect(unauthorized.body).toBe('{"error":"Unauthorized","type":"UNAUTHORIZED"}')
    expect(unauthorized.headers.get('www-authenticate')).toBe('Bearer')
    const denied = await send(url, { path: '/x', headers: { authorization: 't' } })
    expect(denied.status).toBe(403)
    expect(denied.headers.get('access-control-allow-origin')).toBe('*')
    expect(denied.body).toBe('{"Message":"User is not authorized to access this resource with an explicit deny"}')
  })
})
