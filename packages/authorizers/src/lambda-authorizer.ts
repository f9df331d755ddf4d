import { linearRegex, linearRegexProblem, parseOptions, reject, type GatewayContext, type KeyValueStore, type Middleware } from '@gw/core'
import { z } from 'zod'
import { conditionLookup } from './condition-keys.js'
import { compileIdentitySource, type IdentityReader } from './identity-source.js'
import { requestEventV1, requestEventV2, tokenEvent } from './lambda-event.js'
import { parseAuthorizerOutput, stringifyContext, type AuthorizerResult, type OutputMode } from './lambda-output.js'
import { arnOptionsSchema, methodArnBuilder, methodArnTooLong, rejectLongArn } from './method-arn.js'
import type { PolicyDecision } from './policy.js'
import { ResultCache } from './result-cache.js'
import { accessDeniedMessage, combineDecisions, type ResourcePolicy } from './resource-policy.js'

/** The seam to the function: gets the event, resolves with its output (the integrations package owns Lambda invocation). */
export type AuthorizerInvoke = (event: Record<string, unknown>, options: { signal: AbortSignal }) => Promise<unknown>

const isFunction = (v: unknown): boolean => typeof v === 'function'
const isStore = (v: unknown): boolean => typeof v === 'object' && v !== null && typeof (v as KeyValueStore).get === 'function' && typeof (v as KeyValueStore).set === 'function'
const isResourcePolicy = (v: unknown): boolean => typeof v === 'object' && v !== null && typeof (v as ResourcePolicy).evaluate === 'function'

const schema = z
  .object({
    /** REST authorizer type (§10.2, §10.3). HTTP API authorizers (authorizerPayloadFormatVersion set) are always REQUEST. */
    type: z.enum(['TOKEN', 'REQUEST']).default('TOKEN'),
    /** Calls the function. */
    invoke: z.custom<AuthorizerInvoke>(isFunction, 'a function (event, { signal }) => Promise<output>'),
    /** Identity sources: a REST comma-separated string or an array (§10.3, §10.5). */
    identitySource: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(10)]).optional(),
    /** TOKEN only: the token must fully match this regular expression, else 401 without invoking (§10.2). */
    identityValidationExpression: z.string().min(1).optional(),
    /** `authorizerResultTtlInSeconds`: 0 disables caching (§10.4, §15). */
    authorizerResultTtlInSeconds: z.number().int().min(0).max(3600).default(300),
    /** HTTP API authorizer payload format (§10.5); absent = REST authorizer. */
    authorizerPayloadFormatVersion: z.enum(['1.0', '2.0']).optional(),
    /** HTTP API 2.0 simple responses `{ isAuthorized, context }` (§10.5). */
    enableSimpleResponses: z.boolean().default(false),
    /** Authorizer id: namespaces the cache (with `arn.apiId`) so authorizers never share entries, on a shared store either. */
    authorizerId: z.string().min(1).max(128).default('default'),
    /** Method-ARN parts (§10.1). */
    arn: arnOptionsSchema,
    /**
     * Result cache, one per stage (§7): a shared `KeyValueStore` (one memory LRU per stage when absent) and the bound
     * of each stage's memory LRU. On a store, FlushStageAuthorizersCache reaches the other instances within
     * `GENERATION_REFRESH_MS` (1 s).
     */
    cache: z
      .object({
        store: z.custom<KeyValueStore>(isStore, 'a KeyValueStore (get/set/delete)').optional(),
        maxEntries: z.number().int().min(1).max(10_000_000).default(10_000)
      })
      .strict()
      .default({ maxEntries: 10_000 }),
    /** Invocation timeout (HTTP API: 10 s, §15). Timeout → 500. */
    timeoutMs: z.number().int().min(1).max(300_000).default(10_000),
    /** REST resource policy to combine with (§10.9: explicit Deny first, then either allows). */
    resourcePolicy: z.custom<ResourcePolicy>(isResourcePolicy, 'a ResourcePolicy from compileResourcePolicy()').optional()
  })
  .strict()
  .superRefine((o, issue) => {
    const http = o.authorizerPayloadFormatVersion !== undefined
    if (o.enableSimpleResponses && o.authorizerPayloadFormatVersion !== '2.0') issue.addIssue({ code: 'custom', path: ['enableSimpleResponses'], message: 'simple responses need authorizerPayloadFormatVersion "2.0" (§10.5)' })
    if (o.identityValidationExpression !== undefined) {
      if (http || o.type !== 'TOKEN') issue.addIssue({ code: 'custom', path: ['identityValidationExpression'], message: 'only TOKEN authorizers validate the token (§10.2)' })
      // The linear-time engine (RE2 syntax): a caller's token can never make the pattern backtrack.
      const problem = linearRegexProblem(o.identityValidationExpression)
      if (problem !== undefined) issue.addIssue({ code: 'custom', path: ['identityValidationExpression'], message: problem })
    }
    const sources = sourceList(o.identitySource, o.type, http)
    sources.forEach((s, i) => {
      const r = compileIdentitySource(s)
      if (typeof r === 'string') issue.addIssue({ code: 'custom', path: ['identitySource', i], message: r })
    })
    if (!http && o.type === 'TOKEN' && (sources.length !== 1 || !/^method\.request\.header\./.test(sources[0] ?? ''))) {
      issue.addIssue({ code: 'custom', path: ['identitySource'], message: 'a TOKEN authorizer reads exactly one method.request.header.X (§10.2)' })
    }
    if (o.authorizerResultTtlInSeconds > 0 && sources.length === 0) issue.addIssue({ code: 'custom', path: ['identitySource'], message: 'caching (authorizerResultTtlInSeconds > 0) needs at least one identity source (§10.3, §10.5)' })
    if (http && o.resourcePolicy !== undefined) issue.addIssue({ code: 'custom', path: ['resourcePolicy'], message: 'HTTP APIs have no resource policies (§0.2)' })
  })

