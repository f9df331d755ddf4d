import type { MaybePromise } from './store-types.js'

/**
 * One quota counter of a decision (aws-semantics §8.2): requests counted per
 * `key` within one period (`period` is the period's id, e.g. `2026-11-28`,
 * `2026-W47`, `2026-11`), capped at `limit`. Every admitted request is also
 * counted on its UTC `day` for usage reports (§9.3).
 */
export interface QuotaWindow {
  /** Counter owner, e.g. `{usagePlanId}:{apiKeyId}`. */
  readonly key: string
  /** Id of the current quota period. */
  readonly period: string
  /** Requests allowed in this period (after `offset`, §8.2). */
  readonly limit: number
  /** UTC day `YYYY-MM-DD` the request falls on (daily usage, §9.3). */
  readonly day: string
  /** How long the period counter must live, ms (period end plus margin). */
  readonly ttlMs: number
}

/** Outcome of one quota consumption. */
export interface QuotaDecision {
  /** Whether the request fits in the quota (and was counted). */
  readonly allowed: boolean
  /** Requests counted in the period after this decision. */
  readonly used: number
  /** `limit - used`, never below 0. */
  readonly remaining: number
}

/**
 * Quota counters shared by gateway instances (§8.2, §9.3). `consume` is
 * atomic: under any concurrency exactly `limit` requests pass per period.
 * Memory stores answer synchronously; Redis stores in one round trip.
 */
export interface QuotaStore {
  /** Counts `cost` (default 1) requests when they fit in `limit`; also adds them to the day's usage. */
  consume(window: QuotaWindow, cost?: number): MaybePromise<QuotaDecision>
  /** Requests counted in `period` so far (0 when none). */
  used(key: string, period: string): MaybePromise<number>
  /**
   * Overwrites the period's count (UpdateUsage `/remaining`, §8.2): callers
   * pass `limit - remaining`, which may be negative to extend the quota.
   */
  setUsed(key: string, period: string, used: number, ttlMs: number): MaybePromise<void>
  /** Admitted requests per UTC day for each of `days` (`YYYY-MM-DD`), in order (GetUsage, §9.3). */
  dailyUsage(key: string, days: readonly string[]): MaybePromise<number[]>
  /** Optional resource release (Redis connections). */
  close?(): MaybePromise<void>
}
