import { MemoryQuotaStore, parseOptions, type QuotaDecision, type QuotaStore, type QuotaWindow } from '@gw/core'
import { z } from 'zod'
import { StoreUnavailable } from './errors.js'
import { redisStoreSchema, type RedisStoreOptions, type StoreErrorMode } from './options.js'
import { RedisStoreBase } from './redis-store-base.js'
import { QUOTA_CONSUME, QUOTA_CONSUME_BATCH, QUOTA_RECONCILE } from './scripts.js'
import { NOT_QUEUED, TickBatch, type Waiting } from './tick-batch.js'

/** Options of {@link RedisQuotaStore}. */
export interface RedisQuotaStoreOptions extends RedisStoreOptions {
  /** How long daily usage counters are kept for reports, days (§9.3). @default 90 */
  usageRetentionDays?: number
}

const schema = redisStoreSchema.extend({ usageRetentionDays: z.number().int().min(1).max(3660).default(90) })

/** How many (key, period) counts an instance remembers for outages; the oldest is forgotten first. */
const SEEN_MAX = 100_000

/** A decision waiting for the end of the tick. */
interface Queued extends Waiting<QuotaDecision> {
  readonly window: QuotaWindow
  readonly periodKey: string
  readonly dayKey: string
  readonly cost: number
  readonly ttl: number
}

/**
 * A tick's decisions by owner: one script call touches one owner's keys (one Cluster slot).
 * The common case is one owner per tick, kept as the queue itself.
 */
function byOwner(queue: Queued[]): Iterable<Queued[]> {
  const owner = (queue[0] as Queued).window.key
  let mixed = false
  for (let i = 1; i < queue.length && !mixed; i++) mixed = (queue[i] as Queued).window.key !== owner
  if (!mixed) return [queue]
  const groups = new Map<string, Queued[]>()
  for (const q of queue) {
    const group = groups.get(q.window.key)
    if (group === undefined) groups.set(q.window.key, [q])
    else group.push(q)
  }
  return groups.values()
}

/** What an instance knows of a key's period while Redis cannot be trusted (see `consume`). */
interface Floor {
  /** The highest count seen from Redis, or reached locally, for this period. */
  used: number
  /** Requests admitted locally during the outage, not yet added to Redis. */
  delta: number
}

