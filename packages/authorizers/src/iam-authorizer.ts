import { createHash } from 'node:crypto'
import { parseOptions, reject, type GatewayContext, type MaybePromise, type Middleware } from '@gw/core'
import { z } from 'zod'
import { conditionLookup, type PrincipalAttributes } from './condition-keys.js'
import { arnOptionsSchema, methodArnBuilder, methodArnTooLong, rejectLongArn } from './method-arn.js'
import type { PolicyDecision, PolicyDocument } from './policy.js'
import { createPolicyCache } from './policy-cache.js'
import { accessDeniedMessage, combineDecisions, type ResourcePolicy } from './resource-policy.js'
import {
  checkScopeAndTime,
  checkSignature,
  EMPTY_SHA256,
  MISSING_TOKEN,
  parseSignature,
  UNRECOGNIZED_CLIENT,
  type SigV4Failure,
  type SigV4Request
} from './sigv4.js'

/** What the credentials provider knows about an access key. */
export interface IamCredentials {
  readonly secretAccessKey: string
  /** Temporary credentials: the session token the request must carry (`X-Amz-Security-Token`). */
  readonly sessionToken?: string
  /** Temporary credentials: when they stop working (→ 403 EXPIRED_TOKEN). */
  readonly expiration?: Date | number
  /** The caller: `arn:aws:iam::123456789012:user/alice`, its account, ids. */
  readonly principal: PrincipalAttributes & { readonly userId?: string }
  /** Identity policy; absent = implicit deny unless a same-account resource policy allows (§10.9). */
  readonly policy?: PolicyDocument | string | undefined
}

/** Maps an access key id (and the session token sent) to credentials; `undefined` when unknown. */
export type CredentialsProvider = (accessKeyId: string, request: { sessionToken: string | undefined }) => MaybePromise<IamCredentials | undefined>

const schema = z
  .object({
    /** Access key → secret, principal and identity policy (§10.8: pluggable). */
    credentials: z.custom<CredentialsProvider>((v) => typeof v === 'function', 'a function (accessKeyId, { sessionToken }) => credentials | undefined'),
    /** Method-ARN parts; `region` is also the credential-scope region. */
    arn: arnOptionsSchema,
    /** Signing service name. */
    service: z.string().min(1).default('execute-api'),
    /** IAM action the policies must allow (`execute-api:ManageConnections` for the WebSocket @connections API, §14.7). */
    action: z.string().regex(/^[a-z0-9-]+:[A-Za-z]+$/, 'an IAM action such as execute-api:Invoke').default('execute-api:Invoke'),
    /** REST resource policy: same account → either allows; cross account → both must (§10.9). */
    resourcePolicy: z.custom<ResourcePolicy>((v) => typeof v === 'object' && v !== null && typeof (v as ResourcePolicy).evaluate === 'function').optional(),
    now: z.custom<() => number>((v) => typeof v === 'function').optional()
  })
  .strict()

/** Options of `iamAuthorizer()`. */
export type IamAuthorizerOptions = z.input<typeof schema>

/**
 * IAM (`AWS_IAM`) authorization (aws-semantics §10.8): verifies SigV4 in the
 * `Authorization` header or a presigned query, looks the access key up
 * through `credentials`, checks ±5 min skew, presigned expiry, the session
 * token, and compares signatures in constant time; then the identity policy
 * (and the resource policy, §10.9) must allow `execute-api:Invoke` on the
 * method ARN. Failures render the exact 403 bodies of §10.8
 * (MISSING_AUTHENTICATION_TOKEN, INVALID_SIGNATURE with the AWS error type,
 * EXPIRED_TOKEN, ACCESS_DENIED). Success fills `ctx.identity` (REST) and
 * `ctx.authorizer.iam` (HTTP API).
 * @throws GwError GW_CONFIG_INVALID on invalid options
 * @example
 * const auth = iamAuthorizer({ credentials: (id) => keys.get(id), arn: { region: 'us-east-1', accountId: '123456789012' } })
 */
