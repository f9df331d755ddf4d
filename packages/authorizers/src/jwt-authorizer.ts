import { parseOptions, reject, type GatewayContext, type Middleware } from '@gw/core'
import { z } from 'zod'
import { stringifyClaims, tokenScopes } from './claims.js'
import { compileIdentitySource, type IdentityReader } from './identity-source.js'
import { JWKS_TIMEOUT_MS, remoteKeySet } from './jwks.js'
import { JWT_ALGORITHMS, JwtVerifier, type VerifyOutcome } from './jwt-verifier.js'

const scopeList = z.array(z.string().min(1)).max(10)

const schema = z
  .object({
    /** Where the token is read (§10.7); `Bearer ` prefix optional. */
    identitySource: z.string().min(1).default('$request.header.Authorization'),
    /** Exact `iss` value. */
    issuer: z.url(),
    /** Accepted audiences (`aud`, or `client_id` when `aud` is absent), at most 50 (§10.7). */
    audience: z.array(z.string().min(1)).min(1).max(50),
    /** JWKS URL; default: OIDC discovery at `{issuer}/.well-known/openid-configuration` (§10.7 step 3). */
    jwksUri: z.url().optional(),
    /** Scopes every request needs one of (route `authorizationScopes`, ≤ 10). */
    authorizationScopes: scopeList.optional(),
    /** Per route key (`GET /pets`), overrides `authorizationScopes`. */
    routeScopes: z.record(z.string(), scopeList).optional(),
    /** Allowed algorithms: a subset of RS256/RS384/RS512 (never `none`, never HS*). */
    algorithms: z.array(z.enum(JWT_ALGORITHMS)).min(1).default([...JWT_ALGORITHMS]),
    /** Tolerated clock skew on exp/nbf/iat, seconds. */
    clockSkewSeconds: z.number().int().min(0).max(300).default(5),
    /** An unknown `kid` refetches the JWKS at most once per this many ms. */
    jwksCooldownMs: z.number().int().min(0).default(30_000),
    /** JWKS cache lifetime (AWS: up to 1 hour). */
    jwksCacheMaxAgeMs: z.number().int().min(1).default(3_600_000),
    /** JWKS / discovery fetch timeout (§10.7: 1500 ms). */
    jwksTimeoutMs: z.number().int().min(1).max(30_000).default(JWKS_TIMEOUT_MS),
    /** Bound of the verified-token cache. */
    cacheMaxEntries: z.number().int().min(1).max(10_000_000).default(10_000),
    /** Clock, for tests. */
    now: z.custom<() => number>((v) => typeof v === 'function').optional()
  })
  .strict()
  .superRefine((o, issue) => {
    const r = compileIdentitySource(o.identitySource)
    if (typeof r === 'string') issue.addIssue({ code: 'custom', path: ['identitySource'], message: r })
  })

/** Options of `jwtAuthorizer()`. */
export type JwtAuthorizerOptions = z.input<typeof schema>

/** `www-authenticate` for a 401 (§10.7 step 7). */
function invalidToken(description: string): Readonly<Record<string, string>> {
  return { 'www-authenticate': `Bearer scope="" error="invalid_token" error_description="${description}"` }
}

/**
 * JWT authorizer of HTTP APIs (aws-semantics §10.7) on jose: RSA signature
 * against the issuer's JWKS (discovered, cached, refetched on an unknown
 * `kid` at most once per cooldown), exact `iss`, `aud` / `client_id`,
 * `exp`/`nbf`/`iat` with `clockSkewSeconds` (default 5 s), route scopes.
 * Failures → 401 `{"message":"Unauthorized"}` with
 * `www-authenticate: Bearer scope="" error="invalid_token" error_description="…"`;
 * missing scope → 403 `{"message":"Forbidden"}` with `error="insufficient_scope"`.
 * Success sets `ctx.authorizer = { jwt: { claims, scopes } }` with every claim
 * a string (arrays `"[a b]"`, §2.2). Verified tokens are cached until `exp`.
 * @throws GwError GW_CONFIG_INVALID on invalid options
 * @example
 * const auth = jwtAuthorizer({ issuer: 'https://issuer.example.com', audience: ['my-api'], authorizationScopes: ['read'] })
 */
export function jwtAuthorizer(options: JwtAuthorizerOptions): Middleware<object> {
  const opts = parseOptions(schema, options, 'jwtAuthorizer')
  const read = compileIdentitySource(opts.identitySource) as IdentityReader
  const keys = remoteKeySet({ issuer: opts.issuer, jwksUri: opts.jwksUri, cooldownMs: opts.jwksCooldownMs, cacheMaxAgeMs: opts.jwksCacheMaxAgeMs, timeoutMs: opts.jwksTimeoutMs })
  const verifier = new JwtVerifier({
    keySets: new Map([[opts.issuer, keys]]),
    audience: new Set(opts.audience),
    algorithms: opts.algorithms,
    clockSkewSec: opts.clockSkewSeconds,
    cacheMax: opts.cacheMaxEntries,
    now: opts.now ?? Date.now
  })
  const defaultScopes = opts.authorizationScopes !== undefined && opts.authorizationScopes.length > 0 ? opts.authorizationScopes : undefined
  const routeScopes = new Map(Object.entries(opts.routeScopes ?? {}))
  const views = new WeakMap<object, Readonly<{ claims: Readonly<Record<string, string>>; scopes: readonly string[] | null }>>()

  function finish(ctx: GatewayContext<object>, next: () => Promise<void>, outcome: VerifyOutcome): Promise<void> | void {
    if (!outcome.ok) return reject(ctx, 'UNAUTHORIZED', { headers: invalidToken(outcome.description) })
    const payload = outcome.payload
    const scopes = tokenScopes(payload)
    const required = (ctx.routeKey !== undefined ? routeScopes.get(ctx.routeKey) : undefined) ?? defaultScopes
    if (required !== undefined && required.length > 0 && (scopes === null || !required.some((s) => scopes.includes(s)))) {
      return reject(ctx, 'ACCESS_DENIED', {
        headers: { 'www-authenticate': `Bearer scope="${required.join(' ')}" error="insufficient_scope" error_description="the token does not have the required scopes"` }
      })
    }
    let view = views.get(payload)
    if (view === undefined) {
      // Claims of a cached token are stringified once; frozen because every request shares them.
      view = Object.freeze({ claims: Object.freeze(stringifyClaims(payload, 'jwt')), scopes: scopes === null ? null : Object.freeze(scopes) })
      views.set(payload, view)
    }
    ctx.authorizer = { jwt: view }
    return next()
  }

  return function jwtAuthorizerMiddleware(ctx, next) {
    const raw = read(ctx)
    if (raw === undefined) return reject(ctx, 'UNAUTHORIZED', { headers: invalidToken('the token is missing') })
    const token = raw.startsWith('Bearer ') || raw.startsWith('bearer ') ? raw.slice(7).trim() : raw
    const outcome = verifier.verify(token)
    return outcome instanceof Promise ? outcome.then((o) => finish(ctx, next, o)) : finish(ctx, next, outcome)
  }
}
