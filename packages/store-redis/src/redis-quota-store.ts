import { MemoryQuotaStore, parseOptions, type QuotaDecision, type QuotaStore, type QuotaWindow } from '@gw/core'
import { z } from 'zod'
import { StoreUnavailable } from './errors.js'
import { redisStoreSchema, type RedisStoreOptions } from './options.js'
import { RedisStoreBase } from './redis-store-base.js'
import { QUOTA_CONSUME } from './scripts.js'

/** Options of {@link RedisQuotaStore}. */
export interface RedisQuotaStoreOptions extends RedisStoreOptions {
  /** How long daily usage counters are kept for reports, days (§9.3). @default 90 */
  usageRetentionDays?: number
}

const schema = redisStoreSchema.extend({ usageRetentionDays: z.number().int().min(1).max(3660).default(90) })

/**
 * Quota counters in Redis (aws-semantics §8.2, §9.3): exact across any
 * number of gateway instances (one atomic Lua call per decision) and kept
 * across gateway restarts. Keys `{prefix}:q:{owner}:p:{period}` and
 * `…:d:{day}` share the owner's hash tag (Cluster-safe). While Redis fails,
 * `consume` follows `onStoreError` (`local`: counted in-process, so not exact
 * across instances until Redis is back); management calls throw
 * GW_STORE_UNAVAILABLE.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * usagePlans({ quotaStore: new RedisQuotaStore({ url: process.env.REDIS_URL }) })
 */
export class RedisQuotaStore extends RedisStoreBase implements QuotaStore {
  readonly #prefix: string
  readonly #dayTtl: number
  readonly #local: MemoryQuotaStore | undefined

  constructor(options: RedisQuotaStoreOptions = {}) {
    const opts = parseOptions(schema, options, 'RedisQuotaStore')
    super(opts, 'RedisQuotaStore')
    this.#prefix = `${opts.prefix}:q:`
    this.#dayTtl = opts.usageRetentionDays * 86_400_000
    this.#local = opts.onStoreError === 'local' ? new MemoryQuotaStore({ usageRetentionDays: opts.usageRetentionDays }) : undefined
  }

  /** Counts `cost` requests when they fit in `limit`, atomically, in one round trip. */
  consume(window: QuotaWindow, cost = 1): Promise<QuotaDecision> | QuotaDecision {
    if (!this.conn.ready) return this.#fallback(window, cost, 'connection not ready')
    const owner = this.#owner(window.key)
    this.conn.inflight++
    return QUOTA_CONSUME.run(this.conn.client, 2, [`${owner}:p:${window.period}`, `${owner}:d:${window.day}`, window.limit, cost, Math.max(1, Math.ceil(window.ttlMs)), this.#dayTtl]).then(
      (reply) => {
        this.conn.settled()
        this.conn.succeeded()
        const [allowed, used] = reply as [number, number]
        return { allowed: allowed === 1, used, remaining: Math.max(0, window.limit - used) }
      },
      (err: unknown) => {
        this.conn.settled()
        return this.#fallback(window, cost, err)
      }
    )
  }

  /** Requests counted in `period`. @throws GwError GW_STORE_UNAVAILABLE */
  async used(key: string, period: string): Promise<number> {
    const value = await this.#management(() => this.conn.client.get(`${this.#owner(key)}:p:${period}`))
    return value === null ? 0 : Number(value)
  }

  /** Overwrites the period's count (UpdateUsage). @throws GwError GW_STORE_UNAVAILABLE */
  async setUsed(key: string, period: string, used: number, ttlMs: number): Promise<void> {
    await this.#management(() => this.conn.client.set(`${this.#owner(key)}:p:${period}`, String(used), 'PX', Math.max(1, Math.ceil(ttlMs))))
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
    if (this.#local !== undefined) return this.#local.consume(window, cost)
    return this.conn.mode === 'failOpen' ? { allowed: true, used: 0, remaining: window.limit } : { allowed: false, used: window.limit, remaining: 0 }
  }
}
