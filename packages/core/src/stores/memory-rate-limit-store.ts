import { z } from 'zod'
import { parseOptions } from '../options.js'
import { ExpiringLru } from './expiring-lru.js'
import type { RateLimitDecision, RateLimitStore, TokenBucketSpec } from './rate-limit-store.js'

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /** Most buckets kept; the least recently used is dropped (it refills to full, §8.1 "buckets start full"). @default 65536 */
  max?: number
  /** Clock in milliseconds (tests inject one). @default performance.now */
  now?: () => number
}

const schema = z
  .object({
    max: z.number().int().min(1).max(100_000_000).default(65_536),
    now: z.custom<() => number>((v) => typeof v === 'function', 'a function returning milliseconds').optional()
  })
  .strict()

/** Mutable bucket state; one class so every bucket shares a hidden class. */
class Bucket {
  tokens: number
  ts: number
  constructor(tokens: number, ts: number) {
    this.tokens = tokens
    this.ts = ts
  }
}

const defaultNow = (): number => performance.now()

/**
 * In-process token buckets (aws-semantics §8.1) on a bounded LRU (`ExpiringLru`):
 * every call answers synchronously, so a throttler on it awaits nothing.
 * Exact within one process (JavaScript runs one decision at a time).
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * const store = new MemoryRateLimitStore({ max: 10_000 })
 * store.take('client-1', 10, 20).allowed // true: buckets start full
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #buckets: ExpiringLru<string, Bucket>
  readonly #now: () => number

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    const opts = parseOptions(schema, options, 'MemoryRateLimitStore')
    this.#buckets = new ExpiringLru<string, Bucket>(opts.max)
    this.#now = opts.now ?? defaultNow
  }

  /** Buckets currently held (bounded by `max`). */
  get size(): number {
    return this.#buckets.size
  }

  /** Takes `cost` tokens from one bucket; synchronous. */
  take(key: string, rate: number, burst: number, cost = 1): RateLimitDecision {
    const now = this.#now()
    const bucket = this.#refill(key, rate, burst, now)
    if (bucket.tokens < cost) return { allowed: false, remaining: Math.floor(bucket.tokens), retryAfterMs: retryAfter(bucket.tokens, cost, rate, burst), blocked: 0 }
    bucket.tokens -= cost
    return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterMs: 0, blocked: -1 }
  }

  /** Takes `cost` tokens from every bucket or from none; synchronous. */
  takeAll(buckets: readonly TokenBucketSpec[], cost = 1): RateLimitDecision {
    if (buckets.length === 1) {
      const only = buckets[0] as TokenBucketSpec
      return this.take(only.key, only.rate, only.burst, cost)
    }
    const now = this.#now()
    const states: Bucket[] = new Array<Bucket>(buckets.length)
    let remaining = Infinity
    for (let i = 0; i < buckets.length; i++) {
      const spec = buckets[i] as TokenBucketSpec
      const bucket = this.#refill(spec.key, spec.rate, spec.burst, now)
      if (bucket.tokens < cost) {
        return { allowed: false, remaining: Math.floor(bucket.tokens), retryAfterMs: retryAfter(bucket.tokens, cost, spec.rate, spec.burst), blocked: i }
      }
      states[i] = bucket
    }
    for (const bucket of states) {
      bucket.tokens -= cost
      if (bucket.tokens < remaining) remaining = bucket.tokens
    }
    return { allowed: true, remaining: Math.floor(remaining), retryAfterMs: 0, blocked: -1 }
  }

  /** Drops every bucket. */
  clear(): void {
    this.#buckets.clear()
  }

  #refill(key: string, rate: number, burst: number, now: number): Bucket {
    let bucket = this.#buckets.get(key)
    if (bucket === undefined) {
      bucket = new Bucket(burst, now)
      this.#buckets.set(key, bucket)
      return bucket
    }
    const elapsed = now - bucket.ts
    if (elapsed > 0) {
      const tokens = bucket.tokens + (elapsed * rate) / 1000
      bucket.tokens = tokens > burst ? burst : tokens
      bucket.ts = now
    }
    return bucket
  }
}

/** Milliseconds until `cost` tokens are back (Infinity-safe: a burst below cost never refills enough). */
function retryAfter(tokens: number, cost: number, rate: number, burst: number): number {
  if (burst < cost || rate <= 0) return 0
  return Math.ceil(((cost - tokens) * 1000) / rate)
}
