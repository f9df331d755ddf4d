import { describe, expect, it } from 'vitest'
import { messageEvent, type ConnectionFacts } from '../src/lambda-events.js'

// The MESSAGE event is one object literal made afresh per message, handed to an in-process handler without the
// JSON copy (FreshEvent): it must have the §14.6 fields in the §14.6 order and share nothing with the connection
// or with another event.
const facts: ConnectionFacts = {
  connectionId: 'XfGLwfWzNjMCJCw=',
  connectedAt: 1607854667185,
  apiId: 'abc123',
  stage: 'dev',
  domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
  sourceIp: '203.0.113.0',
  userAgent: 'wscat',
  authorizer: { principalId: 'user-1', room: 'r1', level: '3', integrationLatency: 12 },
  identity: undefined,
  apiKey: undefined
}
const e = { eventType: 'MESSAGE' as const, routeKey: 'sendMessage', requestId: 'XfGLwFTktjMFsLg=', requestTimeEpoch: 1607854667186, messageId: 'Xf+Lw/Tkt1MFsLg=' }
const identity = { accountId: null, apiKey: null, apiKeyId: null, caller: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: '203.0.113.0', user: null, userAgent: 'wscat', userArn: null, accessKey: null }
const requestContext = {
  routeKey: 'sendMessage', eventType: 'MESSAGE', messageId: 'Xf+Lw/Tkt1MFsLg=', messageDirection: 'IN', extendedRequestId: 'XfGLwFTktjMFsLg=',
  requestTime: '13/Dec/2020:10:17:47 +0000', requestTimeEpoch: 1607854667186, connectedAt: 1607854667185, connectionId: 'XfGLwfWzNjMCJCw=',
  stage: 'dev', domainName: 'abc123.execute-api.us-east-1.amazonaws.com', apiId: 'abc123', requestId: 'XfGLwFTktjMFsLg=', identity
}

describe('MESSAGE event (§14.6)', () => {
  it('fields in order, authorizer context last; a text body as is, a binary frame base64 (§14.4)', () => {
    const text = '{"action":"sendMessage","text":"é \\" \\n"}'
    expect(JSON.stringify(messageEvent(facts, e, Buffer.from(text), false, text))).toBe(
      JSON.stringify({ requestContext: { ...requestContext, authorizer: facts.authorizer }, body: text, isBase64Encoded: false })
    )
    const binary = Buffer.from([0xff, 0x00, 0xfe])
    expect(JSON.stringify(messageEvent({ ...facts, authorizer: undefined }, e, binary, true, undefined))).toBe(JSON.stringify({ requestContext, body: '/wD+', isBase64Encoded: true }))
  })

  it('IAM identity fields (§10.8) replace the nulls in place', () => {
    const iam = { accessKey: 'AKIAEXAMPLE', user: 'AIDAEXAMPLE', userArn: 'arn:aws:iam::123456789012:user/a', caller: 'AIDAEXAMPLE', accountId: '123456789012' }
    const event = messageEvent({ ...facts, identity: iam }, e, Buffer.from('x'), false, 'x') as { requestContext: { identity: Record<string, unknown> } }
    expect(JSON.stringify(event.requestContext.identity)).toBe(JSON.stringify({ ...identity, ...iam }))
  })

  it('shares nothing: a handler changing its event changes neither the connection nor the next event', () => {
    const nested: ConnectionFacts = { ...facts, authorizer: { principalId: 'p', claims: { sub: 'a' } } }
    for (const f of [facts, nested]) {
      const first = messageEvent(f, e, Buffer.from('x'), false, 'x') as { requestContext: { authorizer: Record<string, unknown>; identity: Record<string, unknown> } }
      const before = JSON.stringify(f.authorizer)
      first.requestContext.authorizer.principalId = 'changed'
      ;(first.requestContext.authorizer.claims as Record<string, unknown> | undefined ?? {}).sub = 'changed'
      first.requestContext.identity.sourceIp = 'changed'
      expect(JSON.stringify(f.authorizer)).toBe(before)
      const second = messageEvent(f, e, Buffer.from('x'), false, 'x') as typeof first
      expect(second.requestContext.authorizer).toEqual(f.authorizer)
      expect(second.requestContext.identity.sourceIp).toBe('203.0.113.0')
    }
  })
})
