import { MemoryRateLimitStore, parseOptions, type RateLimitDecision, type RateLimitStore, type TokenBucketSpec } from '@gw/core'
import { redisStoreSchema, type RedisStoreOptions } from './options.js'
import { RedisStoreBase } from './redis-store-base.js'
import { isNoScript } from './lua-script.js'
import { TICKS_PER_SECOND, TOKEN_BUCKET, TOKEN_BUCKETS } from './scripts.js'
import { NOT_QUEUED, TickBatch, type Waiting } from './tick-batch.js'

const OPEN: RateLimitDecision = Object.freeze({ allowed: true, remaining: 0, retryAfterMs: 0, blocked: -1 })
const CLOSED: RateLimitDecision = Object.freeze({ allowed: false, remaining: 0, retryAfterMs: 1000, blocked: 0 })

/** A decision waiting for the end of the tick. */
interface Queued extends Waiting<RateLimitDecision> {
  readonly buckets: readonly TokenBucketSpec[]
  readonly cost: number
}

/** The decision at `offset` of a TOKEN_BUCKETS reply (`remaining, retryAfterMs, blocked` per decision). */
function decisionAt(reply: readonly number[], offset: number): RateLimitDecision {
  const blocked = reply[offset + 2] as number
  return { allowed: blocked === -1, remaining: reply[offset] as number, retryAfterMs: reply[offset + 1] as number, blocked }
}

/**
 * Token buckets in Redis (aws-semantics §8.1) shared by every gateway
 * instance, refilled on Redis time. One round trip per decision, at most:
 * with nothing in flight a decision is sent at once (one EVALSHA); decisions
 * made while others are in flight are sent together at the end of the tick,
 * in one EVALSHA that runs them in order (each sees the state the previous
 * one left, so limits stay exact under any concurrency). All buckets of a
 * store share the hash tag `{prefix}`, so a batch runs in one slot on Redis
 * Cluster (use one prefix per API to spread them). While Redis fails,
 * decisions follow `onStoreError`.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * const store = new RedisRateLimitStore({ url: 'redis://127.0.0.1:6379', onStoreError: 'local' })
 * throttler({ rateLimit: 100, burstLimit: 200, store })
 */
export class RedisRateLimitStore extends RedisStoreBase implements RateLimitStore {
  readonly #keyPrefix: string
  readonly #local: MemoryRateLimitStore | undefined
  /** Decisions made while others were in flight, sent at the end of the tick. */
  readonly #batch = new TickBatch<Queued, RateLimitDecision>(this.conn, (chunk) => this.#send(chunk), (q, err) => this.#fallback(q.buckets, q.cost, err))

  constructor(options: RedisStoreOptions = {}) {
    const opts = parseOptions(redisStoreSchema, options, 'RedisRateLimitStore')
    super(opts, 'RedisRateLimitStore')
    // `tb` (not the `rl` of 0.x, whose state was float milliseconds): gateways of both versions never misread each other's buckets
    this.#keyPrefix = `{${opts.prefix}}:tb:`
    this.#local = opts.onStoreError === 'local' ? new MemoryRateLimitStore() : undefined
  }

  /** Takes `cost` tokens from one bucket. */
  take(key: string, rate: number, burst: number, cost = 1): Promise<RateLimitDecision> | RateLimitDecision {
    const conn = this.conn
    if (!conn.ready) return this.#fallback([{ key, rate, burst }], cost, 'connection not ready')
    if (conn.inflight !== 0 || this.#batch.size !== 0) return this.#batch.add({ buckets: [{ key, rate, burst }], cost, resolve: NOT_QUEUED })
    // Hot path when idle: EVALSHA with positional arguments and one then(); NOSCRIPT is handled on the error branch.
    const client = conn.client
    const redisKey = this.#keyPrefix + key
    const interval = TICKS_PER_SECOND / rate
    conn.inflight++
    return client.evalsha(TOKEN_BUCKET.sha, 1, redisKey, cost, interval, burst).then(this.#onReply, (err: unknown) =>
      isNoScript(err)
        ? client.eval(TOKEN_BUCKET.source, 1, redisKey, cost, interval, burst).then(this.#onReply, (again: unknown) => this.#failed([{ key, rate, burst }], cost, again))
        : this.#failed([{ key, rate, burst }], cost, err)
    )
  }

  /** Takes `cost` tokens from every bucket or from none. */
  takeAll(buckets: readonly TokenBucketSpec[], cost = 1): Promise<RateLimitDecision> | RateLimitDecision {
    if (buckets.length === 1) {
      const only = buckets[0] as TokenBucketSpec
      return this.take(only.key, only.rate, only.burst, cost)
    }
    if (!this.conn.ready) return this.#fallback(buckets, cost, 'connection not ready')
    return this.#batch.add({ buckets, cost, resolve: NOT_QUEUED })
  }

  /** One EVALSHA for a chunk of the tick's decisions; each gets its own decision, or its own fallback when the call fails. */
  #send(batch: readonly Queued[]): void {
    const keys: string[] = []
    const args: (string | number)[] = []
    for (const q of batch) {
      args.push(q.cost, q.buckets.length)
      for (const b of q.buckets) {
        keys.push(this.#keyPrefix + b.key)
        args.push(TICKS_PER_SECOND / b.rate, b.burst)
      }
    }
    this.#batch.run(batch, TOKEN_BUCKETS, keys.length, [...keys, ...args], (r) => {
      for (let i = 0; i < batch.length; i++) (batch[i] as Queued).resolve(decisionAt(r, i * 3))
    })
  }

  // Bound once: no closure allocated per decision. TOKEN_BUCKET answers a bare integer when it allows.
  readonly #onReply = (reply: unknown): RateLimitDecision => {
    this.conn.settled()
    this.conn.succeeded()
    return typeof reply === 'number' ? { allowed: true, remaining: reply, retryAfterMs: 0, blocked: -1 } : decisionAt(reply as number[], 0)
  }

  #failed(buckets: readonly TokenBucketSpec[], cost: number, err: unknown): RateLimitDecision {
    this.conn.settled()
    return this.#fallback(buckets, cost, err)
  }

  /** What `onStoreError` decides for a decision Redis did not make (each one is counted). */
  #fallback(buckets: readonly TokenBucketSpec[], cost: number, err: unknown): RateLimitDecision {
    this.conn.failed(err)
    if (this.#local !== undefined) return this.#local.takeAll(buckets, cost)
    return this.conn.mode === 'failOpen' ? OPEN : CLOSED
  }
}
