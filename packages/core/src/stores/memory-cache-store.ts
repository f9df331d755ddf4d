import { LRUCache } from 'lru-cache'
import { z } from 'zod'
import { parseOptions } from '../options.js'
import type { CacheStore } from './store-types.js'

/** Options of {@link MemoryCacheStore}. */
export interface MemoryCacheStoreOptions {
  /** Most entries kept. Unbounded is refused. @default 10000 */
  max?: number
  /** Most bytes kept over all entries (values plus keys). @default 67108864 (64 MiB) */
  maxBytes?: number
  /** Largest single entry; bigger values are not cached (§15: 1,048,576 bytes). @default 1048576 */
  maxEntryBytes?: number
}

const schema = z
  .object({
    max: z.number().int().min(1).max(100_000_000).default(10_000),
    maxBytes: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(64 * 1024 * 1024),
    maxEntryBytes: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(1_048_576)
  })
  .strict()

/**
 * In-process response cache (§7) on a bounded lru-cache: entry count and
 * total bytes are both capped, each entry has its TTL, and `flush(prefix)`
 * drops a stage's entries (FlushStageCache).
 * @throws GwError GW_CONFIG_INVALID when a bound is missing or not a positive integer
 * @example
 * const cache = new MemoryCacheStore({ maxBytes: 16 * 1024 * 1024 })
 * cache.set('prod:GET /pets', new TextEncoder().encode('[]'), 300_000)
 */
export class MemoryCacheStore implements CacheStore {
  readonly #cache: LRUCache<string, Uint8Array>
  readonly #maxEntryBytes: number

  constructor(options: MemoryCacheStoreOptions = {}) {
    const opts = parseOptions(schema, options, 'MemoryCacheStore')
    this.#maxEntryBytes = Math.min(opts.maxEntryBytes, opts.maxBytes)
    this.#cache = new LRUCache<string, Uint8Array>({
      max: opts.max,
      maxSize: opts.maxBytes,
      sizeCalculation: (value, key) => value.byteLength + key.length,
      ttlAutopurge: false
    })
  }

  /** Entries currently held. */
  get size(): number {
    return this.#cache.size
  }

  /** Bytes currently held (at most `maxBytes`). */
  get bytes(): number {
    return this.#cache.calculatedSize
  }

  /** The cached bytes, or `undefined` when absent or expired. */
  get(key: string): Uint8Array | undefined {
    return this.#cache.get(key)
  }

  /** Caches `value` for `ttlMs`; values above `maxEntryBytes` are skipped (and any old entry removed). */
  set(key: string, value: Uint8Array, ttlMs: number): void {
    if (value.byteLength + key.length > this.#maxEntryBytes) {
      this.#cache.delete(key)
      return
    }
    this.#cache.set(key, value, { ttl: ttlMs })
  }

  /** Removes `key`. */
  delete(key: string): void {
    this.#cache.delete(key)
  }

  /** Removes every entry whose key starts with `prefix`. */
  flush(prefix: string): void {
    for (const key of [...this.#cache.keys()]) if (key.startsWith(prefix)) this.#cache.delete(key)
  }

  /** Drops everything. */
  close(): void {
    this.#cache.clear()
  }
}