function sourceList(source: string | string[] | undefined, type: 'TOKEN' | 'REQUEST', http: boolean): string[] {
  if (source === undefined) return !http && type === 'TOKEN' ? ['method.request.header.Authorization'] : []
  return Array.isArray(source) ? source : source.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
}

/** Options of `lambdaAuthorizer()`. */
export type LambdaAuthorizerOptions = z.input<typeof schema>

/** `ctx.state` key where the authorizer's `usageIdentifierKey` is left for API-key checks (`apiKeySource: AUTHORIZER`, §10.4). */
export const USAGE_IDENTIFIER_KEY = 'usageIdentifierKey'

/** What one invocation ended in: a result (with its latency) or the rejection type. */
type Invocation = { readonly result: AuthorizerResult; readonly latency: number } | 'UNAUTHORIZED' | 'AUTHORIZER_CONFIGURATION_ERROR'

/** Method ARNs whose decision one authorizer result remembers (a result is per identity; a client calls few methods). */
const DECISIONS_PER_RESULT = 64
const EXPLICIT_DENY = 'User is not authorized to access this resource with an explicit deny'

/**
 * Lambda authorizer middleware (aws-semantics §10.2-10.5): REST TOKEN and
 * REQUEST, HTTP API payload 1.0 / 2.0 with optional simple responses.
 * Missing identity source → 401 without invoking; explicit Deny → 403
 * `{"Message":"User is not authorized to access this resource with an explicit deny"}`;
 * function error `Unauthorized` → 401; any other error, timeout or malformed
 * output → 500 AUTHORIZER_CONFIGURATION_ERROR `{"message":null}` (HTTP API:
 * 500 / 403 of §12.3). The whole result is cached under the identity values
 * and its policy re-evaluated against every request's method ARN (§10.4);
 * failures are never cached. Sets `ctx.authorizer` in the §2.1 shape (REST:
 * stringified context + `principalId` + `integrationLatency`; HTTP API:
 * context under `lambda`, §18.26).
 * @throws GwError GW_CONFIG_INVALID on invalid options
 * @example
 * const auth = lambdaAuthorizer({ type: 'TOKEN', invoke: (event) => lambda.invoke('authz', event), arn: { region: 'us-east-1' } })
 */
