import { GwError, MemoryQuotaStore, MemoryRateLimitStore, type CacheStore, type QuotaStore, type RateLimitStore } from '@gw/core'
import { createUsagePlans, type UsagePlans } from '@gw/usage-plans'
import type { GwConfig } from '../config-schema.js'
import { CliConfigInvalid } from '../errors.js'

/**
 * State that outlives a config reload (`--watch`): the @gw/usage-plans registry (API keys, plans, plan-key links,
 * including keys created at run time through the management API) over quota and rate-limit stores (§8, §9).
 * A reload re-applies the config's plans and keys only when they changed; counters live in the stores and are
 * keyed by plan and key ids, so they survive either way.
 */
export class UsageState {
  readonly quotas: QuotaStore
  readonly rateLimits: RateLimitStore
  /** The stage response cache's shared store (§7; `store: redis://…`), or `undefined`: each gateway keeps one memory store per stage. */
  readonly cache: CacheStore | undefined
  readonly plans: UsagePlans
  #applied = ''
  readonly #configPlans = new Set<string>()
  readonly #configKeys = new Set<string>()
  readonly #planCreated = new Map<string, string>()

  constructor(quotas: QuotaStore = new MemoryQuotaStore(), rateLimits: RateLimitStore = new MemoryRateLimitStore(), cache?: CacheStore) {
    this.quotas = quotas
    this.rateLimits = rateLimits
    this.cache = cache
    this.plans = createUsagePlans({ quotaStore: quotas, rateLimitStore: rateLimits })
  }

  /**
   * Applies the config's usage plans and API keys (values from `env`), keeping run-time keys and their plan links.
   * @throws GwError GW_CLI_CONFIG_INVALID naming the plan or key the registry refused
   */
  sync(config: GwConfig, env: NodeJS.ProcessEnv, file: string, apiIds: ReadonlyMap<string, string> = new Map()): void {
    const fingerprint = JSON.stringify([config.usagePlans, config.apiKeys.map((k) => [k, env[k.valueFromEnv]]), [...apiIds]])
    if (fingerprint === this.#applied) return
    const registry = this.plans
    // Remember which run-time keys were in the config's plans: deleting a plan detaches its keys.
    const links: [string, string][] = []
    for (const planId of this.#configPlans) {
      for (const key of registry.listUsagePlanKeys(planId).items) if (!this.#configKeys.has(key.id)) links.push([planId, key.id])
      registry.deleteUsagePlan(planId)
    }
    for (const keyId of this.#configKeys) registry.deleteApiKey(keyId)
    this.#configPlans.clear()
    this.#configKeys.clear()
    config.usagePlans.forEach((plan, index) => {
      const id = plan.id ?? plan.name
      const createdDate = this.#planCreated.get(id) ?? new Date().toISOString()
      guard(`${file}: usagePlans[${String(index)}]`, () =>
        registry.createUsagePlan({
          id,
          name: plan.name,
          ...(plan.description === undefined ? {} : { description: plan.description }),
          apiStages: plan.apiStages.map((s) => ({ apiId: apiIds.get(s.api) ?? s.api, stage: s.stage, throttle: s.throttle ?? {} })),
          ...(plan.throttle === undefined ? {} : { throttle: plan.throttle }),
          ...(plan.quota === undefined ? {} : { quota: plan.quota }),
          // Same createdDate across reloads keeps the quota offset's initial period (§8.2).
          createdDate
        })
      )
      this.#planCreated.set(id, createdDate)
      this.#configPlans.add(id)
    })
    config.apiKeys.forEach((key, index) => {
      const id = key.id ?? key.name
      guard(`${file}: apiKeys[${String(index)}]`, () =>
        registry.createApiKey({
          id,
          name: key.name,
          value: env[key.valueFromEnv] ?? '',
          enabled: key.enabled,
          usagePlanIds: key.usagePlans,
          ...(key.description === undefined ? {} : { description: key.description }),
          ...(key.customerId === undefined ? {} : { customerId: key.customerId })
        })
      )
      this.#configKeys.add(id)
    })
    for (const [planId, keyId] of links) {
      try {
        registry.createUsagePlanKey(planId, keyId)
      } catch {
        // The run-time key was deleted meanwhile, or the plan left the config: nothing to re-attach.
      }
    }
    this.#applied = fingerprint
  }
}

function guard(where: string, fn: () => unknown): void {
  try {
    fn()
  } catch (err) {
    throw CliConfigInvalid(`${where}: ${err instanceof GwError ? err.message : String(err)}`, { cause: err })
  }
}
