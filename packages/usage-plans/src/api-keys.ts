import { parseOptions, reject, type ApiKeyIdentity, type GatewayContext, type Middleware, type Next, type QuotaDecision, type RateLimitDecision, type TokenBucketSpec } from '@gw/core'
import { middlewareSchema, type ApiKeysMiddlewareOptions } from './options.js'
import { stageKeyOf, type KeyRecord, type PlanRecord, type UsagePlans } from './usage-plans.js'

const resolved: Promise<void> = Promise.resolve()

/** What one key needs on one method: its plan, its buckets (most specific first) and its quota owner. */
interface KeyRoute {
  readonly plan: PlanRecord
  readonly specs: readonly TokenBucketSpec[] | undefined
  readonly owner: string
  /** `ctx.apiKey` of the last request with this key and plan (read-only, so shared by the requests that repeat it). */
  identity: ApiKeyIdentity | undefined
}

/** §8.1: the plan's method throttle for this key (most specific), then the plan's per-key throttle. */
function keyRoute(plan: PlanRecord, key: KeyRecord, stageKey: string, methodKey: string): KeyRoute {
  const specs: TokenBucketSpec[] = []
  const limits = plan.methodThrottles.get(stageKey)?.get(methodKey)
  if (limits !== undefined) specs.push({ key: `p:${plan.id}:${stageKey.replace('\u0000', '/')}:${methodKey}|${key.id}`, rate: limits.rateLimit, burst: limits.burstLimit })
  if (plan.throttle !== undefined) specs.push({ key: `p:${plan.id}|${key.id}`, rate: plan.throttle.rateLimit, burst: plan.throttle.burstLimit })
  return { plan, specs: specs.length === 0 ? undefined : specs, owner: `${plan.id}:${key.id}`, identity: undefined }
}
const DAY_MS = 86_400_000

/**
 * The API-key step of a REST method with `apiKeyRequired: true`
 * (aws-semantics §0.1 step 7, §9.2), composed after authorization: reads the
 * key (`x-api-key`, or the authorizer's `usageIdentifierKey`), requires it to
 * be enabled and in a usage plan of this api stage, else 403
 * `{"message":"Forbidden"}` (INVALID_API_KEY); then the plan's per-method
 * and per-key throttles (429 THROTTLED, §8.1 levels 1-2) and its quota (429
 * `{"message":"Limit Exceeded"}`, QUOTA_EXCEEDED, §8.2). Sets `ctx.apiKey`
 * (`$context.identity.apiKey` / `apiKeyId`). With memory stores nothing is
 * awaited before `next()`.
 * @param registry keys and plans (`createUsagePlans()`)
 * @param options.apiId / options.stage fix the api stage (else `ctx.apiId` / `ctx.stage`)
 * @param options.resourcePath / options.httpMethod fix the method for method throttles (else from ctx)
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * compose([authorizer, apiKeys(plans, { apiId: 'a1', stage: 'prod' }), integration])
 */
export function apiKeys(registry: UsagePlans, options: ApiKeysMiddlewareOptions = {}): Middleware<object> {
  const opts = parseOptions(middlewareSchema, options, 'apiKeys')
  const fromAuthorizer = opts.apiKeySource === 'AUTHORIZER'
  const fixedStage = opts.apiId !== undefined && opts.stage !== undefined ? stageKeyOf(opts.apiId, opts.stage) : undefined
  const fixedMethod = opts.resourcePath !== undefined && opts.httpMethod !== undefined ? `${opts.resourcePath === '/' ? '/' : opts.resourcePath}/${opts.httpMethod.toUpperCase()}` : undefined
  // With the api stage and method fixed (the gateway's case), a key's buckets and
  // quota owner are built once per key and plan, not per request.
  const memo = fixedStage !== undefined && fixedMethod !== undefined ? new WeakMap<KeyRecord, KeyRoute>() : undefined
  const rateLimits = registry.rateLimitStore
  const quotas = registry.quotaStore

  const quotaStep = (ctx: GatewayContext<object>, next: Next, plan: PlanRecord, owner: string): Promise<void> => {
    const now = registry.now()
    registry.currentWindow(plan, now)
    const window = plan.window
    const decision = quotas.consume({
      key: owner,
      period: window.id,
      limit: registry.effectiveLimit(plan, window.id),
      day: plan.day.id,
      ttlMs: window.end - now + DAY_MS
    })
    if (decision instanceof Promise) return decision.then((d) => afterQuota(ctx, next, d))
    return afterQuota(ctx, next, decision)
  }

  const afterQuota = (ctx: GatewayContext<object>, next: Next, decision: QuotaDecision): Promise<void> => {
    if (!decision.allowed) {
      reject(ctx, 'QUOTA_EXCEEDED')
      return resolved
    }
    return next()
  }

  const afterThrottle = (ctx: GatewayContext<object>, next: Next, plan: PlanRecord, route: KeyRoute, decision: RateLimitDecision): Promise<void> => {
    if (!decision.allowed) {
      reject(ctx, 'THROTTLED')
      return resolved
    }
    return quotaStep(ctx, next, plan, route.owner)
  }

  return function apiKeys(ctx, next) {
    let value: unknown
    // @gw/authorizers leaves it in ctx.state (USAGE_IDENTIFIER_KEY), not in the $context.authorizer map (§10.4).
    if (fromAuthorizer) value = (ctx.state as Record<string, unknown>)['usageIdentifierKey']
    else value = ctx.headers['x-api-key']
    if (typeof value !== 'string' || value === '') return reject(ctx, 'INVALID_API_KEY')
    const key = registry.findKey(value)
    if (key === undefined) return reject(ctx, 'INVALID_API_KEY')
    const stageKey = fixedStage ?? stageKeyOf(ctx.apiId ?? '', ctx.stage ?? '')
    const plan = key.stagePlans.get(stageKey)
    if (plan === undefined) return reject(ctx, 'INVALID_API_KEY')

    let route: KeyRoute | undefined
    if (memo !== undefined) {
      route = memo.get(key)
      if (route?.plan !== plan) memo.set(key, (route = keyRoute(plan, key, stageKey, fixedMethod ?? '')))
      // The same key presents the same value (it is found by the value's hash): one frozen identity per key and plan.
      let identity = route.identity
      if (identity?.value !== value) route.identity = identity = Object.freeze({ id: key.id, value, usagePlanId: plan.id })
      ctx.apiKey = identity
    } else {
      ctx.apiKey = { id: key.id, value, usagePlanId: plan.id }
      route = keyRoute(plan, key, stageKey, `${ctx.resourcePath ?? ctx.path}/${ctx.method}`)
    }
    const specs = route.specs
    if (specs === undefined) return quotaStep(ctx, next, plan, route.owner)
    const decision = rateLimits.takeAll(specs)
    if (decision instanceof Promise) return decision.then((d) => afterThrottle(ctx, next, plan, route, d))
    return afterThrottle(ctx, next, plan, route, decision)
  }
}
