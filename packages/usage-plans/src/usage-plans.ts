import { epochMs, MemoryQuotaStore, MemoryRateLimitStore, parseOptions, silentLogger, type Logger, type QuotaStore, type RateLimitStore } from '@gw/core'
import { apiKeyIdFromHash, generateApiKeyValue, hashApiKey, maskApiKey } from './api-key-value.js'
import { UsageBadRequest, UsageConflict, UsageLimitExceeded, UsageNotFound } from './errors.js'
import { apiKeySchema, registrySchema, usagePlanSchema, type ApiKeyInput, type ThrottleSettings, type UsagePlanInput, type UsagePlansOptions } from './options.js'
import { daysBetween, parseDay, quotaPeriod, utcDay, type QuotaPeriodName, type QuotaPeriodRange } from './quota-period.js'

/** An API key as listed (§9.1): the value is always masked. */
export interface ApiKey {
  readonly id: string
  readonly name: string
  readonly description: string | undefined
  readonly customerId: string | undefined
  readonly enabled: boolean
  readonly createdDate: string
  readonly lastUpdatedDate: string
  /** `{apiId}/{stage}` of every api stage the key reaches through its plans. */
  readonly stageKeys: string[]
  /** Last 4 characters only: values are stored as SHA-256 hashes. */
  readonly value: string
}

/** What `createApiKey` returns: the only time the value is shown in clear. */
export interface CreatedApiKey extends Omit<ApiKey, 'value'> {
  readonly value: string
}

/** A usage plan as returned by management calls (§9.1). */
export interface UsagePlan {
  readonly id: string
  readonly name: string
  readonly description: string | undefined
  readonly apiStages: { apiId: string; stage: string; throttle: Record<string, ThrottleSettings> }[]
  readonly throttle: ThrottleSettings | undefined
  readonly quota: { limit: number; offset: number; period: QuotaPeriodName } | undefined
  readonly createdDate: string
}

/** `UsagePlanKey` (§9.1); `value` masked. */
export interface UsagePlanKey {
  readonly id: string
  readonly type: 'API_KEY'
  readonly name: string
  readonly value: string
}

/** GetUsage response (§9.3): per key id, one `[used, remaining]` per day; `remaining` null without a quota. */
export interface Usage {
  readonly usagePlanId: string
  readonly startDate: string
  readonly endDate: string
  readonly position: string | null
  readonly values: Record<string, [number, number | null][]>
}

/** GetUsage query (§9.3). */
export interface UsageQuery {
  usagePlanId: string
  startDate: string
  endDate: string
  keyId?: string
  /** Keys per page, 1-500. @default 25 */
  limit?: number
  position?: string
}

/** UpdateUsage patch operation (§8.2): `{ op: 'replace', path: '/remaining', value: '500' }`. */
export interface UsagePatchOperation {
  op: 'replace'
  path: '/remaining'
  value: string
}

/** @internal compiled plan. */
export interface PlanRecord {
  readonly id: string
  readonly view: UsagePlan
  /** Bucket of the plan's per-key throttle (§8.1 level 2), `undefined` if none. */
  readonly throttle: ThrottleSettings | undefined
  /** stage key → method key (`/pets/GET`) → limits (§8.1 level 1). */
  readonly methodThrottles: Map<string, Map<string, ThrottleSettings>>
  readonly quota: { limit: number; offset: number; period: QuotaPeriodName; initialPeriod: string } | undefined
  readonly keyIds: Set<string>
  /** Current quota period, recomputed when it ends (no date math per request). */
  window: QuotaPeriodRange
  day: QuotaPeriodRange
}

/** @internal key record (never holds the value). */
export interface KeyRecord {
  readonly id: string
  readonly hash: string
  readonly lastFour: string
  name: string
  description: string | undefined
  customerId: string | undefined
  enabled: boolean
  readonly createdDate: string
  lastUpdatedDate: string
  readonly planIds: Set<string>
  /** stage key (`apiId\0stage`) → plan admitting the key there. */
  readonly stagePlans: Map<string, PlanRecord>
}

