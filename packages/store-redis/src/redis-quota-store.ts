import { MemoryQuotaStore, parseOptions, type QuotaDecision, type QuotaStore, type QuotaWindow } from '@gw/core'
import { z } from 'zod'
import { StoreUnavailable } from './errors.js'
import { redisStoreSchema, type RedisStoreOptions, type StoreErrorMode } from './options.js'
import { RedisStoreBase } from './redis-store-base.js'
import { QUOTA_CONSUME, QUOTA_RECONCILE } from './scripts.js'

/** Options of {@link RedisQuotaStore}. */
export interface RedisQuotaStoreOptions extends RedisStoreOptions {
  /** How long daily usage counters are kept for reports, days (§9.3). @default 90 */
  usageRetentionDays?: number
}

const schema = redisStoreSchema.extend({ usageRetentionDays: z.number().int().min(1).max(3660).default(90) })

/** How many (key, period) counts an instance remembers for outages; the oldest is forgotten first. */
const SEEN_MAX = 100_000

/** What an instance knows of a key's period while Redis cannot be trusted (see `consume`). */
interface Floor {
  /** The highest count seen from Redis, or reached locally, for this period. */
  used: number
  /** Requests admitted locally during the outage, not yet added to Redis. */
  delta: number
}

/**
 * Quota counters in Redis (aws-semantics §8.2, §9.3): exact across any
 * number of gateway instances (one atomic Lua call per decision) and kept
 * across gateway restarts. Keys `{prefix}:q:{owner}:p:{period}` and
 * `…:d:{day}` share the owner's hash tag (Cluster-safe). While Redis fails,
 * `consume` follows `onStoreError`; management calls throw GW_STORE_UNAVAILABLE.
 *
 * An outage never refills a quota (issue #15): the store remembers the last
 * count Redis gave it per key and period (bounded, `SEEN_MAX`). In `local`
 * mode the in-process fallback starts from that count, so a key at its limit
 * stays refused; across N instances an outage can still admit up to
 * (N − 1) × (limit − last count seen) more, which is why `failClosed` is the
 * strict choice for quotas. When Redis answers again, the first call for a
 * key adds what was admitted locally and raises the count to at least the
 * last one seen (`QUOTA_RECONCILE`): a count never moves backwards, even when
 * Redis restarted empty.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * usagePlans({ quotaStore: new RedisQuotaStore({ url: process.env.REDIS_URL }) })
 */
export class RedisQuotaStore extends RedisStoreBase implements QuotaStore {
  readonly #prefix: string
  readonly #dayTtl: number
  readonly #local: MemoryQuotaStore | undefined
  /** Last count seen per `{owner}:p:{period}` (insertion order = age). */
  readonly #seen = new Map<string, number>()
  /** Keys whose Redis count must be reconciled before the next decision. */
  readonly #floors = new Map<string, Floor>()
  /** Which mode decided the last request: 'redis' or the fallback's (management API, metrics). */
  #decidedBy: 'redis' | StoreErrorMode = 'redis'
  #lastKey: string | undefined
  #lastPeriod: string | undefined
  #lastDay: string | undefined
  #periodKey = ''
  #dayKey = ''
  /** The key `#remember` saw last (the newest of `#seen`, unless it was evicted since: then it is simply set again). */
  #lastSeen: string | undefined

  constructor(options: RedisQuotaStoreOptions = {}) {
    const opts = parseOptions(schema, options, 'RedisQuotaStore')
    super(opts, 'RedisQuotaStore')
    this.#prefix = `${opts.prefix}:q:`
    this.#dayTtl = opts.usageRetentionDays * 86_400_000
    this.#local = opts.onStoreError === 'local' ? new MemoryQuotaStore({ usageRetentionDays: opts.usageRetentionDays }) : undefined
  }

  /** 'redis' while Redis decides, else the `onStoreError` mode that decided the last request. */
  get decidedBy(): 'redis' | StoreErrorMode {
    return this.#decidedBy
  }

