import { createHash } from 'node:crypto'
import { parseOptions, type CacheStore } from '@gw/core'
import { LuaScript } from './lua-script.js'
import { redisStoreSchema, type RedisStoreOptions } from './options.js'
import { RedisStoreBase } from './redis-store-base.js'
import { guarded } from './guarded.js'

/*
 * Layout: every partition (one stage's cache) has a generation counter
 * `{prefix}:c:{partition}:g` and entries `{prefix}:c:{partition}:{gen}:{sha256(key)}`.
 * The hash tag keeps a partition on one Cluster slot, so each script touches
 * one slot; reading the generation and the entry is one EVALSHA (one round
 * trip per hit). FlushStageCache is one INCR: entries of older generations are
 * never read again and expire by their own TTL (at most 3600 s, §7). No KEYS,
 * SCAN or FLUSHDB, and other partitions are untouched.
 */
const ENTRY = (op: string): string => `local g = redis.call('GET', KEYS[1] .. ':g') or '0'
local k = KEYS[1] .. ':' .. g .. ':' .. ARGV[1]
${op}`

/** GET of the current generation's entry. */
const CACHE_GET = new LuaScript(ENTRY(`return redis.call('GET', k)`))
/** SET … PX in the current generation (TTL kept by Redis). */
const CACHE_SET = new LuaScript(ENTRY(`return redis.call('SET', k, ARGV[2], 'PX', ARGV[3])`))
/** DEL in the current generation. */
const CACHE_DEL = new LuaScript(ENTRY(`return redis.call('DEL', k)`))

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

  constructor(options: RedisStoreOptions = {}) {
    const opts = parseOptions(redisStoreSchema, options, 'RedisCacheStore')
    super(opts, 'RedisCacheStore')
    this.#prefix = `${opts.prefix}:c:`
  }

  async get(partition: string, key: string): Promise<Uint8Array | undefined> {
    const value = await guarded(this.conn, () => CACHE_GET.runBuffer(this.conn.client, 1, [this.#base(partition), digest(key)]), null)
    return Buffer.isBuffer(value) ? value : undefined
  }

  async set(partition: string, key: string, value: Uint8Array, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    await guarded(this.conn, () => CACHE_SET.runBuffer(this.conn.client, 1, [this.#base(partition), digest(key), bytes, Math.max(1, Math.ceil(ttlMs))]), null)
  }

  async delete(partition: string, key: string): Promise<void> {
    await guarded(this.conn, () => CACHE_DEL.runBuffer(this.conn.client, 1, [this.#base(partition), digest(key)]), 0)
  }

  /** Empties `partition` for every instance at once: its generation moves on (FlushStageCache). */
  async flush(partition: string): Promise<void> {
    await guarded(this.conn, () => this.conn.client.incr(`${this.#base(partition)}:g`), 0)
  }

  #base(partition: string): string {
    // Braces would break the hash tag; stage names and API ids never hold them, but a caller might.
    return `${this.#prefix}{${partition.replace(/[{}]/g, '_')}}`
  }
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64url')
}
