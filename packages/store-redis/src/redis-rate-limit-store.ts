import { MemoryRateLimitStore, parseOptions, type RateLimitDecision, type RateLimitStore, type TokenBucketSpec } from '@gw/core'
import { redisStoreSchema, type RedisStoreOptions } from './options.js'
import { RedisConnection, type StoreErrorStats } from './redis-connection.js'
import { TOKEN_BUCKET } from './scripts.js'

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
export class RedisRateLimitStore implements RateLimitStore {
  readonly #conn: RedisConnection
  readonly #keyPrefix: string
  readonly #local: MemoryRateLimitStore | undefined

  constructor(options: RedisStoreOptions = {}) {
    const opts = parseOptions(redisStoreSchema, options, 'RedisRateLimitStore')
    this.#conn = new RedisConnection(opts, 'RedisRateLimitStore')
    this.#keyPrefix = `{${opts.prefix}}:rl:`
    this.#local = opts.onStoreError === 'local' ? new MemoryRateLimitStore() : undefined
  }

  /** Outage counters (`errors`, `degraded`). */
  get stats(): StoreErrorStats {
    return this.#conn.stats
  }

  /** Resolves once the connection is up. */
  ready(timeoutMs = 5000): Promise<void> {
    return this.#conn.waitReady(timeoutMs)
  }

  /** Takes `cost` tokens from one bucket in one round trip. */
  take(key: string, rate: number, burst: number, cost = 1): Promise<RateLimitDecision> | RateLimitDecision {
    if (!this.#conn.ready) return this.#fallback([{ key, rate, burst }], cost, 'connection not ready')
    return TOKEN_BUCKET.run(this.#conn.client, 1, [this.#keyPrefix + key, cost, rate, burst]).then(
      (reply) => this.#decision(reply),
      (err: unknown) => this.#fallback([{ key, rate, burst }], cost, err)
    )
  }

  /** Takes `cost` tokens from every bucket or none, in one round trip. */
  takeAll(buckets: readonly TokenBucketSpec[], cost = 1): Promise<RateLimitDecision> | RateLimitDecision {
    if (!this.#conn.ready) return this.#fallback(buckets, cost, 'connection not ready')
    const n = buckets.length
    const args = new Array<string | number>(n * 3 + 1)
    args[n] = cost
    for (let i = 0; i < n; i++) {
      const b = buckets[i] as TokenBucketSpec
      args[i] = this.#keyPrefix + b.key
      args[n + 1 + i * 2] = b.rate
      args[n + 2 + i * 2] = b.burst
    }
    return TOKEN_BUCKET.run(this.#conn.client, n, args).then(
      (reply) => this.#decision(reply),
      (err: unknown) => this.#fallback(buckets, cost, err)
    )
  }

  /** Closes the connection it created (not a client passed in). */
  close(): Promise<void> {
    return this.#conn.close()
  }

  #decision(reply: unknown): RateLimitDecision {
    this.#conn.succeeded()
    const [allowed, remaining, retryAfterMs, blocked] = reply as [number, number, number, number]
    return { allowed: allowed === 1, remaining, retryAfterMs, blocked }
  }

  #fallback(buckets: readonly TokenBucketSpec[], cost: number, err: unknown): RateLimitDecision {
    this.#conn.failed(err)
    if (this.#local !== undefined) return this.#local.takeAll(buckets, cost)
    return this.#conn.mode === 'failOpen' ? OPEN : CLOSED
  }
}
