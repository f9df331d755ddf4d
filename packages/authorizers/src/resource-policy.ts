import { ConfigInvalid, parseOptions, reject, type GatewayContext, type Middleware } from '@gw/core'
import { z } from 'zod'
import { conditionLookup, type PrincipalAttributes } from './condition-keys.js'
import { arnOptionsSchema, methodArnBuilder, type ArnOptions, type ResolvedArnOptions } from './method-arn.js'
import { compilePolicy, type PolicyDecision, type PolicyDocument } from './policy.js'

/** Longest resource policy API Gateway stores (§10.9, §15). */
export const MAX_RESOURCE_POLICY_CHARS = 8192

/** A resource policy compiled once, evaluated per request (§10.9). */
export interface ResourcePolicy {
  /** Decision for `execute-api:Invoke` on `methodArn` by `principal` (`null` = anonymous). */
  evaluate(ctx: GatewayContext<object>, methodArn: string, principal: PrincipalAttributes | null): PolicyDecision
}

/**
 * Compiles a resource policy (object or JSON string, ≤ 8192 chars). The
 * OpenAPI shorthand `execute-api:/…` is expanded to
 * `arn:{partition}:execute-api:{region}:{accountId}:{apiId}/…` (§10.9).
 * @throws GwError GW_CONFIG_INVALID when the document is malformed or too long
 * @example
 * const rp = compileResourcePolicy({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }] }, { apiId: 'a1b2c3' })
 */
export function compileResourcePolicy(policy: PolicyDocument | string, arn?: ArnOptions): ResourcePolicy {
  const arnOptions = parseOptions(arnOptionsSchema, arn, 'compileResourcePolicy.arn')
  const text = typeof policy === 'string' ? policy : JSON.stringify(policy)
  if (text.length > MAX_RESOURCE_POLICY_CHARS) throw ConfigInvalid(`resource policy: ${text.length} characters, at most ${MAX_RESOURCE_POLICY_CHARS} (aws-semantics §10.9)`)
  const result = compilePolicy(expandShorthand(text, arnOptions))
  if (!result.ok) throw ConfigInvalid(`resource policy: ${result.reason}`)
  const compiled = result.policy
  return {
    evaluate(ctx, methodArn, principal) {
      return compiled.evaluate({ action: 'execute-api:Invoke', resource: methodArn, principal, condition: conditionLookup(ctx, principal) })
    }
  }
}

function expandShorthand(text: string, arn: ResolvedArnOptions): unknown {
  let doc: unknown
  try {
    doc = JSON.parse(text) as unknown
  } catch {
    throw ConfigInvalid('resource policy: not valid JSON')
  }
  const prefix = `arn:${arn.partition}:execute-api:${arn.region}:${arn.accountId}:${arn.apiId}/`
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return value.startsWith('execute-api:/') ? prefix + value.slice('execute-api:/'.length) : value
    if (Array.isArray(value)) return value.map(walk)
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) out[k] = k === 'Resource' || k === 'NotResource' ? walk(v) : v
      if (Array.isArray(out.Statement) || (out.Statement !== null && typeof out.Statement === 'object')) out.Statement = walk(out.Statement)
      return out
    }
    return value
  }
  return walk(doc)
}

/**
 * How the method authenticates, which decides how the resource policy
 * combines with it (§10.9 table): `NONE` needs an explicit Allow; the others
 * only apply the explicit-Deny check here (phase 1) and combine in the
 * authorizer (pass the same `ResourcePolicy` as its `resourcePolicy` option).
 */
export type ResourcePolicyAuthType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'COGNITO_USER_POOLS' | 'JWT'

/** A `ResourcePolicy` from `compileResourcePolicy()` (a parsed JSON document never carries an `evaluate` function). */
function isCompiled(v: unknown): v is ResourcePolicy {
  return typeof v === 'object' && v !== null && typeof (v as ResourcePolicy).evaluate === 'function'
}

