import { MemoryRateLimitStore, parseOptions, reject, type GatewayContext, type Middleware, type Next, type RateLimitDecision, type TokenBucketSpec } from '@gw/core'
import { throttleKey, type ThrottleKeyFunction } from './keys.js'
import { throttlerSchema, type ThrottlerOptions } from './options.js'
import { rateLimitPolicy, writeRateLimitHeaders } from './rate-limit-headers.js'

interface CompiledLevel {
  readonly name: string
  readonly rate: number
  readonly burst: number
  readonly key: ThrottleKeyFunction | undefined
  /** Bucket name of the shared bucket (and prefix of per-client ones). */
  readonly prefix: string
  readonly shared: TokenBucketSpec
  readonly policyName: string
  readonly policy: string
  /** client → its bucket spec, so a known client costs one Map lookup and no string building. */
  readonly clients: Map<string, TokenBucketSpec>
}

// Bounds the per-level client → spec memo; a full memo is simply dropped (rebuilt on demand).
const CLIENT_MEMO_MAX = 16_384

function clientSpec(level: CompiledLevel, client: string): TokenBucketSpec {
  let spec = level.clients.get(client)
  if (spec === undefined) {
    if (level.clients.size >= CLIENT_MEMO_MAX) level.clients.clear()
    spec = { key: `${level.prefix}|${client}`, rate: level.rate, burst: level.burst }
    level.clients.set(client, spec)
  }
  return spec
}

let defaultStore: MemoryRateLimitStore | undefined

const resolved: Promise<void> = Promise.resolve()

/**
 * Token-bucket throttling as API Gateway applies it (aws-semantics §8.1):
 * this throttler's own level first (per client when `key` is set), then
 * `levels`, then the `account` bucket; a request passes only if every bucket
 * has a token, and tokens are taken from all of them or from none. A
 * rejected request gets 429 `{"message":"Too Many Requests"}` (THROTTLED,
 * §8.3, §12.1; the §12.3 body on HTTP APIs). On a memory store the decision
 * is synchronous; on Redis it is one round trip.
 *
 * @param options.rateLimit requests per second (fractional allowed)
 * @param options.burstLimit bucket capacity
 * @param options.key `'ip' | 'apiKey' | 'principal' | 'route'` or `(ctx) => string`. @default one shared bucket
 * @param options.headers send RateLimit / RateLimit-Policy / Retry-After. @default false (AWS sends none)
 * @throws GwError GW_CONFIG_INVALID naming each bad option
 * @example
 * import { throttler } from '@gw/throttler'
 * const limit = throttler({ rateLimit: 100, burstLimit: 200, key: 'ip' })
 * compose([limit, handler])
 */
export function throttler(options: ThrottlerOptions): Middleware<object> {
  const opts = parseOptions(throttlerSchema, options, 'throttler')
  const store = opts.store ?? (defaultStore ??= new MemoryRateLimitStore())
  const levels: CompiledLevel[] = []
  const rate = opts.rateLimit ?? opts.rate
  const burst = opts.burstLimit ?? opts.burst
  if (rate !== undefined && burst !== undefined) levels.push(compileLevel(opts.name, rate, burst, opts.key === undefined ? undefined : throttleKey(opts.key)))
  for (const level of opts.levels) levels.push(compileLevel(level.name, level.rateLimit, level.burstLimit, level.key === undefined ? undefined : throttleKey(level.key)))
  if (opts.account !== false) levels.push(compileLevel('account', opts.account.rateLimit, opts.account.burstLimit, undefined))

  const firstLevel = levels[0]
  // The schema demands at least one level; this narrows the type for the hot path.
  if (firstLevel === undefined) throw new TypeError('throttler: no level')
  const keyed = levels.some((level) => level.key !== undefined)
  // Without per-client keys the bucket list never changes: build it once.
  const staticSpecs: readonly TokenBucketSpec[] = levels.map((level) => level.shared)
  const withHeaders = opts.headers
  const onThrottled = opts.onThrottled

  const specsFor = keyed
    ? (ctx: GatewayContext<object>): TokenBucketSpec[] => {
        const specs = new Array<TokenBucketSpec>(levels.length)
        for (let i = 0; i < levels.length; i++) {
          const level = levels[i] as CompiledLevel
          const client = level.key === undefined ? undefined : level.key(ctx)
          specs[i] = client === undefined ? level.shared : clientSpec(level, client)
        }
        return specs
      }
    : (): readonly TokenBucketSpec[] => staticSpecs

  const decide = (ctx: GatewayContext<object>, next: Next, decision: RateLimitDecision): Promise<void> => {
    if (!decision.allowed) {
      const level = levels[decision.blocked] ?? firstLevel
      onThrottled?.(ctx, level.name)
      if (!withHeaders) {
        reject(ctx, 'THROTTLED')
        return resolved
      }
      const headers = Object.create(null) as Record<string, string>
      writeRateLimitHeaders(headers, level.policyName, level.policy, level.rate, level.burst, decision)
      reject(ctx, 'THROTTLED', { headers })
      return resolved
    }
    if (!withHeaders) return next()
    const level = firstLevel
    return next().then(() => {
      writeRateLimitHeaders(ctx.responseHeaders, level.policyName, level.policy, level.rate, level.burst, decision)
    })
  }

  // One level (the common standalone case): no bucket array at all.
  const single = levels.length === 1 ? firstLevel : undefined
  const singleKey = single?.key
  if (single !== undefined) {
    return function throttler(ctx, next) {
      const client = singleKey === undefined ? undefined : singleKey(ctx)
      const spec = client === undefined ? single.shared : clientSpec(single, client)
      const decision = store.take(spec.key, spec.rate, spec.burst)
      if (decision instanceof Promise) return decision.then((d) => decide(ctx, next, d))
      return decide(ctx, next, decision)
    }
  }

  return function throttler(ctx, next) {
    const decision = store.takeAll(specsFor(ctx))
    if (decision instanceof Promise) return decision.then((d) => decide(ctx, next, d))
    return decide(ctx, next, decision)
  }
}

function compileLevel(name: string, rate: number, burst: number, key: ThrottleKeyFunction | undefined): CompiledLevel {
  const prefix = `t:${name}`
  return { name, rate, burst, key, prefix, shared: { key: prefix, rate, burst }, policyName: name, policy: rateLimitPolicy(name, rate, burst), clients: new Map() }
}