/**
 * Quota counters in Redis (aws-semantics §8.2, §9.3): exact across any
 * number of gateway instances (atomic Lua calls) and kept across gateway
 * restarts. One round trip per decision, at most: with nothing in flight a
 * decision is sent at once; decisions made while others are in flight are
 * sent together at the end of the tick, one EVALSHA per owner (its keys
 * share one hash tag, so one Cluster slot) that runs them in order, each
 * seeing the count the previous one left. Keys `{prefix}:q:{owner}:p:{period}` and
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
  /** Decisions made while others were in flight, sent at the end of the tick. */
  readonly #batch = new TickBatch<Queued, QuotaDecision>(this.conn, (chunk) => this.#send(chunk), (q, err) => this.#fallback(q.window, q.cost, err), byOwner)
  /** The floor `#decide` set when it found Redis restarted empty (read by a batch for its later decisions). */
  #restarted: Floor | undefined

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
    const conn = this.conn
    if (!conn.ready) return this.#fallback(window, cost, 'connection not ready')
    if (window.key !== this.#lastKey || window.period !== this.#lastPeriod || window.day !== this.#lastDay) this.#keysFor(window)
    const periodKey = this.#periodKey
    const dayKey = this.#dayKey
    const ttl = Math.max(1, Math.ceil(window.ttlMs))
    const floor = this.#floors.size === 0 ? undefined : this.#floors.get(periodKey)
    if (floor !== undefined) return this.#reconcile(window, periodKey, dayKey, cost, ttl, floor)
    // Others in flight: join the tick's batch (one EVALSHA for all of them instead of one each, #21).
    if (conn.inflight !== 0 || this.#batch.size !== 0) return this.#batch.add({ window, periodKey, dayKey, cost, ttl, resolve: NOT_QUEUED })
    conn.inflight++
    return this.#settle(QUOTA_CONSUME.run(conn.client, 2, [periodKey, dayKey, window.limit, cost, ttl, this.#dayTtl]), window, periodKey, cost)
  }

  /** The decision of a call in flight (its last command a QUOTA_CONSUME), or the fallback's when it failed. */
  #settle(call: Promise<unknown>, window: QuotaWindow, periodKey: string, cost: number): Promise<QuotaDecision> {
    const conn = this.conn
    return call.then(
      (reply) => {
        conn.settled()
        conn.succeeded()
        const [allowed, used, fresh] = reply as [number, number, number]
        return this.#decide(window, periodKey, cost, allowed, used, fresh)
      },
      (err: unknown) => {
        conn.settled()
        return this.#fallback(window, cost, err)
      }
    )
  }

  /** The first decision after an outage (or a Redis found restarted): put back what Redis missed, then decide. */
  #reconcile(window: QuotaWindow, periodKey: string, dayKey: string, cost: number, ttl: number, floor: Floor): Promise<QuotaDecision> {
    const conn = this.conn
    conn.inflight++
    // Taken now, before the reply: concurrent calls for the key must not add the same local admissions twice.
    this.#floors.delete(periodKey)
    const call = QUOTA_RECONCILE.run(conn.client, 2, [periodKey, dayKey, floor.delta, floor.used, ttl, this.#dayTtl]).then(
      (count) => {
        this.#remember(periodKey, Number(count))
        return QUOTA_CONSUME.run(conn.client, 2, [periodKey, dayKey, window.limit, cost, ttl, this.#dayTtl])
      },
      (err: unknown) => {
        this.#restore(periodKey, floor)
        throw err
      }
    )
    return this.#settle(call, window, periodKey, cost)
  }

  /** The decision of a Redis reply (`allowed`, count after it, whether the period key was new). */
  #decide(window: QuotaWindow, periodKey: string, cost: number, allowed: number, used: number, fresh: number): QuotaDecision {
    this.#decidedBy = 'redis'
    this.#restarted = undefined
    const seen = fresh === 1 ? this.#seen.get(periodKey) : undefined
    if (seen !== undefined && seen > 0) {
      // The period's key is gone although this instance saw a count: Redis restarted empty between two calls
      // without a failed command. Never move backwards: decide on the count this instance knows, and have the
      // next call raise Redis to it. (A count lowered on purpose, UpdateUsage, leaves the key in place.)
      const known = seen + (allowed === 1 ? cost : 0)
      const floor: Floor = { used: known, delta: 0 }
      this.#floors.set(periodKey, floor)
      this.#restarted = floor
      const ok = allowed === 1 && known <= window.limit
      return { allowed: ok, used: known, remaining: Math.max(0, window.limit - known) }
    }
    this.#remember(periodKey, used)
    return { allowed: allowed === 1, used, remaining: Math.max(0, window.limit - used) }
  }

  /** One EVALSHA for a chunk of one owner's decisions; each gets its own decision, or its own fallback when the call fails. */
  #send(queued: readonly Queued[]): void {
    let batch = queued
    if (this.#floors.size !== 0) {
      // A floor set since these were queued (an outage, a Redis found restarted): reconcile first, as consume() does.
      const rest: Queued[] = []
      for (const q of queued) {
        const floor = this.#floors.get(q.periodKey)
        if (floor === undefined) rest.push(q)
        else q.resolve(this.#reconcile(q.window, q.periodKey, q.dayKey, q.cost, q.ttl, floor))
      }
      if (rest.length === 0) return
      batch = rest
    }
    const n = batch.length
    const argv = new Array<string | number>(n * 6)
    const dayTtl = this.#dayTtl
    for (let i = 0; i < n; i++) {
      const q = batch[i] as Queued
      argv[2 * i] = q.periodKey
      argv[2 * i + 1] = q.dayKey
      const a = 2 * n + 4 * i
      argv[a] = q.window.limit
      argv[a + 1] = q.cost
      argv[a + 2] = q.ttl
      argv[a + 3] = dayTtl
    }
    this.#batch.run(batch, QUOTA_CONSUME_BATCH, 2 * n, argv, (r) => {
      // Redis found restarted empty by an earlier decision of this batch: count on from what this instance knows.
      let restarted: Map<string, Floor> | undefined
      for (let i = 0; i < n; i++) {
        const q = batch[i] as Queued
        const allowed = r[3 * i] as number
        const floor = restarted?.get(q.periodKey)
        if (floor !== undefined) {
          if (allowed === 1) floor.used += q.cost
          const ok = allowed === 1 && floor.used <= q.window.limit
          q.resolve({ allowed: ok, used: floor.used, remaining: Math.max(0, q.window.limit - floor.used) })
          continue
        }
        q.resolve(this.#decide(q.window, q.periodKey, q.cost, allowed, r[3 * i + 1] as number, r[3 * i + 2] as number))
        if (this.#restarted !== undefined) (restarted ??= new Map()).set(q.periodKey, this.#restarted)
      }
    })
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
