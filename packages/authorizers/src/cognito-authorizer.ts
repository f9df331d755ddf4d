import { linearRegex, linearRegexProblem, parseOptions, reject, type GatewayContext, type Middleware } from '@gw/core'
import type { JWTVerifyGetKey } from 'jose'
import { z } from 'zod'
import { stringifyClaims, tokenScopes } from './claims.js'
import { compileIdentitySource, type IdentityReader } from './identity-source.js'
import { JWKS_TIMEOUT_MS, remoteKeySet } from './jwks.js'
import { JwtVerifier, type VerifyOutcome } from './jwt-verifier.js'
import { accessDeniedMessage, type ResourcePolicy } from './resource-policy.js'
import { arnOptionsSchema, methodArnBuilder } from './method-arn.js'

const POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):\d{12}:userpool\/([\w-]+_[0-9A-Za-z]+)$/

const schema = z
  .object({
    /** User pool ARNs (`arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}`), §10.6. */
    providerARNs: z.array(z.string().regex(POOL_ARN, 'a user pool ARN arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}')).min(1),
    /** Where the token is read. */
    identitySource: z.string().min(1).default('method.request.header.Authorization'),
    /** Method `authorizationScopes`: set → access token with one of them; unset → ID token (§10.6). */
    authorizationScopes: z.array(z.string().min(1)).max(10).optional(),
    /** Matched (full match) against the ID token's `aud` (§10.6). */
    identityValidationExpression: z.string().min(1).optional(),
    /** Accept `Bearer <jwt>` (AWS rejects it, §10.6 [R]). */
    allowBearerPrefix: z.boolean().default(false),
    /** Replaces `https://cognito-idp.{region}.amazonaws.com` (tests, VPC endpoints); the issuer becomes `{base}/{poolId}`. */
    issuerBaseUrl: z.url().optional(),
    /** Tolerated clock skew on exp/nbf/iat, seconds. */
    clockSkewSeconds: z.number().int().min(0).max(300).default(5),
    jwksCooldownMs: z.number().int().min(0).default(30_000),
    jwksCacheMaxAgeMs: z.number().int().min(1).default(3_600_000),
    jwksTimeoutMs: z.number().int().min(1).max(30_000).default(JWKS_TIMEOUT_MS),
    cacheMaxEntries: z.number().int().min(1).max(10_000_000).default(10_000),
    /** Method-ARN parts, for the resource-policy combination. */
    arn: arnOptionsSchema,
    /** REST resource policy: after authentication it must explicitly Allow (§10.9). */
    resourcePolicy: z.custom<ResourcePolicy>((v) => typeof v === 'object' && v !== null && typeof (v as ResourcePolicy).evaluate === 'function').optional(),
    now: z.custom<() => number>((v) => typeof v === 'function').optional()
  })
  .strict()
  .superRefine((o, issue) => {
    const r = compileIdentitySource(o.identitySource)
    if (typeof r === 'string') issue.addIssue({ code: 'custom', path: ['identitySource'], message: r })
    if (o.identityValidationExpression !== undefined) {
      // The linear-time engine (RE2 syntax): a caller's token can never make the pattern backtrack.
      const problem = linearRegexProblem(o.identityValidationExpression)
      if (problem !== undefined) issue.addIssue({ code: 'custom', path: ['identityValidationExpression'], message: problem })
    }
  })

/** Options of `cognitoAuthorizer()`. */
export type CognitoAuthorizerOptions = z.input<typeof schema>

/**
 * Cognito user pool authorizer of REST APIs (aws-semantics §10.6): the raw
 * JWT (no `Bearer ` unless allowed) verified RS256 against the pool's
 * `/.well-known/jwks.json`, `iss` one of the pools, `exp`/`nbf` with skew.
 * Without method scopes the token must be an ID token (`token_use: id`);
 * with scopes an access token (`token_use: access`) carrying one of them.
 * Every failure → 401 `{"message":"Unauthorized"}`. Success sets
 * `ctx.authorizer = { claims: {…strings…} }` (§2.1).
 * @throws GwError GW_CONFIG_INVALID on invalid options
 * @example
 * const auth = cognitoAuthorizer({ providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Ab12Cd34'] })
 */
export function cognitoAuthorizer(options: CognitoAuthorizerOptions): Middleware<object> {
  const opts = parseOptions(schema, options, 'cognitoAuthorizer')
  const read = compileIdentitySource(opts.identitySource) as IdentityReader
  const keySets = new Map<string, JWTVerifyGetKey>()
  for (const arn of opts.providerARNs) {
    const m = POOL_ARN.exec(arn) as RegExpExecArray
    const base = (opts.issuerBaseUrl ?? `https://cognito-idp.${m[1] as string}.amazonaws.com`).replace(/\/+$/, '')
    const issuer = `${base}/${m[2] as string}`
    keySets.set(issuer, remoteKeySet({ issuer, jwksUri: `${issuer}/.well-known/jwks.json`, cooldownMs: opts.jwksCooldownMs, cacheMaxAgeMs: opts.jwksCacheMaxAgeMs, timeoutMs: opts.jwksTimeoutMs }))
  }
  const verifier = new JwtVerifier({ keySets, audience: new Set(), algorithms: ['RS256'], clockSkewSec: opts.clockSkewSeconds, cacheMax: opts.cacheMaxEntries, now: opts.now ?? Date.now })
  const scopes = opts.authorizationScopes !== undefined && opts.authorizationScopes.length > 0 ? opts.authorizationScopes : undefined
  const wantUse = scopes === undefined ? 'id' : 'access'
  const audPattern = opts.identityValidationExpression === undefined ? undefined : linearRegex(opts.identityValidationExpression)
  const allowBearer = opts.allowBearerPrefix
  const resourcePolicy = opts.resourcePolicy
  const arnOf = methodArnBuilder(opts.arn)

  function finish(ctx: GatewayContext<object>, next: () => Promise<void>, outcome: VerifyOutcome): Promise<void> | void {
    if (!outcome.ok) return reject(ctx, 'UNAUTHORIZED')
    const p = outcome.payload
    if (p.token_use !== wantUse) return reject(ctx, 'UNAUTHORIZED')
    if (scopes !== undefined) {
      const have = tokenScopes(p)
      if (have === null || !scopes.some((s) => have.includes(s))) return reject(ctx, 'UNAUTHORIZED')
    }
    if (audPattern !== undefined && (typeof p.aud !== 'string' || !audPattern.matches(p.aud))) return reject(ctx, 'UNAUTHORIZED')
    if (resourcePolicy !== undefined) {
      // §10.9: Cognito authenticates first, then the resource policy must explicitly allow.
      const arn = arnOf(ctx)
      const d = resourcePolicy.evaluate(ctx, arn, null)
      if (d !== 'Allow') return reject(ctx, 'ACCESS_DENIED', { message: accessDeniedMessage('anonymous', arn, d === 'Deny') })
    }
    ctx.authorizer = { claims: stringifyClaims(p, 'cognito') }
    return next()
  }

  return function cognitoAuthorizerMiddleware(ctx, next) {
    let token = read(ctx)
    if (token === undefined) return reject(ctx, 'UNAUTHORIZED')
    if (token.startsWith('Bearer ')) {
      if (!allowBearer) return reject(ctx, 'UNAUTHORIZED')
      token = token.slice(7).trim()
    }
    const outcome = verifier.verify(token)
    return outcome instanceof Promise ? outcome.then((o) => finish(ctx, next, o)) : finish(ctx, next, outcome)
  }
}
