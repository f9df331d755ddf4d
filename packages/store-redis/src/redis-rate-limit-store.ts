import { MemoryRateLimitStore, parseOptions, type RateLimitDecision, type RateLimitStore, type TokenBucketSpec } from '@gw/core'
import { redisStoreSchema, type RedisStoreOptions } from './options.js'
import { RedisStoreBase } from './redis-store-base.js'
import { isNoScript } from './lua-script.js'
import { TOKEN_BUCKET, TOKEN_BUCKET_ONE } from './scripts.js'

const OPEN: RateLimitDecision = Object.freeze({ allowed: true, remaining: 0, retryAfterMs: 0, blocked: -1 })
const CLOSED: RateLimitDecision = Object.freeze({ allowed: false, remaining: 0, retryAfterMs: 1000, blocked: 0 })

/**
 * Token buckets in Redis (aws-semantics §8.1) shared by every gateway
 * instance: one EVALSHA per decision, refill computed on Redis time. All
 * buckets of a store share the hash tag `{prefix}` so multi-bucket decisions
 * run in one slot on Redis Cluster (use one prefix per API to spread them).
 * While Redis fails, decisions follow `onStoreError`.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * const store = new RedisRateLimitStore({ url: 'redis://127.0.0.1:6379', onStoreError: 'local' })
 * throttler({ rateLimit: 100, burstLimit: 200, store })
 */
export class RedisRateLimitStore extends RedisStoreBase implements RateLimitStore {
  readonly #keyPrefix: string
  readonly #local: MemoryRateLimitStore | undefined

  constructor(options: RedisStoreOptions = {}) {
    const opts = parseOptions(redisStoreSchema, options, 'RedisRateLimitStore')
    super(opts, 'RedisRateLimitStore')
    this.#keyPrefix = `{${opts.prefix}}:rl:`
    this.#local = opts.onStoreError === 'local' ? new MemoryRateLimitStore() : undefined
  }

  /** Takes `cost` tokens from one bucket in one round trip. */
  take(key: string, rate: number, burst: number, cost = 1): Promise<RateLimitDecision> | RateLimitDecision {
    if (!this.conn.ready) return this.#fallback([{ key, rate, burst }], cost, 'connection not ready')
    // Hot path: EVALSHA with positional arguments and one then(); NOSCRIPT is handled on the error branch.
    const conn = this.conn
    const client = conn.client
    const redisKey = this.#keyPrefix + key
    conn.inflight++
    return client.evalsha(TOKEN_BUCKET_ONE.sha, 1, redisKey, cost, rate, burst).then(this.#onReply, (err: unknown) =>
      isNoScript(err)
        ? client.eval(TOKEN_BUCKET_ONE.source, 1, redisKey, cost, rate, burst).then(this.#onReply, (again: unknown) => this.#fallback([{ key, rate, burst }], cost, again))
        : this.#fallback([{ key, rate, burst }], cost, err)
    )
  }

  /** Takes `cost` tokens from every bucket or none, in one round trip. */
  takeAll(buckets: readonly TokenBucketSpec[], cost = 1): Promise<RateLimitDecision> | RateLimitDecision {
    if (buckets.length === 1) {
      const only = buckets[0] as TokenBucketSpec
      return this.take(only.key, only.rate, only.burst, cost)
    }
    if (!this.conn.ready) return this.#fallback(buckets, cost, 'connection not ready')
    const n = buckets.length
    const args = new Array<string | number>(n * 3 + 1)
    args[n] = cost
    for (let i = 0; i < n; i++) {
      const b = buckets[i] as TokenBucketSpec
      args[i] = this.#keyPrefix + b.key
      args[n + 1 + i * 2] = b.rate
      args[n + 2 + i * 2] = b.burst
    }
    this.conn.inflight++
    return TOKEN_BUCKET.run(this.conn.client, n, args).then(this.#onReply, (err: unknown) => this.#fallback(buckets, cost, err))
  }

  // Bound once: no closure allocated per decision.
  readonly #onReply = (reply: unknown): RateLimitDecision => {
    this.conn.settled()
    this.conn.succeeded()
    const r = reply as [number, number, number, number]
    return { allowed: r[0] === 1, remaining: r[1], retryAfterMs: r[2], blocked: r[3] }
  }

  #fallback(buckets: readonly TokenBucketSpec[], cost: number, err: unknown): RateLimitDecision {
    if (typeof err !== 'string') this.conn.settled()
    this.conn.failed(err)
    if (this.#local !== undefined) return this.#local.takeAll(buckets, cost)
    return this.conn.mode === 'failOpen' ? OPEN : CLOSED
  }
}