export function iamAuthorizer(options: IamAuthorizerOptions): Middleware<object> {
  const opts = parseOptions(schema, options, 'iamAuthorizer')
  const provider = opts.credentials
  const region = opts.arn.region
  const service = opts.service
  const action = opts.action
  const arnOf = methodArnBuilder(opts.arn)
  const ownAccount = opts.arn.accountId
  const resourcePolicy = opts.resourcePolicy
  const now = opts.now ?? Date.now
  const compiled = createPolicyCache()

  function failWith(ctx: GatewayContext<object>, f: SigV4Failure): void {
    if (ctx.flavour === 'REST') return reject(ctx, f.type, { message: f.message, headers: { 'x-amzn-errortype': f.errorType } })
    // HTTP APIs answer SigV4 failures with the same 403 texts, lower-case `message`, no x-amzn-ErrorType (§10.8).
    reject(ctx, f.type, { message: f.message })
    ctx.status = 403
    ctx.body = JSON.stringify({ message: f.message })
  }

  const EXPIRED: SigV4Failure = { ok: false, type: 'EXPIRED_TOKEN', message: 'The security token included in the request is expired', errorType: 'ExpiredTokenException' }

  async function run(ctx: GatewayContext<object>, next: () => Promise<void>): Promise<void> {
    const hasBody = ctx.source.hasBody
    const payloadHash = hasBody ? createHash('sha256').update(await ctx.readBody()).digest('hex') : EMPTY_SHA256
    // The signature covers the request as sent: the wire method, not `ctx.method` (a WebSocket `$connect` route sets
    // it to `$connect` for the method ARN while the client signed its `GET` upgrade, §14.3).
    const req: SigV4Request = { method: ctx.source.method, path: ctx.rawPath, query: ctx.rawQuery, rawHeaders: ctx.source.rawHeaders, payloadHash }
    const parsed = parseSignature(req)
    if (parsed === undefined) return failWith(ctx, MISSING_TOKEN)
    if ('ok' in parsed) return failWith(ctx, parsed)
    const bad = checkScopeAndTime(parsed, region, service, now())
    if (bad !== undefined) return failWith(ctx, bad)
    let creds: IamCredentials | undefined
    try {
      creds = await provider(parsed.accessKeyId, { sessionToken: parsed.securityToken })
    } catch {
      return reject(ctx, 'AUTHORIZER_FAILURE')
    }
    if (creds === undefined) return failWith(ctx, UNRECOGNIZED_CLIENT)
    if ((creds.sessionToken ?? undefined) !== parsed.securityToken) return failWith(ctx, UNRECOGNIZED_CLIENT)
    if (creds.expiration !== undefined && +creds.expiration <= now()) return failWith(ctx, EXPIRED)
    const mismatch = checkSignature(req, parsed, creds.secretAccessKey)
    if (mismatch !== undefined) return failWith(ctx, mismatch)

    const arn = arnOf(ctx)
    if (methodArnTooLong(arn)) return rejectLongArn(ctx)
    const principal = creds.principal
    const policy = compiled(creds.policy)
    const identity: PolicyDecision = policy === null ? 'None' : policy.evaluate({ action, resource: arn, principal, condition: conditionLookup(ctx, principal) })
    const resource: PolicyDecision = resourcePolicy === undefined ? 'None' : resourcePolicy.evaluate(ctx, arn, principal)
    const decision = combineDecisions(principal.accountId === ownAccount ? 'either' : 'both', identity, resource)
    if (decision !== 'Allow') return reject(ctx, 'ACCESS_DENIED', { message: accessDeniedMessage(principal.arn, arn, decision === 'Deny') })

    const userId = principal.userId ?? parsed.accessKeyId
    ctx.identity = {
      ...ctx.identity,
      accessKey: parsed.accessKeyId,
      accountId: principal.accountId,
      caller: userId,
      user: userId,
      userArn: principal.arn,
      principalOrgId: principal.orgId ?? null
    }
    if (ctx.flavour === 'HTTP') {
      ctx.authorizer = {
        iam: { accessKey: parsed.accessKeyId, accountId: principal.accountId, callerId: userId, cognitoIdentity: null, principalOrgId: principal.orgId ?? null, userArn: principal.arn, userId }
      }
    }
    return next()
  }

  return function iamAuthorizerMiddleware(ctx, next) {
    return run(ctx, next)
  }
}