const MAX_KEYS = 10_000 // §15
/** How many presented key values `findKey()` remembers the hash of. */
const HASH_CACHE_SIZE = 1024
const MAX_PLANS = 300 // §15
const MAX_PLANS_PER_KEY = 10 // §9.1
const MAX_REPORT_DAYS = 366
const NO_QUOTA = Number.MAX_SAFE_INTEGER
const DAY_MS = 86_400_000

/** Key of an api stage in lookups. */
export const stageKeyOf = (apiId: string, stage: string): string => `${apiId}\u0000${stage}`

/**
 * API keys and usage plans of one account (aws-semantics §8.2, §9): keys
 * are kept only as SHA-256 hashes and shown masked; plans attach keys to api
 * stages with per-key and per-method throttles and DAY/WEEK/MONTH quotas in
 * UTC. Counters live in the quota store (memory, or Redis to share them
 * between instances and keep them across restarts). Build the request-side
 * middleware with `apiKeys(registry)`.
 * @throws GwError GW_CONFIG_INVALID on bad options; GW_USAGE_* from management calls
 * @example
 * const plans = createUsagePlans({ usagePlans: [{ id: 'basic', name: 'Basic', apiStages: [{ apiId: 'a1', stage: 'prod' }], quota: { limit: 1000, period: 'DAY' } }] })
 * const { id, value } = plans.createApiKey({ name: 'alice', usagePlanIds: ['basic'] })
 */
export class UsagePlans {
  readonly quotaStore: QuotaStore
  readonly rateLimitStore: RateLimitStore
  readonly now: () => number
  readonly #logger: Logger
  readonly #plans = new Map<string, PlanRecord>()
  readonly #keys = new Map<string, KeyRecord>()
  readonly #byHash = new Map<string, KeyRecord>()
  /** Presented value → its SHA-256, for the last HASH_CACHE_SIZE distinct values (memory only, never logged). */
  readonly #hashes = new Map<string, string>()
  /**
   * The last presented value and its hash: a run of requests with one key compares the value (`===`, a few dozen
   * characters) instead of hashing the new header string again for the map lookup.
   */
  #lastValue = ''
  #lastHash = ''

  constructor(options: UsagePlansOptions = {}) {
    const opts = parseOptions(registrySchema, options, 'createUsagePlans')
    this.quotaStore = opts.quotaStore ?? new MemoryQuotaStore()
    this.rateLimitStore = opts.rateLimitStore ?? new MemoryRateLimitStore()
    // epochMs: the quota step reads the clock on every request, and a Date.now() runtime call cost ~0.35 µs there (#21)
    this.now = opts.now ?? epochMs
    this.#logger = opts.logger ?? silentLogger
    for (const plan of opts.usagePlans) this.createUsagePlan(plan)
    for (const key of opts.apiKeys) this.createApiKey(key)
  }

  // ---------------- API keys ----------------

