import { arnOptionsSchema, conditionLookup, createPolicyCache, methodArnBuilder, type ArnOptions, type CredentialsProvider } from '@gw/authorizers'
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
  const policyOf = createPolicyCache()
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
