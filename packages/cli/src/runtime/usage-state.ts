import { randomBytes } from 'node:crypto'
import { MemoryQuotaStore, MemoryRateLimitStore, type QuotaStore, type RateLimitStore } from '@gw/core'

/** An API key as the management API shows it (§9.1 `ApiKey`). */
export interface ApiKeyRecord {
  id: string
  value: string
  name: string
  description?: string
  customerId?: string
  enabled: boolean
  createdDate: string
  lastUpdatedDate: string
  /** Usage plan ids this key belongs to (`UsagePlanKey`, §9.1). */
  usagePlanIds: string[]
  /** Created through the management API / `gw keys create` (survives config reloads). */
  runtime: boolean
}

/**
 * State that outlives a config reload (`--watch`): API keys created at run time and quota counters (§8.2).
 * Config reloads replace routes and integrations, never this object.
 */
export class UsageState {
  readonly quotas: QuotaStore
  readonly rateLimits: RateLimitStore
  readonly keys = new Map<string, ApiKeyRecord>()
  readonly byValue = new Map<string, ApiKeyRecord>()

  constructor(quotas: QuotaStore = new MemoryQuotaStore(), rateLimits: RateLimitStore = new MemoryRateLimitStore()) {
    this.quotas = quotas
    this.rateLimits = rateLimits
  }

  /** Adds or replaces a key (same value = same key, §9.1). */
  putKey(record: ApiKeyRecord): void {
    const previous = this.keys.get(record.id)
    if (previous !== undefined) this.byValue.delete(previous.value)
    this.keys.set(record.id, record)
    this.byValue.set(record.value, record)
  }

  /** Re-syncs keys declared in the config, keeping runtime-created ones. */
  syncConfigKeys(records: ApiKeyRecord[]): void {
    for (const [id, record] of this.keys) {
      if (!record.runtime) {
        this.keys.delete(id)
        this.byValue.delete(record.value)
      }
    }
    for (const record of records) this.putKey(record)
  }
}

/** A new 40-character alphanumeric key value, like API Gateway's generated keys (§9.1). */
export function generateKeyValue(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  const bytes = randomBytes(40)
  let out = ''
  for (const byte of bytes) out += alphabet[byte % alphabet.length] ?? 'A'
  return out
}

/** A short API Gateway-style id (10 lower-case alphanumerics). */
export function generateId(): string {
  return randomBytes(8).toString('hex').slice(0, 10)
}
