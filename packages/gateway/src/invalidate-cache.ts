import { arnOptionsSchema, compilePolicy, conditionLookup, methodArnBuilder, type ArnOptions, type CompiledPolicy, type CredentialsProvider } from '@gw/authorizers'
import type { GatewayContext } from '@gw/core'

/**
 * `canInvalidate` of the stage cache (aws-semantics §7): a caller may send
 * `Cache-Control: max-age=0` under `requireAuthorizationForCacheControl`
 * when it was authenticated by IAM (SigV4, §10.8) and its identity policy
 * allows `execute-api:InvalidateCache` on the method ARN. Everyone else
 * (anonymous, API key, Lambda or Cognito authorizers) is unauthorized, as
 * on AWS ("IAM-authenticated callers").
 */
export function iamInvalidateCache(credentials: CredentialsProvider, arn: ArnOptions): (ctx: GatewayContext<object>) => Promise<boolean> {
  const arnOf = methodArnBuilder(arnOptionsSchema.parse(arn))
  const compiled = new WeakMap<object, CompiledPolicy | null>()
  const byText = new Map<string, CompiledPolicy | null>()
  const policyOf = (policy: unknown): CompiledPolicy | null => {
    if (policy === undefined || policy === null) return null
    if (typeof policy === 'string') {
      let c = byText.get(policy)
      if (c === undefined) {
        const r = compilePolicy(policy)
        c = r.ok ? r.policy : null
        if (byText.size < 1024) byText.set(policy, c)
      }
      return c
    }
    let c = compiled.get(policy)
    if (c === undefined) {
      const r = compilePolicy(policy)
      c = r.ok ? r.policy : null
      compiled.set(policy, c)
    }
    return c
  }
  return async (ctx) => {
    const accessKey = ctx.identity?.accessKey
    if (typeof accessKey !== 'string') return false
    const token = ctx.headers['x-amz-security-token']
    const creds = await credentials(accessKey, { sessionToken: typeof token === 'string' ? token : undefined })
    if (creds === undefined) return false
    const policy = policyOf(creds.policy)
    if (policy === null) return false
    return policy.evaluate({ action: 'execute-api:InvalidateCache', resource: arnOf(ctx), principal: creds.principal, condition: conditionLookup(ctx, creds.principal) }) === 'Allow'
  }
}