  /**
   * CreateApiKey (§9.1). The returned `value` is the only clear copy: it is
   * stored as a SHA-256 hash. Ids derive from the hash, so instances
   * configured with the same value agree on the id (and share counters).
   * @throws GwError GW_USAGE_CONFLICT (same value or id), GW_USAGE_LIMIT_EXCEEDED (10,000 keys), GW_USAGE_NOT_FOUND (unknown plan id)
   */
  createApiKey(input: ApiKeyInput): CreatedApiKey {
    const opts = parseOptions(apiKeySchema, input, 'createApiKey')
    if (this.#keys.size >= MAX_KEYS) throw UsageLimitExceeded(`at most ${MAX_KEYS} API keys (§15)`)
    const value = opts.value ?? generateApiKeyValue()
    const hash = hashApiKey(value)
    const existing = this.#byHash.get(hash)
    if (existing !== undefined) throw UsageConflict(`an API key with this value already exists (id ${existing.id})`)
    const id = opts.id ?? apiKeyIdFromHash(hash)
    if (this.#keys.has(id)) throw UsageConflict(`API key id ${id} already exists`)
    for (const planId of opts.usagePlanIds) this.#plan(planId)
    const created = new Date(this.now()).toISOString()
    const record: KeyRecord = {
      id,
      hash,
      lastFour: value.slice(-4),
      name: opts.name,
      description: opts.description,
      customerId: opts.customerId,
      enabled: opts.enabled,
      createdDate: created,
      lastUpdatedDate: created,
      planIds: new Set(),
      stagePlans: new Map()
    }
    this.#keys.set(id, record)
    this.#byHash.set(hash, record)
    try {
      for (const planId of opts.usagePlanIds) this.createUsagePlanKey(planId, id)
    } catch (err) {
      this.deleteApiKey(id)
      throw err
    }
    this.#logger.info({ event: 'gw.api_key_created', keyId: id, key: maskApiKey(record.lastFour) })
    return { ...this.#keyView(record), value }
  }

  /** GetApiKey; the value is masked. @throws GwError GW_USAGE_NOT_FOUND */
  getApiKey(id: string): ApiKey {
    return this.#keyView(this.#key(id))
  }

  /** GetApiKeys (§9.1), values masked, sorted by id; filters like `nameQuery` (prefix) and `customerId`. */
  listApiKeys(query: { nameQuery?: string; customerId?: string } = {}): { items: ApiKey[] } {
    const items: ApiKey[] = []
    for (const record of [...this.#keys.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (query.nameQuery !== undefined && !record.name.startsWith(query.nameQuery)) continue
      if (query.customerId !== undefined && record.customerId !== query.customerId) continue
      items.push(this.#keyView(record))
    }
    return { items }
  }

  /** UpdateApiKey: name, description, customerId, enabled. @throws GwError GW_USAGE_NOT_FOUND */
  updateApiKey(id: string, patch: { name?: string; description?: string; customerId?: string; enabled?: boolean }): ApiKey {
    const record = this.#key(id)
    if (patch.name !== undefined) record.name = patch.name
    if (patch.description !== undefined) record.description = patch.description
    if (patch.customerId !== undefined) record.customerId = patch.customerId
    if (patch.enabled !== undefined) record.enabled = patch.enabled
    record.lastUpdatedDate = new Date(this.now()).toISOString()
    return this.#keyView(record)
  }

  /** Disables a key: requests with it get 403 INVALID_API_KEY (§9.2). */
  disableApiKey(id: string): ApiKey {
    return this.updateApiKey(id, { enabled: false })
  }

  /** Enables a key again. */
  enableApiKey(id: string): ApiKey {
    return this.updateApiKey(id, { enabled: true })
  }

  /** DeleteApiKey (also removes it from its plans). @throws GwError GW_USAGE_NOT_FOUND */
  deleteApiKey(id: string): void {
    const record = this.#key(id)
    for (const planId of record.planIds) this.#plans.get(planId)?.keyIds.delete(id)
    this.#keys.delete(id)
    this.#byHash.delete(record.hash)
  }

  // ---------------- usage plans ----------------

  /**
   * CreateUsagePlan (§9.1).
   * @throws GwError GW_CONFIG_INVALID (shape), GW_USAGE_CONFLICT (id taken), GW_USAGE_LIMIT_EXCEEDED (300 plans)
   */
  createUsagePlan(input: UsagePlanInput): UsagePlan {
    const opts = parseOptions(usagePlanSchema, input, 'createUsagePlan')
    if (this.#plans.size >= MAX_PLANS) throw UsageLimitExceeded(`at most ${MAX_PLANS} usage plans (§15)`)
    const id = opts.id ?? opts.name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').slice(0, 64)
    if (this.#plans.has(id)) throw UsageConflict(`usage plan ${id} already exists`)
    const created = opts.createdDate === undefined ? this.now() : new Date(opts.createdDate).getTime()
    const methodThrottles = new Map<string, Map<string, ThrottleSettings>>()
    for (const s of opts.apiStages) methodThrottles.set(stageKeyOf(s.apiId, s.stage), new Map(Object.entries(s.throttle)))
    const now = this.now()
    const record: PlanRecord = {
      id,
      view: {
        id,
        name: opts.name,
        description: opts.description,
        apiStages: opts.apiStages,
        throttle: opts.throttle,
        quota: opts.quota,
        createdDate: new Date(created).toISOString()
      },
      throttle: opts.throttle,
      methodThrottles,
      quota: opts.quota === undefined ? undefined : { ...opts.quota, initialPeriod: quotaPeriod(opts.quota.period, created).id },
      keyIds: new Set(),
      window: quotaPeriod(opts.quota?.period ?? 'DAY', now),
      day: quotaPeriod('DAY', now)
    }
    this.#plans.set(id, record)
    return record.view
  }

  /** GetUsagePlan. @throws GwError GW_USAGE_NOT_FOUND */
  getUsagePlan(id: string): UsagePlan {
    return this.#plan(id).view
  }

  /** GetUsagePlans, sorted by id. */
  listUsagePlans(): { items: UsagePlan[] } {
    return { items: [...this.#plans.values()].map((p) => p.view).sort((a, b) => (a.id < b.id ? -1 : 1)) }
  }

  /** DeleteUsagePlan (detaches its keys). @throws GwError GW_USAGE_NOT_FOUND */
  deleteUsagePlan(id: string): void {
    const plan = this.#plan(id)
    for (const keyId of [...plan.keyIds]) this.deleteUsagePlanKey(id, keyId)
    this.#plans.delete(id)
  }

  /**
   * CreateUsagePlanKey (§9.1): at most one plan per api stage per key, at most 10 plans per key.
   * @throws GwError GW_USAGE_NOT_FOUND, GW_USAGE_CONFLICT, GW_USAGE_LIMIT_EXCEEDED
   */
  createUsagePlanKey(usagePlanId: string, keyId: string): UsagePlanKey {
    const plan = this.#plan(usagePlanId)
    const key = this.#key(keyId)
    if (key.planIds.has(plan.id)) throw UsageConflict(`API key ${keyId} is already in usage plan ${usagePlanId}`)
    if (key.planIds.size >= MAX_PLANS_PER_KEY) throw UsageLimitExceeded(`an API key can be in at most ${MAX_PLANS_PER_KEY} usage plans (§9.1)`)
    for (const stageKey of plan.methodThrottles.keys()) {
      const other = key.stagePlans.get(stageKey)
      if (other !== undefined) throw UsageConflict(`API key ${keyId} is already in usage plan ${other.id} for api stage ${stageKey.replace('\u0000', '/')} (§9.1: one plan per api stage)`)
    }
    key.planIds.add(plan.id)
    plan.keyIds.add(key.id)
    for (const stageKey of plan.methodThrottles.keys()) key.stagePlans.set(stageKey, plan)
    return { id: key.id, type: 'API_KEY', name: key.name, value: maskApiKey(key.lastFour) }
  }

  /** DeleteUsagePlanKey. @throws GwError GW_USAGE_NOT_FOUND */
  deleteUsagePlanKey(usagePlanId: string, keyId: string): void {
    const plan = this.#plan(usagePlanId)
    const key = this.#key(keyId)
    if (!plan.keyIds.delete(key.id)) throw UsageNotFound(`API key ${keyId} is not in usage plan ${usagePlanId}`)
    key.planIds.delete(plan.id)
    for (const stageKey of plan.methodThrottles.keys()) if (key.stagePlans.get(stageKey) === plan) key.stagePlans.delete(stageKey)
  }

  /** GetUsagePlanKeys, values masked. */
  listUsagePlanKeys(usagePlanId: string): { items: UsagePlanKey[] } {
    const plan = this.#plan(usagePlanId)
    return {
      items: [...plan.keyIds].sort().map((id) => {
        const key = this.#key(id)
        return { id, type: 'API_KEY' as const, name: key.name, value: maskApiKey(key.lastFour) }
      })
    }
  }

  // ---------------- usage ----------------

  /**
   * GetUsage (§9.3): per key id one `[used, remaining]` per UTC day from
   * `startDate` to `endDate` inclusive; `remaining` is what was left of the
   * quota period at the end of that day (null without a quota). Paged by
   * key: `limit` keys (default 25, max 500), `position` from the previous page.
   * @throws GwError GW_USAGE_NOT_FOUND, GW_USAGE_BAD_REQUEST; GW_STORE_UNAVAILABLE from a Redis store
   */
  async getUsage(query: UsageQuery): Promise<Usage> {
    const plan = this.#plan(query.usagePlanId)
    const start = parseDay(query.startDate)
    const end = parseDay(query.endDate)
    if (Number.isNaN(start) || Number.isNaN(end)) throw UsageBadRequest('startDate and endDate must be YYYY-MM-DD')
    if (end < start) throw UsageBadRequest('endDate is before startDate')
    if ((end - start) / DAY_MS >= MAX_REPORT_DAYS) throw UsageBadRequest(`at most ${MAX_REPORT_DAYS} days per request`)
    const limit = query.limit ?? 25
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw UsageBadRequest('limit must be 1-500')
    let ids = [...plan.keyIds].sort()
    if (query.keyId !== undefined) ids = ids.filter((id) => id === query.keyId)
    let offset = 0
    if (query.position !== undefined) {
      offset = Number(Buffer.from(query.position, 'base64url').toString())
      if (!Number.isInteger(offset) || offset < 0) throw UsageBadRequest('invalid position')
    }
    const page = ids.slice(offset, offset + limit)
    const values: Record<string, [number, number | null][]> = {}
    for (const keyId of page) values[keyId] = await this.#keyUsage(plan, keyId, start, end)
    const next = offset + limit
    return {
      usagePlanId: plan.id,
      startDate: query.startDate,
      endDate: query.endDate,
      position: next < ids.length ? Buffer.from(String(next)).toString('base64url') : null,
      values
    }
  }

  /**
   * UpdateUsage (§8.2): `replace /remaining` sets what is left of the
   * current quota period (above the limit extends it, 0 spends it). Returns
   * today's usage of the key.
   * @throws GwError GW_USAGE_NOT_FOUND, GW_USAGE_BAD_REQUEST (no quota, bad op or value)
   */
  async updateUsage(usagePlanId: string, keyId: string, patchOperations: readonly UsagePatchOperation[]): Promise<Usage> {
    const plan = this.#plan(usagePlanId)
    if (!plan.keyIds.has(keyId)) throw UsageNotFound(`API key ${keyId} is not in usage plan ${usagePlanId}`)
    const quota = plan.quota
    if (quota === undefined) throw UsageBadRequest(`usage plan ${usagePlanId} has no quota`)
    for (const op of patchOperations) {
      if (op.op !== 'replace' || op.path !== '/remaining') throw UsageBadRequest('only { op: "replace", path: "/remaining" } is supported (§8.2)')
      const remaining = Number(op.value)
      if (!Number.isInteger(remaining) || remaining < 0) throw UsageBadRequest('value must be a non-negative integer')
      const now = this.now()
      const period = quotaPeriod(quota.period, now)
      await this.quotaStore.setUsed(`${plan.id}:${keyId}`, period.id, this.effectiveLimit(plan, period.id) - remaining, period.end - now + DAY_MS)
    }
    const today = utcDay(this.now())
    return this.getUsage({ usagePlanId, keyId, startDate: today, endDate: today })
  }

  // ---------------- request side (used by apiKeys()) ----------------

  /**
   * @internal The enabled key with this value, or undefined. A value outside 20-128 characters is no key (§9.1) and
   * is not hashed; the hash of a recently presented value is remembered (bounded map, oldest out first), so a client
   * that sends its key on every request costs one map lookup, not one SHA-256. Only the hash is cached: a key
   * deleted, disabled or re-created answers as it is now.
   */
  findKey(value: string): KeyRecord | undefined {
    if (value.length < 20 || value.length > 128) return undefined
    let hash: string | undefined
    if (value === this.#lastValue) hash = this.#lastHash
    else {
      const cache = this.#hashes
      hash = cache.get(value)
      if (hash === undefined) {
        hash = hashApiKey(value)
        if (cache.size >= HASH_CACHE_SIZE) cache.delete(cache.keys().next().value as string)
        cache.set(value, hash)
      }
      this.#lastValue = value
      this.#lastHash = hash
    }
    const record = this.#byHash.get(hash)
    return record?.enabled === true ? record : undefined
  }

  /** @internal Quota limit of a period: `limit - offset` in the plan's initial period (§8.2). */
  effectiveLimit(plan: PlanRecord, periodId: string): number {
    const quota = plan.quota
    if (quota === undefined) return NO_QUOTA
    return periodId === quota.initialPeriod ? quota.limit - quota.offset : quota.limit
  }

  /** @internal Plan's current quota period and day (cached until they end). */
  currentWindow(plan: PlanRecord, now: number): PlanRecord {
    if (now >= plan.day.end || now < plan.day.start) plan.day = quotaPeriod('DAY', now)
    if (now >= plan.window.end || now < plan.window.start) plan.window = quotaPeriod(plan.quota?.period ?? 'DAY', now)
    return plan
  }

  async #keyUsage(plan: PlanRecord, keyId: string, start: number, end: number): Promise<[number, number | null][]> {
    const owner = `${plan.id}:${keyId}`
    const quota = plan.quota
    const firstPeriod = quota === undefined ? undefined : quotaPeriod(quota.period, start)
    const from = firstPeriod === undefined ? start : Math.min(start, firstPeriod.start)
    const days = daysBetween(from, end)
    const daily = await this.quotaStore.dailyUsage(owner, days)
    const now = this.now()
    const current = quota === undefined ? undefined : quotaPeriod(quota.period, now)
    // UpdateUsage moves the period counter without touching daily counts: carry the difference on the current period.
    let adjustment = 0
    if (current !== undefined) {
      const periodUsed = await this.quotaStore.used(owner, current.id)
      const periodDays = daysBetween(current.start, Math.min(end, current.end - 1))
      const known = await this.quotaStore.dailyUsage(owner, periodDays)
      adjustment = periodUsed - known.reduce((a, b) => a + b, 0)
    }
    const out: [number, number | null][] = []
    let periodId = ''
    let cumulative = 0
    for (let i = 0; i < days.length; i++) {
      const day = days[i] as string
      const t = from + i * DAY_MS
      const used = daily[i] ?? 0
      let remaining: number | null = null
      if (quota !== undefined) {
        const period = quotaPeriod(quota.period, t)
        if (period.id !== periodId) {
          periodId = period.id
          cumulative = period.id === current?.id ? adjustment : 0
        }
        cumulative += used
        remaining = Math.max(0, this.effectiveLimit(plan, period.id) - cumulative)
      }
      if (t >= start && day <= utcDay(end)) out.push([used, remaining])
    }
    return out
  }

  #plan(id: string): PlanRecord {
    const plan = this.#plans.get(id)
    if (plan === undefined) throw UsageNotFound(`usage plan ${id} not found`)
    return plan
  }

  #key(id: string): KeyRecord {
    const key = this.#keys.get(id)
    if (key === undefined) throw UsageNotFound(`API key ${id} not found`)
    return key
  }

  #keyView(record: KeyRecord): ApiKey {
    return {
      id: record.id,
      name: record.name,
      description: record.description,
      customerId: record.customerId,
      enabled: record.enabled,
      createdDate: record.createdDate,
      lastUpdatedDate: record.lastUpdatedDate,
      stageKeys: [...record.stagePlans.keys()].map((k) => k.replace('\u0000', '/')).sort(),
      value: maskApiKey(record.lastFour)
    }
  }
}

/**
 * Creates a {@link UsagePlans} registry.
 * @throws GwError GW_CONFIG_INVALID
 * @example
 * const plans = createUsagePlans({ quotaStore: new RedisQuotaStore() })
 */
export function createUsagePlans(options: UsagePlansOptions = {}): UsagePlans {
  return new UsagePlans(options)
}

