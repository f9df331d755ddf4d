import type { GatewayContext } from '@gw/core'
import { z } from 'zod'

/** Where the method ARN's fixed parts come from (aws-semantics §10.1). */
export const arnOptionsSchema = z
  .object({
    /** ARN partition. */
    partition: z.string().regex(/^aws[a-z-]*$/).default('aws'),
    /** Region of the API (also the SigV4 credential-scope region, §10.8). */
    region: z.string().regex(/^[a-z0-9-]+$/).default('us-east-1'),
    /** Account that owns the API. */
    accountId: z.string().regex(/^\d{12}$/, '12 digits').default('123456789012'),
    /** Used when `ctx.apiId` is not set by a gateway. */
    apiId: z.string().min(1).default('local'),
    /** Used when `ctx.stage` is not set by a gateway. */
    stage: z.string().min(1).default('$default')
  })
  .strict()
  .default({ partition: 'aws', region: 'us-east-1', accountId: '123456789012', apiId: 'local', stage: '$default' })

/** Method-ARN settings (input form). */
export type ArnOptions = z.input<typeof arnOptionsSchema>
/** Method-ARN settings (validated). */
export type ResolvedArnOptions = z.output<typeof arnOptionsSchema>

/** Longest method ARN accepted for a method with authorization (§10.1, §15). */
export const MAX_METHOD_ARN_BYTES = 1600

/** Builds the method ARN of a request; the fixed prefix is computed once. */
export type MethodArnBuilder = (ctx: GatewayContext<object>) => string

/**
 * Compiles the method ARN of §10.1:
 * `arn:{partition}:execute-api:{region}:{accountId}:{apiId}/{stage}/{VERB}/{path}`,
 * the path being the request path (actual values, not the template) without
 * its leading slash; root gives a trailing `/`. An empty path (WebSocket
 * `$connect`, whose ARN ends at the route key: `{apiId}/{stage}/$connect`)
 * gives none.
 * @example
 * const arnOf = methodArnBuilder(parseOptions(arnOptionsSchema, { region: 'eu-west-1' }, 'arn'))
 */
export function methodArnBuilder(options: ResolvedArnOptions): MethodArnBuilder {
  const prefix = `arn:${options.partition}:execute-api:${options.region}:${options.accountId}:`
  const apiId = options.apiId
  const stage = options.stage
  // The last ARN built and what it was built from: a client calling the same method again gets the same string object,
  // so the authorizer's per-ARN policy decisions find it without building, flattening and hashing a new one (#21).
  let lastApi: string | undefined
  let lastStage: string | undefined
  let lastMethod = ''
  let lastPath: string | undefined
  let lastArn = ''
  return function methodArn(ctx) {
    const path = ctx.path
    const api = ctx.apiId ?? apiId
    const st = ctx.stage ?? stage
    const method = ctx.method
    if (path === lastPath && method === lastMethod && api === lastApi && st === lastStage) return lastArn
    const base = `${prefix}${api}/${st}/${method}`
    lastArn = path === '' ? base : `${base}/${path.charCodeAt(0) === 47 ? path.slice(1) : path}`
    lastApi = api
    lastStage = st
    lastMethod = method
    lastPath = path
    return lastArn
  }
}

/** True when the ARN is too long for an authorized method (→ 414, §10.1). */
export function methodArnTooLong(arn: string): boolean {
  return arn.length > MAX_METHOD_ARN_BYTES / 4 && Buffer.byteLength(arn) > MAX_METHOD_ARN_BYTES
}

/** Answers 414 `Request URI too long` (§10.1: method ARN over 1600 bytes). */
export function rejectLongArn(ctx: GatewayContext<object>): void {
  ctx.json({ message: 'Request URI too long' }, 414)
}