const schema = z
  .object({
    /** The policy document (object or JSON text, ≤ 8192 characters), or one already compiled by `compileResourcePolicy()`. */
    policy: z.union([
      z.string().min(1),
      z.custom<ResourcePolicy>(isCompiled),
      z.custom<PolicyDocument>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'a policy document object')
    ]),
    arn: arnOptionsSchema,
    authorizationType: z.enum(['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS', 'JWT']).default('NONE')
  })
  .strict()

/** Options of `resourcePolicy()`. */
export type ResourcePolicyOptions = z.input<typeof schema>

/** `User: anonymous is not authorized to perform: execute-api:Invoke on resource: … [with an explicit deny]` (§10.9). */
export function accessDeniedMessage(user: string, arn: string, explicit: boolean): string {
  return `User: ${user} is not authorized to perform: execute-api:Invoke on resource: ${arn}${explicit ? ' with an explicit deny' : ''}`
}

/**
 * Resource-policy middleware (REST, §0.1 step 3, §10.9). Place it before the
 * authorizer. Explicit Deny → 403 ACCESS_DENIED
 * `{"Message":"User: anonymous is not authorized … with an explicit deny"}`;
 * with `authorizationType: 'NONE'` anything but an explicit Allow → 403.
 * The source IP is `ctx.sourceIp` (socket address unless the adapter's
 * `trustProxy` admits `X-Forwarded-For`). `policy` may also be a
 * `ResourcePolicy` from `compileResourcePolicy()`, so the middleware and the
 * authorizers' `resourcePolicy` option share one compilation; `arn` then only
 * builds the method ARN (compile with the same `arn`).
 * @throws GwError GW_CONFIG_INVALID on a malformed policy or options
 * @example
 * const rp = resourcePolicy({ policy: { Statement: [{ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8'] } } }] } })
 * const shared = compileResourcePolicy(document, { apiId: 'a1b2c3' })
 * const phase1 = resourcePolicy({ policy: shared, arn: { apiId: 'a1b2c3' }, authorizationType: 'AWS_IAM' })
 */
export function resourcePolicy(options: ResourcePolicyOptions): Middleware<object> {
  const opts = parseOptions(schema, options, 'resourcePolicy')
  // A compiled policy is shared as is: a gateway compiles each definition's policy once for this step and its authorizers.
  const compiled = isCompiled(opts.policy) ? opts.policy : compileResourcePolicy(opts.policy, opts.arn)
  const arnOf = methodArnBuilder(opts.arn)
  const requireAllow = opts.authorizationType === 'NONE'
  return function resourcePolicyMiddleware(ctx, next) {
    const arn = arnOf(ctx)
    const decision = compiled.evaluate(ctx, arn, null)
    if (decision === 'Deny') return reject(ctx, 'ACCESS_DENIED', { message: accessDeniedMessage('anonymous', arn, true) })
    if (requireAllow && decision !== 'Allow') return reject(ctx, 'ACCESS_DENIED', { message: accessDeniedMessage('anonymous', arn, false) })
    return next()
  }
}

/** How an authorizer's own decision combines with the resource policy's (§10.9 table). */
export type CombineRule = 'either' | 'both' | 'resource'

/**
 * Combines decisions per §10.9: explicit Deny anywhere wins; `either` (Lambda
 * authorizer, IAM same account): Allow if one allows; `both` (IAM cross
 * account): both must allow; `resource` (Cognito/JWT after authentication):
 * the resource policy must allow.
 */
export function combineDecisions(rule: CombineRule, auth: PolicyDecision, resource: PolicyDecision): PolicyDecision {
  if (auth === 'Deny' || resource === 'Deny') return 'Deny'
  switch (rule) {
    case 'either':
      return auth === 'Allow' || resource === 'Allow' ? 'Allow' : 'None'
    case 'both':
      return auth === 'Allow' && resource === 'Allow' ? 'Allow' : 'None'
    case 'resource':
      return resource
  }
}
