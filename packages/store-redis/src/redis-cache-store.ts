import { createHash } from 'node:crypto'
import { ExpiringLru, parseOptions, type CacheStore } from '@gw/core'
import { LuaScript } from './lua-script.js'
import { redisStoreSchema, type RedisStoreOptions } from './options.js'
import { RedisStoreBase } from './redis-store-base.js'
import { guarded } from './guarded.js'

/*
 * Layout: every partition (one stage's cache) has a generation counter `{prefix}:c:{partition}:g` and entries
 * `{prefix}:c:{partition}:{sha256(key)}` whose value is `{generation}\n{bytes}`. The hash tag keeps a partition on
 * one Cluster slot. A hit is one MGET of the generation and the entry (a plain command: Redis answers it at the cost
 * of a GET, where a Lua script reading both cost a script call per hit); the entry counts only when it was written in
 * the current generation. FlushStageCache is one INCR: every instance's next lookup reads the new generation, so no
 * instance serves a flushed entry, and old entries are overwritten or expire by their own TTL (at most 3600 s, §7).
 * No KEYS, SCAN or FLUSHDB, and other partitions are untouched.
 */

/** SET … PX of `{generation}\n{bytes}` in the current generation (TTL kept by Redis). */
const CACHE_SET = new LuaScript(`local g = redis.call('GET', KEYS[1]) or '0'
return redis.call('SET', KEYS[2], g .. '\\n' .. ARGV[1], 'PX', ARGV[2])`)

const NEWLINE = 0x0a
const ZERO = Buffer.from('0')

/** The two key names of a partition, computed once per partition. */
interface PartitionKeys {
  readonly generation: string
  /** Prefix of its entries' keys; the key's digest follows. */
  readonly entries: string
}

/**
 * Response cache entries (§7) on Redis, shared by every gateway instance:
 * binary-safe values, one round trip per lookup, TTL kept by Redis, and a
 * per-partition generation counter so `flush(partition)` (FlushStageCache)
 * is one INCR. Keys are SHA-256 digests of the cache key, so request values
 * used as cache key parameters (tokens, for example) are never stored in
 * clear. While Redis is down a lookup is a miss and a write is dropped
 * (logged once per outage); `onStoreError: 'failClosed'` throws
 * GW_STORE_UNAVAILABLE instead.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * const cache = new RedisCacheStore({ url: 'redis://127.0.0.1:6379' })
 * await cache.set('pets/prod', 'GET /pets', Buffer.from('[]'), 300_000)
 */
export class RedisCacheStore extends RedisStoreBase implements CacheStore {
  readonly #prefix: string
  readonly #partitions = new Map<string, PartitionKeys>()
  // A hot key is looked up on every request: its SHA-256 is computed once (bounded; the keys are already in memory).
  readonly #digests = new ExpiringLru<string, string>(4096)

  constructor(options: RedisStoreOptions = {}) {
    const opts = parseOptions(redisStoreSchema, options, 'RedisCacheStore')
    super(opts, 'RedisCacheStore')
    this.#prefix = `${opts.prefix}:c:`
  }

  get(partition: string, key: string): Promise<Uint8Array | undefined> {
    const keys = this.#keys(partition)
    const entry = keys.entries + this.#digest(key)
    return guarded(this.conn, () => this.conn.client.mgetBuffer(keys.generation, entry), null).then(current)
  }

  async set(partition: string, key: string, value: Uint8Array, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return
    const keys = this.#keys(partition)
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    await guarded(this.conn, () => CACHE_SET.runBuffer(this.conn.client, 2, [keys.generation, keys.entries + this.#digest(key), bytes, Math.max(1, Math.ceil(ttlMs))]), null)
  }

  async delete(partition: string, key: string): Promise<void> {
    await guarded(this.conn, () => this.conn.client.del(this.#keys(partition).entries + this.#digest(key)), 0)
  }

  /** Empties `partition` for every instance at once: its generation moves on (FlushStageCache). */
  async flush(partition: string): Promise<void> {
    await guarded(this.conn, () => this.conn.client.incr(this.#keys(partition).generation), 0)
  }

  #keys(partition: string): PartitionKeys {
    let keys = this.#partitions.get(partition)
    if (keys === undefined) {
      // Braces would break the hash tag; stage names and API ids never hold them, but a caller might.
      const base = `${this.#prefix}{${partition.replace(/[{}]/g, '_')}}`
      keys = { generation: `${base}:g`, entries: `${base}:` }
      // Partitions are stages (a handful per process); a caller inventing them per request would only lose the memo.
      if (this.#partitions.size >= 1024) this.#partitions.clear()
      this.#partitions.set(partition, keys)
    }
    return keys
  }

  #digest(key: string): string {
    let digest = this.#digests.get(key)
    if (digest === undefined) this.#digests.set(key, (digest = createHash('sha256').update(key).digest('base64url')))
    return digest
  }
}

/** The entry's bytes when it was written in the partition's current generation; otherwise (flushed, absent) a miss. */
function current(reply: (Buffer | null)[] | null): Uint8Array | undefined {
  if (reply === null) return undefined
  const entry = reply[1]
  if (entry === null || entry === undefined) return undefined
  const generation = reply[0] ?? ZERO
  const end = generation.length
  if (entry.length <= end || entry[end] !== NEWLINE || entry.compare(generation, 0, end, 0, end) !== 0) return undefined
  return entry.subarray(end + 1)
}
