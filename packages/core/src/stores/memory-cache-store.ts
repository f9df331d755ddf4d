import { z } from 'zod'
import { parseOptions } from '../options.js'
import { ExpiringLru } from './expiring-lru.js'
import type { CacheStore } from './store-types.js'

/** Options of {@link MemoryCacheStore}. */
export interface MemoryCacheStoreOptions {
  /** Most bytes kept over all entries (values, keys and a fixed per-entry overhead). @default 67108864 (64 MiB) */
  maxBytes?: number
  /** Most entries kept, on top of the byte bound. @default unbounded by count (the byte bound holds) */
  max?: number
  /** Largest single entry; bigger values are not cached (§7: 1,048,576 bytes). @default 1048576 */
  maxEntryBytes?: number
}

const schema = z
  .object({
    maxBytes: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(64 * 1024 * 1024),
    max: z.number().int().min(1).max(100_000_000).optional(),
    maxEntryBytes: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(1_048_576)
  })
  .strict()

/**
 * What one entry costs beyond its value and key bytes: the LRU's slots, the
 * key string, the Uint8Array and ArrayBuffer objects and the backing store (measured on Node 20 with 100,000 2 KB entries: about
 * 460 bytes; counted as 768 to leave room). Counted so `maxBytes` bounds the heap, not only the payload.
 */
const ENTRY_OVERHEAD = 768

/** Partition and key joined; NUL cannot occur in a partition name. */
const SEP = '\u0000'

/** Joined keys remembered per partition before the memo starts over, and the longest key remembered: at most ~0.5 MB a partition outside the byte bound. */
const JOINED_PER_PARTITION = 1024
const JOINED_KEY_LENGTH = 256

/**
 * In-process response cache (§7) on a bounded LRU map. The bound is in
 * bytes (each entry's value, key and a fixed overhead), so 100,000 small entries
 * and 50 large ones cost the same at most. Each entry has its TTL; values
 * are copied into their own buffer so a cached slice never pins a larger
 * one. `flush(partition)` drops one stage's entries (FlushStageCache).
 * @throws GwError GW_CONFIG_INVALID when a bound is not a positive integer
 * @example
 * const cache = new MemoryCacheStore({ maxBytes: 16 * 1024 * 1024 })
 * cache.set('api/prod', 'GET /pets', new TextEncoder().encode('[]'), 300_000)
 */
export class MemoryCacheStore implements CacheStore {
  /** Byte-bounded, exact LRU order; the key used last is found by === (a run of hits on one key moves nothing). */
  readonly #cache: ExpiringLru<string, Uint8Array>
  readonly #maxEntryBytes: number
  /**
   * `partition + SEP + key` by partition and key. A hit looks the entry up by the joined string; built per request
   * it is a new string V8 must flatten and hash before the lookup, where the same key strings (a stage's method
   * scopes) come back on every request with their hashes already computed.
   */
  readonly #joined = new Map<string, Map<string, string>>()
  // The last partition and key joined and their joined string: a run of hits on one key (one route) finds it by ===.
  #lastPartition: string | undefined
  #lastKey: string | undefined
  #lastJoined = ''

  constructor(options: MemoryCacheStoreOptions = {}) {
    const opts = parseOptions(schema, options, 'MemoryCacheStore')
    this.#maxEntryBytes = Math.min(opts.maxEntryBytes, opts.maxBytes)
    this.#cache = new ExpiringLru<string, Uint8Array>(opts.max ?? Number.MAX_SAFE_INTEGER, opts.maxBytes)
  }

  /** Entries currently held. */
  get size(): number {
    return this.#cache.size
  }

  /** Bytes currently accounted (at most `maxBytes`). */
  get bytes(): number {
    return this.#cache.bytes
  }

  /** The cached bytes, or `undefined` when absent or expired. */
  get(partition: string, key: string): Uint8Array | undefined {
    return this.#cache.get(this.#join(partition, key))
  }

  #join(partition: string, key: string): string {
    if (key === this.#lastKey && partition === this.#lastPartition) return this.#lastJoined
    if (key.length > JOINED_KEY_LENGTH) return partition + SEP + key
    let byKey = this.#joined.get(partition)
    if (byKey === undefined) this.#joined.set(partition, (byKey = new Map<string, string>()))
    let joined = byKey.get(key)
    if (joined === undefined) {
      if (byKey.size >= JOINED_PER_PARTITION) byKey.clear()
      byKey.set(key, (joined = partition + SEP + key))
    }
    this.#lastPartition = partition
    this.#lastKey = key
    this.#lastJoined = joined
    return joined
  }

  /** Caches a copy of `value` for `ttlMs`; values above `maxEntryBytes` are skipped (and any old entry removed). */
  set(partition: string, key: string, value: Uint8Array, ttlMs: number): void {
    const k = this.#join(partition, key)
    const size = value.byteLength + k.length * 2 + ENTRY_OVERHEAD
    if (size > this.#maxEntryBytes || ttlMs <= 0) {
      this.#cache.delete(k)
      return
    }
    // A view into a larger buffer (Buffer pool slabs, a decoded response) would keep all of it alive: copy those.
    this.#cache.set(k, value.byteLength === value.buffer.byteLength ? value : new Uint8Array(value), ttlMs, undefined, size)
  }

  /** Removes one entry. */
  delete(partition: string, key: string): void {
    this.#cache.delete(this.#join(partition, key))
  }

  /** Removes every entry of `partition`. */
  flush(partition: string): void {
    const prefix = partition + SEP
    for (const key of [...this.#cache.keys()]) if (key.startsWith(prefix)) this.#cache.delete(key)
    this.#joined.delete(partition)
    if (this.#lastPartition === partition) this.#lastPartition = this.#lastKey = undefined
  }

  /** Drops everything. */
  close(): void {
    this.#cache.clear()
    this.#joined.clear()
    this.#lastPartition = this.#lastKey = undefined
  }
}
