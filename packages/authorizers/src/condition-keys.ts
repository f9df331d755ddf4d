import type { GatewayContext } from '@gw/core'
import type { ConditionLookup, PolicyPrincipal } from './policy.js'

/** Caller attributes beyond the principal ARN, for principal condition keys (§10.9). */
export interface PrincipalAttributes extends PolicyPrincipal {
  /** `aws:PrincipalOrgID`. */
  readonly orgId?: string
  /** `aws:PrincipalTag/{key}`. */
  readonly tags?: Readonly<Record<string, string>>
}

/**
 * Condition keys of §10.9 for one request. `aws:SourceIp` is `ctx.sourceIp`,
 * which adapters take from the socket unless `trustProxy` says otherwise, so
 * a client cannot pick it with `X-Forwarded-For`. `aws:SourceVpc` and
 * `aws:SourceVpce` come from `ctx.identity.vpcId` / `vpceId` (private APIs).
 * Keys arrive lower-cased (IAM condition keys are case-insensitive).
 */
export function conditionLookup(ctx: GatewayContext<object>, principal: PrincipalAttributes | null): ConditionLookup {
  return (key) => {
    switch (key) {
      case 'aws:sourceip':
        return ctx.sourceIp
      case 'aws:useragent':
        return header(ctx, 'user-agent')
      case 'aws:referer':
        return header(ctx, 'referer')
      case 'aws:sourcevpc':
        return ctx.identity?.vpcId ?? undefined
      case 'aws:sourcevpce':
        return ctx.identity?.vpceId ?? undefined
      case 'aws:securetransport':
        return ctx.source.protocol === 'https' ? 'true' : 'false'
      case 'aws:currenttime':
        return new Date(ctx.requestTimeEpoch).toISOString()
      case 'aws:epochtime':
        return String(Math.floor(ctx.requestTimeEpoch / 1000))
      case 'aws:principalarn':
        return principal?.arn
      case 'aws:principalaccount':
        return principal?.accountId
      case 'aws:principalorgid':
        return principal?.orgId
      default:
        if (key.startsWith('aws:principaltag/') && principal?.tags !== undefined) {
          const want = key.slice(17)
          for (const [k, v] of Object.entries(principal.tags)) if (k.toLowerCase() === want) return v
        }
        return undefined
    }
  }
}

function header(ctx: GatewayContext<object>, name: string): string | undefined {
  const v = ctx.headers[name]
  return typeof v === 'string' ? v : undefined
}