export function lambdaAuthorizer(options: LambdaAuthorizerOptions): Middleware<object> {
  const opts = parseOptions(schema, options, 'lambdaAuthorizer')
  const http = opts.authorizerPayloadFormatVersion !== undefined
  const mode: OutputMode = opts.enableSimpleResponses ? 'simple' : http ? 'http' : 'rest'
  const sources = sourceList(opts.identitySource, opts.type, http)
  const readers = sources.map((s) => compileIdentitySource(s) as IdentityReader)
  const isToken = !http && opts.type === 'TOKEN'
  // Missing identity: TOKEN always 401; REST REQUEST only when caching (§10.3, §18.28); HTTP API whenever sources are set (§10.5).
  const requireAll = isToken || http || opts.authorizerResultTtlInSeconds > 0
  const validation = opts.identityValidationExpression === undefined ? undefined : linearRegex(opts.identityValidationExpression)
  const ttlMs = opts.authorizerResultTtlInSeconds * 1000
  const cache = ttlMs > 0 ? new ResultCache(opts.cache.store, opts.cache.maxEntries, mode, `${opts.arn.apiId}:${opts.authorizerId}`) : undefined
  const arnOf = methodArnBuilder(opts.arn)
  // The stage a result is cached for: the method ARN's (§10.1), so each stage keeps its own results (§7).
  const defaultStage = opts.arn.stage
  const invoke = opts.invoke
  const timeoutMs = opts.timeoutMs
  const resourcePolicy = opts.resourcePolicy
  const accountId = opts.arn.accountId
  // A cached result's context is stringified once (§2.1), then copied per request.
  const stringified = new WeakMap<AuthorizerResult, Record<string, string>>()
  const inflight = new Map<string, Promise<Invocation>>()

  const decisions = new WeakMap<AuthorizerResult, Map<string, PolicyDecision>>()
  // The result of the last request and what was worked out for it: a client repeating its call (the steady state of a
  // cache hit, §10.4) finds its stringified context and its decision for the same ARN string by `===`, without the two
  // WeakMap and one Map lookups (#21). The memo holds exactly what those maps hold.
  let lastResult: AuthorizerResult | undefined
  let lastBase: Record<string, string> | undefined
  let lastArn: string | undefined
  let lastDecision: PolicyDecision | undefined
  function decide(ctx: GatewayContext<object>, next: () => Promise<void>, result: AuthorizerResult, arn: string, latency: number): Promise<void> | void {
    let decision: PolicyDecision
    if (result.policy === undefined) decision = result.isAuthorized === true ? 'Allow' : 'None'
    else {
      const policy = result.policy
      if (policy.conditional) decision = policy.evaluate({ action: 'execute-api:Invoke', resource: arn, principal: null, condition: conditionLookup(ctx, null) })
      else if (result === lastResult && arn === lastArn) decision = lastDecision as PolicyDecision
      else {
        // Without conditions the decision depends only on the method ARN: remembered per result (cache hits
        // re-evaluate nothing). A new result (re-invocation, TTL expiry) starts empty.
        let byArn = decisions.get(result)
        if (byArn === undefined) decisions.set(result, (byArn = new Map<string, PolicyDecision>()))
        let d = byArn.get(arn)
        if (d === undefined) {
          d = policy.evaluate({ action: 'execute-api:Invoke', resource: arn, principal: null, condition: conditionLookup(ctx, null) })
          if (byArn.size >= DECISIONS_PER_RESULT) byArn.clear()
          byArn.set(arn, d)
        }
        decision = d
        if (result !== lastResult) lastBase = undefined
        lastResult = result
        lastArn = arn
        lastDecision = d
      }
      if (resourcePolicy !== undefined) decision = combineDecisions('either', decision, resourcePolicy.evaluate(ctx, arn, null))
    }
    if (decision !== 'Allow') return reject(ctx, 'ACCESS_DENIED', decision === 'Deny' ? { message: EXPLICIT_DENY } : undefined)
    if (http) {
      const out: Record<string, unknown> = { lambda: { ...result.context } }
      if (result.principalId !== undefined) out.principalId = result.principalId
      out.integrationLatency = latency
      ctx.authorizer = out
    } else {
      let base = result === lastResult ? lastBase : undefined
      if (base === undefined) {
        base = stringified.get(result)
        if (base === undefined) {
          base = stringifyContext(result.context)
          stringified.set(result, base)
        }
        if (result === lastResult) lastBase = base
      }
      // Copied key by key (the same keys, values and order as a spread): every request then walks the same map
      // transitions, where a spread of the cached object and two additions cost a slow path per request.
      const out: Record<string, unknown> = {}
      for (const k in base) out[k] = base[k]
      out.principalId = result.principalId
      out.integrationLatency = latency
      ctx.authorizer = out
    }
    if (result.usageIdentifierKey !== undefined) (ctx.state as Record<string, unknown>)[USAGE_IDENTIFIER_KEY] = result.usageIdentifierKey
    return next()
  }

  /** One invocation: the parsed result, or the rejection it ends in (never throws). */
  async function invokeOnce(ctx: GatewayContext<object>, arn: string, values: string[], stage: string, key: string | undefined): Promise<Invocation> {
    const event = isToken
      ? tokenEvent(values[0] as string, arn)
      : opts.authorizerPayloadFormatVersion === '2.0'
        ? requestEventV2(ctx, arn, values, accountId)
        : requestEventV1(ctx, arn, http ? values : undefined, accountId)
    const started = performance.now()
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    let output: unknown
    try {
      output = await Promise.race([
        invoke(event, { signal: controller.signal }),
        new Promise<never>((_, fail) => {
          timer = setTimeout(() => {
            controller.abort()
            fail(new Error('authorizer timed out'))
          }, timeoutMs)
        })
      ])
    } catch (err) {
      return isUnauthorized(err) ? 'UNAUTHORIZED' : 'AUTHORIZER_CONFIGURATION_ERROR'
    } finally {
      clearTimeout(timer)
    }
    const latency = Math.round(performance.now() - started)
    if (isFunctionError(output)) return isUnauthorized(output) ? 'UNAUTHORIZED' : 'AUTHORIZER_CONFIGURATION_ERROR'
    const parsed = parseAuthorizerOutput(output, mode)
    if (typeof parsed === 'string') return 'AUTHORIZER_CONFIGURATION_ERROR'
    if (cache !== undefined && key !== undefined) {
      try {
        const stored = cache.set(stage, key, parsed.result, parsed.serialized, ttlMs)
        // Not awaited: a slow or failing shared store must not delay or fail the request (the result is valid, only not cached).
        if (stored instanceof Promise) stored.catch(() => undefined)
      } catch {
        // same: a store that throws synchronously only loses the cache entry
      }
    }
    return { result: parsed.result, latency }
  }

  async function miss(ctx: GatewayContext<object>, next: () => Promise<void>, arn: string, values: string[], stage: string, key: string | undefined): Promise<void> {
    let pending: Promise<Invocation> | undefined
    if (key !== undefined) {
      // Concurrent misses for the same identity on one stage share one invocation (a burst of one token invokes
      // once); each request still evaluates the result against its own method ARN. Another stage invokes apart (§7).
      const flight = `${stage}\u0000${key}`
      pending = inflight.get(flight)
      if (pending === undefined) {
        pending = invokeOnce(ctx, arn, values, stage, key)
        inflight.set(flight, pending)
        void pending.then(() => inflight.delete(flight))
      }
    } else pending = invokeOnce(ctx, arn, values, stage, undefined)
    const outcome = await pending
    if (typeof outcome === 'string') return reject(ctx, outcome)
    return decide(ctx, next, outcome.result, arn, outcome.latency)
  }

  // One identity source (every TOKEN authorizer, most REQUEST ones): its value is read without building an array; the
  // list is made only for an invocation (a cache miss).
  const single = readers.length === 1 ? (readers[0] as IdentityReader) : undefined

  const middleware: Middleware<object> = function lambdaAuthorizerMiddleware(ctx, next) {
    if (single !== undefined) {
      const v = single(ctx)
      if (v === undefined) {
        if (requireAll) return reject(ctx, 'UNAUTHORIZED')
        // not required (REST REQUEST without caching): no value, so no cache key either
        return authorize(ctx, next, [])
      }
      if (validation !== undefined && !validation.matches(v)) return reject(ctx, 'UNAUTHORIZED')
      const arn = arnOf(ctx)
      if (methodArnTooLong(arn)) return rejectLongArn(ctx)
      // §10.9 phase 1: an explicit Deny of the resource policy answers before the function runs.
      if (resourcePolicy !== undefined && resourcePolicy.evaluate(ctx, arn, null) === 'Deny') {
        return reject(ctx, 'ACCESS_DENIED', { message: accessDeniedMessage('anonymous', arn, true) })
      }
      const stage = ctx.stage ?? defaultStage
      if (cache === undefined) return miss(ctx, next, arn, [v], stage, undefined)
      return lookup(ctx, next, arn, stage, cache.keyOf(v), undefined, v)
    }
    const values: string[] = []
    for (let i = 0; i < readers.length; i++) {
      const v = (readers[i] as IdentityReader)(ctx)
      if (v === undefined) {
        if (requireAll) return reject(ctx, 'UNAUTHORIZED')
      } else values.push(v)
    }
    return authorize(ctx, next, values)
  }

  /** The steps after reading the identity sources (`values`: those present, in order). */
  function authorize(ctx: GatewayContext<object>, next: () => Promise<void>, values: string[]): Promise<void> | void {
    if (validation !== undefined && !validation.matches(values[0] as string)) return reject(ctx, 'UNAUTHORIZED')
    const arn = arnOf(ctx)
    if (methodArnTooLong(arn)) return rejectLongArn(ctx)
    // §10.9 phase 1: an explicit Deny of the resource policy answers before the function runs.
    if (resourcePolicy !== undefined && resourcePolicy.evaluate(ctx, arn, null) === 'Deny') {
      return reject(ctx, 'ACCESS_DENIED', { message: accessDeniedMessage('anonymous', arn, true) })
    }
    const stage = ctx.stage ?? defaultStage
    if (cache === undefined || values.length !== readers.length) return miss(ctx, next, arn, values, stage, undefined)
    return lookup(ctx, next, arn, stage, cache.key(values), values, undefined)
  }

  /** Cache lookup (§10.4): a hit is decided at once, a miss invokes. `values`, or the `single` value, are the identity. */
  function lookup(ctx: GatewayContext<object>, next: () => Promise<void>, arn: string, stage: string, key: string, values: string[] | undefined, single: string | undefined): Promise<void> | void {
    let hit
    try {
      hit = (cache as ResultCache).get(stage, key)
    } catch {
      hit = undefined
    }
    if (hit instanceof Promise) {
      return hit.then(
        (r) => (r === undefined ? miss(ctx, next, arn, values ?? [single as string], stage, key) : decide(ctx, next, r, arn, 0)),
        () => miss(ctx, next, arn, values ?? [single as string], stage, key)
      )
    }
    return hit === undefined ? miss(ctx, next, arn, values ?? [single as string], stage, key) : decide(ctx, next, hit, arn, 0)
  }
  if (cache !== undefined) resultCaches.set(middleware, cache)
  return middleware
}

