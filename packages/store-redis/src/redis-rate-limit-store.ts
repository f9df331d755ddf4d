import { MemoryRateLimitStore, parseOptions, type RateLimitDecision, type RateLimitStore, type TokenBucketSpec } from '@gw/core'
import { redisStoreSchema, type RedisStoreOptions } from './options.js'
import { RedisStoreBase } from './redis-store-base.js'
import { isNoScript } from './lua-script.js'
import { TICKS_PER_SECOND, TOKEN_BUCKET, TOKEN_BUCKETS } from './scripts.js'

const OPEN: RateLimitDecision = Object.freeze({ allowed: true, remaining: 0, retryAfterMs: 0, blocked: -1 })
const CLOSED: RateLimitDecision = Object.freeze({ allowed: false, remaining: 0, retryAfterMs: 1000, blocked: 0 })

/** Decisions in one script call at most: a call holds Redis for about 3 µs a decision. */
const MAX_BATCH = 128

/** A decision waiting for the end of the tick. */
interface Queued {
  readonly buckets: readonly TokenBucketSpec[]
  readonly cost: number
  readonly resolve: (decision: RateLimitDecision) => void
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
  #queue: Queued[] = []

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
    if (conn.inflight !== 0 || this.#queue.length !== 0) return this.#enqueue([{ key, rate, burst }], cost)
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
    return this.#enqueue(buckets, cost)
  }

  #enqueue(buckets: readonly TokenBucketSpec[], cost: number): Promise<RateLimitDecision> {
    // nextTick runs once the current microtasks are done: every decision the tick makes joins the batch
    if (this.#queue.length === 0) process.nextTick(this.#flush)
    return new Promise((resolve) => this.#queue.push({ buckets, cost, resolve }))
  }

  readonly #flush = (): void => {
    const queue = this.#queue
    this.#queue = []
    for (let i = 0; i < queue.length; i += MAX_BATCH) this.#send(queue.length <= MAX_BATCH ? queue : queue.slice(i, i + MAX_BATCH))
  }

  /** One EVALSHA for a batch of decisions; each gets its own decision, or its own fallback when the call fails. */
  #send(batch: readonly Queued[]): void {
    const conn = this.conn
    if (!conn.ready) {
      for (const q of batch) q.resolve(this.#fallback(q.buckets, q.cost, 'connection not ready'))
      return
    }
    const keys: string[] = []
    const args: (string | number)[] = []
    for (const q of batch) {
      args.push(q.cost, q.buckets.length)
      for (const b of q.buckets) {
        keys.push(this.#keyPrefix + b.key)
        args.push(TICKS_PER_SECOND / b.rate, b.burst)
      }
    }
    conn.inflight++
    TOKEN_BUCKETS.run(conn.client, keys.length, [...keys, ...args]).then(
      (reply) => {
        conn.settled()
        conn.succeeded()
        const r = reply as number[]
        for (let i = 0; i < batch.length; i++) (batch[i] as Queued).resolve(decisionAt(r, i * 3))
      },
      (err: unknown) => {
        conn.settled()
        for (const q of batch) q.resolve(this.#fallback(q.buckets, q.cost, err))
      }
    )
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
