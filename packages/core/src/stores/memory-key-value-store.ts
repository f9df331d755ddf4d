import { LRUCache } from 'lru-cache'
import { z } from 'zod'
import { parseOptions } from '../options.js'
import type { KeyValueStore } from './store-types.js'

/** Options of {@link MemoryKeyValueStore}. */
export interface MemoryKeyValueStoreOptions {
  /** Most entries kept; the least recently used goes first. Unbounded is refused. @default 10000 */
  max?: number
}

const schema = z.object({ max: z.number().int().min(1).max(100_000_000).default(10_000) }).strict()

/**
 * In-process `KeyValueStore` on a bounded lru-cache with per-entry TTL
 * (authorizer results, JWKS). Synchronous: the hot path awaits nothing.
 * @throws GwError GW_CONFIG_INVALID when `max` is not a positive integer (unbounded is refused)
 * @example
 * const kv = new MemoryKeyValueStore({ max: 5000 })
 * kv.set('policy:abc', '{"allow":true}', 300_000)
 */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly #cache: LRUCache<string, string>

  constructor(options: MemoryKeyValueStoreOptions = {}) {
    const { max } = parseOptions(schema, options, 'MemoryKeyValueStore')
    this.#cache = new LRUCache<string, string>({ max, ttlAutopurge: false })
  }

  /** Entries currently held (at most `max`). */
  get size(): number {
    return this.#cache.size
  }

  /** The value, or `undefined` when absent or expired. */
  get(key: string): string | undefined {
    return this.#cache.get(key)
  }

  /** Stores `value`; `ttlMs` 0 or omitted keeps it until evicted. */
  set(key: string, value: string, ttlMs = 0): void {
    this.#cache.set(key, value, { ttl: ttlMs })
  }

  /** Removes `key`. */
  delete(key: string): void {
    this.#cache.delete(key)
  }

  /** Drops everything. */
  close(): void {
    this.#cache.clear()
  }
}
