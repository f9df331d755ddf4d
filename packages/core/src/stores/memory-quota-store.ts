import { performance } from 'node:perf_hooks'
import { z } from 'zod'
import { parseOptions } from '../options.js'
import { ExpiringLru } from './expiring-lru.js'
import type { QuotaDecision, QuotaStore, QuotaWindow } from './quota-store.js'

/** Options of {@link MemoryQuotaStore}. */
export interface MemoryQuotaStoreOptions {
  /** Most counters kept (period counters plus daily usage counters). @default 100000 */
  max?: number
  /** How long daily usage counters are kept for reports, days (§9.3). @default 90 */
  usageRetentionDays?: number
}

const schema = z
  .object({
    max: z.number().int().min(1).max(100_000_000).default(100_000),
    usageRetentionDays: z.number().int().min(1).max(3660).default(90)
  })
  .strict()

const DAY_MS = 86_400_000

/**
 * In-process quota counters (aws-semantics §8.2, §9.3) on a bounded,
 * TTL-aware LRU (`ExpiringLru`). Synchronous, hence exact under any concurrency in one
 * process. Counters do not survive a restart: use `RedisQuotaStore` for that.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * const quotas = new MemoryQuotaStore()
 * quotas.consume({ key: 'plan:key', period: '2026-11', limit: 1000, day: '2026-11-28', ttlMs: 3e9 })
 */
export class MemoryQuotaStore implements QuotaStore {
  readonly #counters: ExpiringLru<string, number>
  readonly #usageTtl: number
  #lastKey: string | undefined
  #lastPeriod: string | undefined
  #lastDay: string | undefined
  #periodKey = ''
  #dayKey = ''

  constructor(options: MemoryQuotaStoreOptions = {}) {
    const opts = parseOptions(schema, options, 'MemoryQuotaStore')
    this.#counters = new ExpiringLru<string, number>(opts.max)
    this.#usageTtl = opts.usageRetentionDays * DAY_MS
  }

  /** Counters currently held (bounded by `max`). */
  get size(): number {
    return this.#counters.size
  }

  /** Counts `cost` requests when they fit in `limit`; synchronous. */
  consume(window: QuotaWindow, cost = 1): QuotaDecision {
    if (window.key !== this.#lastKey || window.period !== this.#lastPeriod || window.day !== this.#lastDay) this.#keysFor(window)
    const periodKey = this.#periodKey
    const counters = this.#counters
    // One clock read for the decision's two reads and two writes (four otherwise): they are one instant (#21).
    const now = performance.now()
    const used = counters.get(periodKey, now) ?? 0
    if (used + cost > window.limit) return { allowed: false, used, remaining: Math.max(0, window.limit - used) }
    const next = used + cost
    counters.set(periodKey, next, window.ttlMs, now)
    const dayKey = this.#dayKey
    counters.set(dayKey, (counters.get(dayKey, now) ?? 0) + cost, this.#usageTtl, now)
    return { allowed: true, used: next, remaining: Math.max(0, window.limit - next) }
  }

  /**
   * Builds the counter keys of a window and remembers them: the next request of the same key and period reuses the
   * same strings (their hash already computed), instead of concatenating, flattening and hashing two new ones.
   */
  #keysFor(window: QuotaWindow): void {
    this.#lastKey = window.key
    this.#lastPeriod = window.period
    this.#lastDay = window.day
    this.#periodKey = periodCounter(window.key, window.period)
    this.#dayKey = dayCounter(window.key, window.day)
  }

  /** Requests counted in `period`. */
  used(key: string, period: string): number {
    return this.#counters.get(periodCounter(key, period)) ?? 0
  }

  /** Overwrites the period's count (UpdateUsage). */
  setUsed(key: string, period: string, used: number, ttlMs: number): void {
    this.#counters.set(periodCounter(key, period), used, ttlMs)
  }

  /** Admitted requests per day. */
  dailyUsage(key: string, days: readonly string[]): number[] {
    return days.map((day) => this.#counters.get(dayCounter(key, day)) ?? 0)
  }
}

const periodCounter = (key: string, period: string): string => `q\u0000${key}\u0000${period}`
const dayCounter = (key: string, day: string): string => `d\u0000${key}\u0000${day}`
