import { parseOptions, type CacheStore } from '@gw/core'
import type { Redis } from 'ioredis'
import { Cluster } from 'ioredis'
import { redisStoreSchema, type RedisStoreOptions } from './options.js'
import { RedisStoreBase } from './redis-store-base.js'
import { guarded } from './guarded.js'

const GLOB = /[*?[\]\\]/g

/**
 * Response cache entries (§7) on Redis. Keys `{prefix}:c:{key}` (own hash
 * tag each); `flush(prefix)` SCANs every master with a MATCH pattern and
 * UNLINKs in batches, never KEYS or FLUSHALL. Outages read as misses
 * (`failClosed`: GW_STORE_UNAVAILABLE).
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * const cache = new RedisCacheStore({ url: 'redis://127.0.0.1:6379' })
 * await cache.set('prod|GET /pets', Buffer.from('[]'), 300_000)
 */
export class RedisCacheStore extends RedisStoreBase implements CacheStore {
  readonly #prefix: string

  constructor(options: RedisStoreOptions = {}) {
    const opts = parseOptions(redisStoreSchema, options, 'RedisCacheStore')
    super(opts, 'RedisCacheStore')
    this.#prefix = `${opts.prefix}:c:`
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const value = await guarded(this.conn, () => this.conn.client.getBuffer(this.#key(key)), null)
    return value ?? undefined
  }

  async set(key: string, value: Uint8Array, ttlMs: number): Promise<void> {
    await guarded(this.conn, () => this.conn.client.set(this.#key(key), Buffer.from(value.buffer, value.byteOffset, value.byteLength), 'PX', Math.max(1, Math.ceil(ttlMs))), null)
  }

  async delete(key: string): Promise<void> {
    await guarded(this.conn, () => this.conn.client.del(this.#key(key)), 0)
  }

  /** Removes every entry whose key starts with `prefix` (FlushStageCache). */
  async flush(prefix: string): Promise<void> {
    const match = `${this.#prefix}{${prefix.replace(GLOB, '\\$&')}*`
    const client = this.conn.client
    const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client]
    await guarded(
      this.conn,
      async () => {
        for (const node of nodes) {
          let cursor = '0'
          do {
            const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 500)
            cursor = next
            // Cluster keys may sit in different slots: unlink one by one there.
            if (keys.length > 0) await (client instanceof Cluster ? Promise.all(keys.map((k) => client.unlink(k))) : node.unlink(...keys))
          } while (cursor !== '0')
        }
      },
      undefined
    )
  }

  #key(key: string): string {
    return `${this.#prefix}{${key}}`
  }
}
