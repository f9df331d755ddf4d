import type { MaybePromise } from './store-types.js'

/**
 * One token bucket of a decision (aws-semantics §8.1): capacity `burst`
 * tokens, refilled at `rate` tokens per second (fractional rates allowed,
 * e.g. `0.1`), full when first used.
 */
export interface TokenBucketSpec {
  /** Bucket name, unique per scope and client (`method:/pets/GET|203.0.113.7`). */
  readonly key: string
  /** Refill rate, tokens per second (> 0). */
  readonly rate: number
  /** Capacity, tokens (>= 0; 0 rejects everything, as a 0 burst does on AWS). */
  readonly burst: number
}

/** Outcome of taking tokens from one or several buckets. */
export interface RateLimitDecision {
  /** Whether every bucket had `cost` tokens (and they were all taken). */
  readonly allowed: boolean
  /** Whole tokens left in the most restrictive bucket after the decision. */
  readonly remaining: number
  /** Milliseconds until the blocking bucket holds `cost` tokens again; 0 when allowed. */
  readonly retryAfterMs: number
  /** Index in the bucket list of the first (most specific) exhausted bucket; -1 when allowed. */
  readonly blocked: number
}

/**
 * Token-bucket store shared by throttlers (§8.1). Both methods are atomic:
 * `takeAll` takes `cost` tokens from every bucket only when every bucket
 * has them ("only consume tokens once all buckets have at least one"), so a
 * request rejected by the account bucket does not spend its method token.
 * Memory stores answer synchronously; Redis stores in one round trip.
 */
export interface RateLimitStore {
  /** Takes `cost` (default 1) tokens from one bucket. */
  take(key: string, rate: number, burst: number, cost?: number): MaybePromise<RateLimitDecision>
  /** Takes `cost` (default 1) tokens from every bucket, or from none; buckets listed most specific first. */
  takeAll(buckets: readonly TokenBucketSpec[], cost?: number): MaybePromise<RateLimitDecision>
  /** Optional resource release (Redis connections). */
  close?(): MaybePromise<void>
}
