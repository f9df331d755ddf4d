import { describe, expect, it } from 'vitest'
import { combineDecisions, compilePolicy, compileWildcard, createPolicyCache, matchWildcard, type PolicyDecision, type PolicyRequest } from '@gw/authorizers'

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/42'

describe('IAM wildcards (§10.4: `*` any sequence including `/`, `?` one character)', () => {
  it.each([
    ['§10.4 literal match', ARN, ARN, true],
    ['§10.4 literal differs', ARN, `${ARN}3`, false],
    ['§10.4 * crosses /', 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*', ARN, true],
    ['§10.4 * inside a segment', 'arn:aws:execute-api:*:*:a1b2c3d4e5/prod/*/pets/*', ARN, true],
    ['§10.4 ? is one character', 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/4?', ARN, true],
    ['§10.4 ? is not zero characters', 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/42?', ARN, false],
    ['§10.4 other method', 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/*', ARN, false],
    ['§10.4 ARN match is case-sensitive', 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/get/*', ARN, false],
    ['§10.4 bare *', '*', ARN, true],
    ['§10.4 many stars, no backtracking blow-up', '*a*a*a*a*a*a*a*b', 'a'.repeat(5000), false]
  ])('%s', (_name, pattern, value, expected) => {
    expect(matchWildcard(compileWildcard(pattern), value)).toBe(expected)
  })

  it('§10.4 action names match case-insensitively', () => {
    expect(matchWildcard(compileWildcard('Execute-API:*', true), 'execute-api:Invoke')).toBe(true)
  })
})

function req(overrides: Partial<PolicyRequest> & { keys?: Record<string, string> } = {}): PolicyRequest {
  const keys = overrides.keys ?? {}
  return {
    action: overrides.action ?? 'execute-api:Invoke',
    resource: overrides.resource ?? ARN,
    principal: overrides.principal ?? null,
    condition: (k) => keys[k]
  }
}

function decide(doc: unknown, r: PolicyRequest = req()): PolicyDecision {
  const c = compilePolicy(doc)
  if (!c.ok) throw new Error(c.reason)
  return c.policy.evaluate(r)
}

const allow = (extra: object = {}): object => ({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*', ...extra })
const deny = (extra: object = {}): object => ({ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: '*', ...extra })

describe('policy evaluation (§10.4, §10.9: explicit Deny wins, then Allow, else implicit deny)', () => {
  it.each<[string, object, PolicyRequest, PolicyDecision]>([
    ['§10.4 Allow matches', { Statement: [allow()] }, req(), 'Allow'],
    ['§10.4 single statement object', { Statement: allow() }, req(), 'Allow'],
    ['§10.4 no match is implicit deny', { Statement: [allow({ Resource: 'arn:aws:execute-api:*:*:*/prod/POST/*' })] }, req(), 'None'],
    ['§10.4 explicit Deny beats Allow', { Statement: [allow(), deny({ Resource: `${ARN.slice(0, -2)}*` })] }, req(), 'Deny'],
    ['§10.4 Action execute-api:*', { Statement: [allow({ Action: 'execute-api:*' })] }, req(), 'Allow'],
    ['§10.4 Action *', { Statement: [allow({ Action: '*' })] }, req(), 'Allow'],
    ['§10.9 Action InvalidateCache does not allow Invoke', { Statement: [allow({ Action: 'execute-api:InvalidateCache' })] }, req(), 'None'],
    ['§10.4 Action array', { Statement: [allow({ Action: ['s3:GetObject', 'execute-api:Invoke'] })] }, req(), 'Allow'],
    ['§10.9 NotResource excludes', { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', NotResource: '*/pets/*' }] }, req(), 'None'],
    ['§10.9 Principal * matches anonymous', { Statement: [allow({ Principal: '*' })] }, req(), 'Allow'],
    ['§10.9 Principal AWS account does not match anonymous', { Statement: [allow({ Principal: { AWS: '123456789012' } })] }, req(), 'None'],
    ['§10.9 Principal AWS account root matches a user of the account', { Statement: [allow({ Principal: { AWS: 'arn:aws:iam::123456789012:root' } })] }, req({ principal: { arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' } }), 'Allow'],
    ['§10.9 Principal user ARN exact', { Statement: [allow({ Principal: { AWS: ['arn:aws:iam::123456789012:user/bob'] } })] }, req({ principal: { arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' } }), 'None'],
    ['§10.9 IpAddress v4 CIDR in', { Statement: [allow({ Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } } })] }, req({ keys: { 'aws:sourceip': '10.1.2.3' } }), 'Allow'],
    ['§10.9 IpAddress v4 CIDR out', { Statement: [allow({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })] }, req({ keys: { 'aws:sourceip': '11.1.2.3' } }), 'None'],
    ['§10.9 IpAddress IPv4-mapped IPv6 source', { Statement: [allow({ Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } })] }, req({ keys: { 'aws:sourceip': '::ffff:127.0.0.1' } }), 'Allow'],
    ['§10.9 IpAddress v6 CIDR', { Statement: [allow({ Condition: { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } } })] }, req({ keys: { 'aws:sourceip': '2001:db8:1::5' } }), 'Allow'],
    ['§10.9 IpAddress v6 CIDR out', { Statement: [allow({ Condition: { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } } })] }, req({ keys: { 'aws:sourceip': '2001:db9::5' } }), 'None'],
    ['§10.9 IpAddress single address', { Statement: [allow({ Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.7' } } })] }, req({ keys: { 'aws:sourceip': '192.0.2.7' } }), 'Allow'],
    ['§10.9 NotIpAddress deny outside', { Statement: [allow(), deny({ Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } } })] }, req({ keys: { 'aws:sourceip': '203.0.113.9' } }), 'Deny'],
    ['§10.9 NotIpAddress inside is allowed', { Statement: [allow(), deny({ Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } } })] }, req({ keys: { 'aws:sourceip': '10.9.9.9' } }), 'Allow'],
    ['§10.9 StringEquals aws:SourceVpc', { Statement: [allow({ Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1a2b' } } })] }, req({ keys: { 'aws:sourcevpc': 'vpc-1a2b' } }), 'Allow'],
    ['§10.9 StringEquals aws:SourceVpce mismatch', { Statement: [allow({ Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } } })] }, req({ keys: { 'aws:sourcevpce': 'vpce-2' } }), 'None'],
    ['§10.9 StringEquals missing key is false', { Statement: [allow({ Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } } })] }, req(), 'None'],
    ['§10.9 StringNotEquals missing key is true', { Statement: [allow({ Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-1' } } })] }, req(), 'Allow'],
    ['§10.9 StringEqualsIfExists missing key is true', { Statement: [allow({ Condition: { StringEqualsIfExists: { 'aws:SourceVpc': 'vpc-1' } } })] }, req(), 'Allow'],
    ['§10.9 StringLike aws:Referer wildcard', { Statement: [allow({ Condition: { StringLike: { 'aws:Referer': 'https://*.example.com/*' } } })] }, req({ keys: { 'aws:referer': 'https://app.example.com/page' } }), 'Allow'],
    ['§10.9 StringLike aws:UserAgent no match', { Statement: [allow({ Condition: { StringLike: { 'aws:UserAgent': 'curl/*' } } })] }, req({ keys: { 'aws:useragent': 'Mozilla/5.0' } }), 'None'],
    ['§10.9 StringNotLike aws:UserAgent', { Statement: [allow(), deny({ Condition: { StringNotLike: { 'aws:UserAgent': 'curl/*' } } })] }, req({ keys: { 'aws:useragent': 'Mozilla/5.0' } }), 'Deny'],
    ['§10.9 StringEquals aws:PrincipalOrgID', { Statement: [allow({ Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } })] }, req({ keys: { 'aws:principalorgid': 'o-abc' } }), 'Allow'],
    ['§10.9 OR across values of one key', { Statement: [allow({ Condition: { StringEquals: { 'aws:SourceVpc': ['vpc-1', 'vpc-2'] } } })] }, req({ keys: { 'aws:sourcevpc': 'vpc-2' } }), 'Allow'],
    ['§10.9 AND across operators', { Statement: [allow({ Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })] }, req({ keys: { 'aws:sourcevpc': 'vpc-1', 'aws:sourceip': '11.0.0.1' } }), 'None'],
    ['§10.9 condition key names are case-insensitive', { Statement: [allow({ Condition: { StringEquals: { 'AWS:SOURCEVPC': 'vpc-1' } } })] }, req({ keys: { 'aws:sourcevpc': 'vpc-1' } }), 'Allow'],
    ['§10.9 DateLessThan aws:CurrentTime', { Statement: [allow({ Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } })] }, req({ keys: { 'aws:currenttime': '2026-11-28T00:00:00.000Z' } }), 'Allow'],
    ['§10.9 Bool aws:SecureTransport false', { Statement: [allow(), deny({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] }, req({ keys: { 'aws:securetransport': 'false' } }), 'Deny']
  ])('%s', (_name, doc, r, expected) => {
    expect(decide(doc, r)).toBe(expected)
  })

  it.each([
    ['not an object', 42],
    ['no Statement', { Version: '2012-10-17' }],
    ['bad Effect', { Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }],
    ['Action and NotAction', { Statement: [{ Effect: 'Allow', Action: '*', NotAction: '*', Resource: '*' }] }],
    ['no Resource', { Statement: [{ Effect: 'Allow', Action: '*' }] }],
    ['bad CIDR', { Statement: [allow({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/99' } } })] }],
    ['not an IP', { Statement: [allow({ Condition: { IpAddress: { 'aws:SourceIp': 'example.com' } } })] }],
    ['unknown operator', { Statement: [allow({ Condition: { StringSortOf: { 'aws:UserAgent': 'x' } } })] }],
    ['invalid JSON string', '{"Statement":']
  ])('§10.4 malformed policy is refused: %s', (_name, doc) => {
    expect(compilePolicy(doc).ok).toBe(false)
  })
})

describe('combination with authentication (§10.9 table)', () => {
  it.each<[string, 'either' | 'both' | 'resource', PolicyDecision, PolicyDecision, PolicyDecision]>([
    ['§10.9 Lambda/IAM same account: authorizer allows, resource silent', 'either', 'Allow', 'None', 'Allow'],
    ['§10.9 Lambda/IAM same account: resource allows, authorizer silent', 'either', 'None', 'Allow', 'Allow'],
    ['§10.9 same account: neither allows', 'either', 'None', 'None', 'None'],
    ['§10.9 same account: explicit deny in resource wins', 'either', 'Allow', 'Deny', 'Deny'],
    ['§10.9 same account: explicit deny in authorizer wins', 'either', 'Deny', 'Allow', 'Deny'],
    ['§10.9 IAM cross account: both allow', 'both', 'Allow', 'Allow', 'Allow'],
    ['§10.9 IAM cross account: only IAM allows', 'both', 'Allow', 'None', 'None'],
    ['§10.9 IAM cross account: only resource allows', 'both', 'None', 'Allow', 'None'],
    ['§10.9 Cognito: resource must allow', 'resource', 'Allow', 'None', 'None'],
    ['§10.9 Cognito: resource allows', 'resource', 'Allow', 'Allow', 'Allow']
  ])('%s', (_name, rule, auth, resource, expected) => {
    expect(combineDecisions(rule, auth, resource)).toBe(expected)
  })
})

describe('createPolicyCache: each identity policy compiled once (§10.8)', () => {
  const allow = { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ARN }] }
  const request = req()

  it.each([
    ['a policy object', allow],
    ['a policy as JSON text', JSON.stringify(allow)]
  ])('%s: compiled once, the same compiled policy each time', (_name, policy) => {
    const policyOf = createPolicyCache()
    const first = policyOf(policy)
    expect(first?.evaluate(request)).toBe('Allow')
    expect(policyOf(policy)).toBe(first)
  })

  it.each([
    ['no policy', undefined],
    ['null', null],
    ['text that is not JSON', '{'],
    ['an object without statements', { Version: '2012-10-17' }],
    ['a number', 42]
  ])('%s is null: nothing is allowed', (_name, policy) => {
    const policyOf = createPolicyCache()
    expect(policyOf(policy)).toBeNull()
    expect(policyOf(policy)).toBeNull()
  })
})