  /** Counts `cost` requests when they fit in `limit`, atomically, in one round trip. */
  consume(window: QuotaWindow, cost = 1): Promise<QuotaDecision> | QuotaDecision {
    if (!this.conn.ready) return this.#fallback(window, cost, 'connection not ready')
    if (window.key !== this.#lastKey || window.period !== this.#lastPeriod || window.day !== this.#lastDay) this.#keysFor(window)
    const periodKey = this.#periodKey
    const dayKey = this.#dayKey
    const ttl = Math.max(1, Math.ceil(window.ttlMs))
    this.conn.inflight++
    const floor = this.#floors.size === 0 ? undefined : this.#floors.get(periodKey)
    let call: Promise<unknown>
    if (floor === undefined) call = QUOTA_CONSUME.run(this.conn.client, 2, [periodKey, dayKey, window.limit, cost, ttl, this.#dayTtl])
    else {
      // Taken now, before the reply: concurrent calls for the key must not add the same local admissions twice.
      this.#floors.delete(periodKey)
      call = QUOTA_RECONCILE.run(this.conn.client, 2, [periodKey, dayKey, floor.delta, floor.used, ttl, this.#dayTtl]).then(
        (count) => {
          this.#remember(periodKey, Number(count))
          return QUOTA_CONSUME.run(this.conn.client, 2, [periodKey, dayKey, window.limit, cost, ttl, this.#dayTtl])
        },
        (err: unknown) => {
          this.#restore(periodKey, floor)
          throw err
        }
      )
    }
    return call.then(
      (reply) => {
        this.conn.settled()
        this.conn.succeeded()
        this.#decidedBy = 'redis'
        const [allowed, used, fresh] = reply as [number, number, number]
        const seen = fresh === 1 ? this.#seen.get(periodKey) : undefined
        if (seen !== undefined && seen > 0) {
          // The period's key is gone although this instance saw a count: Redis restarted empty between two calls
          // without a failed command. Never move backwards: decide on the count this instance knows, and have the
          // next call raise Redis to it. (A count lowered on purpose, UpdateUsage, leaves the key in place.)
          this.#floors.set(periodKey, { used: seen + (allowed === 1 ? cost : 0), delta: 0 })
          const known = seen + (allowed === 1 ? cost : 0)
          const ok = allowed === 1 && known <= window.limit
          return { allowed: ok, used: known, remaining: Math.max(0, window.limit - known) }
        }
        this.#remember(periodKey, used)
        return { allowed: allowed === 1, used, remaining: Math.max(0, window.limit - used) }
      },
      (err: unknown) => {
        this.conn.settled()
        return this.#fallback(window, cost, err)
      }
    )
  }

  /** Puts back a floor whose reconciliation failed, merged with any the outage added since. */
  #restore(periodKey: string, floor: Floor): void {
    const now = this.#floors.get(periodKey)
    if (now === undefined) this.#floors.set(periodKey, floor)
    else {
      now.delta += floor.delta
      now.used = Math.max(now.used, floor.used)
    }
  }

  /**
   * Builds a window's Redis keys and remembers them: the next request of the same key and period reuses the same
   * strings (`#seen` finds them by their already computed hash) instead of building two new ones (#21).
   */
  #keysFor(window: QuotaWindow): void {
    const owner = this.#owner(window.key)
    this.#lastKey = window.key
    this.#lastPeriod = window.period
    this.#lastDay = window.day
    this.#periodKey = `${owner}:p:${window.period}`
    this.#dayKey = `${owner}:d:${window.day}`
  }

  #remember(periodKey: string, used: number): void {
    const seen = this.#seen
    // The key remembered last is already the newest: update its count in place.
    if (periodKey === this.#lastSeen) {
      seen.set(periodKey, used)
      return
    }
    this.#lastSeen = periodKey
    if (seen.delete(periodKey) === false && seen.size >= SEEN_MAX) {
      const oldest = seen.keys().next().value
      if (oldest !== undefined) seen.delete(oldest)
    }
    seen.set(periodKey, used)
  }

  /** Requests counted in `period`. @throws GwError GW_STORE_UNAVAILABLE */
  async used(key: string, period: string): Promise<number> {
    const value = await this.#management(() => this.conn.client.get(`${this.#owner(key)}:p:${period}`))
    return value === null ? 0 : Number(value)
  }

  /** Overwrites the period's count (UpdateUsage). @throws GwError GW_STORE_UNAVAILABLE */
  async setUsed(key: string, period: string, used: number, ttlMs: number): Promise<void> {
    const periodKey = `${this.#owner(key)}:p:${period}`
    await this.#management(() => this.conn.client.set(periodKey, String(used), 'PX', Math.max(1, Math.ceil(ttlMs))))
    // A count lowered on purpose is the new floor, not a loss to repair.
    this.#floors.delete(periodKey)
    this.#remember(periodKey, used)
  }

  /** Admitted requests per day (GetUsage). @throws GwError GW_STORE_UNAVAILABLE */
  async dailyUsage(key: string, days: readonly string[]): Promise<number[]> {
    if (days.length === 0) return []
    const owner = this.#owner(key)
    const values = await this.#management(() => this.conn.client.mget(days.map((day) => `${owner}:d:${day}`)))
    return values.map((v) => (v === null ? 0 : Number(v)))
  }

  #owner(key: string): string {
    return `${this.#prefix}{${key}}`
  }

  async #management<T>(op: () => Promise<T>): Promise<T> {
    if (!this.conn.ready) {
      this.conn.failed('connection not ready')
      throw StoreUnavailable()
    }
    this.conn.inflight++
    try {
      const value = await op()
      this.conn.settled()
      this.conn.succeeded()
      return value
    } catch (err) {
      this.conn.settled()
      this.conn.failed(err)
      throw StoreUnavailable(undefined, { cause: err })
    }
  }

  #fallback(window: QuotaWindow, cost: number, err: unknown): QuotaDecision {
    this.conn.failed(err)
    const mode = this.conn.mode
    this.#decidedBy = mode
    const periodKey = `${this.#owner(window.key)}:p:${window.period}`
    const seen = this.#seen.get(periodKey) ?? 0
    let floor = this.#floors.get(periodKey)
    if (floor === undefined) this.#floors.set(periodKey, (floor = { used: seen, delta: 0 }))
    if (this.#local !== undefined) {
      // Start from the last count seen, never from zero: a key at its limit stays refused.
      const local = this.#local
      if (local.used(window.key, window.period) < floor.used) local.setUsed(window.key, window.period, floor.used, window.ttlMs)
      const decision = local.consume(window, cost)
      if (decision.allowed) floor.delta += cost
      floor.used = Math.max(floor.used, decision.used)
      return decision
    }
    if (mode === 'failOpen') {
      floor.delta += cost
      floor.used += cost
      return { allowed: true, used: floor.used, remaining: Math.max(0, window.limit - floor.used) }
    }
    return { allowed: false, used: Math.max(floor.used, window.limit), remaining: 0 }
  }
}