// Each Lambda authorizer's result cache, by its middleware: FlushStageAuthorizersCache reaches it without a handle.
const resultCaches = new WeakMap<Middleware<object>, ResultCache>()

/**
 * Empties one stage's results in the cache of a `lambdaAuthorizer()`
 * middleware (FlushStageAuthorizersCache, aws-semantics §7): the next request
 * of every identity on `stage` invokes the function again; other stages keep
 * their results. `stage` is the one requests carry in `ctx.stage` (else the
 * `arn.stage` option). On a shared `KeyValueStore` the stage moves to a new
 * generation: this instance uses it at once, the other instances within
 * `GENERATION_REFRESH_MS` (1 s) of the returned promise resolving; the old
 * entries expire by their TTL. A middleware without a cache (TTL 0) is left as
 * it is.
 * @example
 * const auth = lambdaAuthorizer({ type: 'TOKEN', invoke, authorizerResultTtlInSeconds: 300 })
 * await flushAuthorizerCache(auth, 'prod')
 */
export async function flushAuthorizerCache(middleware: Middleware<object>, stage: string): Promise<void> {
  await resultCaches.get(middleware)?.clear(stage)
}

function isFunctionError(output: unknown): output is { errorMessage: unknown } {
  return typeof output === 'object' && output !== null && 'errorMessage' in output && !('principalId' in output) && !('isAuthorized' in output)
}

/** The function answered the exact error string `Unauthorized` (§10.4). */
function isUnauthorized(err: unknown): boolean {
  if (typeof err === 'string') return err === 'Unauthorized'
  if (typeof err !== 'object' || err === null) return false
  const message = (err as { errorMessage?: unknown; message?: unknown }).errorMessage ?? (err as { message?: unknown }).message
  return message === 'Unauthorized'
}
