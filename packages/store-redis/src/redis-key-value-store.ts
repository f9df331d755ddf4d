import { parseOptions, type KeyValueStore } from '@gw/core'
import { redisStoreSchema, type RedisStoreOptions } from './options.js'
import { RedisStoreBase } from './redis-store-base.js'
import { guarded } from './guarded.js'

/**
 * `KeyValueStore` on Redis (authorizer result cache, JWKS, sessions) with
 * per-entry TTL. Keys `{prefix}:kv:{key}` (own hash tag each). While Redis
 * fails: `failOpen`/`local` read as a miss and drop writes; `failClosed`
 * throws GW_STORE_UNAVAILABLE.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * const kv = new RedisKeyValueStore({ url: 'redis://127.0.0.1:6379' })
 * await kv.set('token', 'allow', 300_000)
 */
export class RedisKeyValueStore extends RedisStoreBase implements KeyValueStore {
  readonly #prefix: string

  constructor(options: RedisStoreOptions = {}) {
    const opts = parseOptions(redisStoreSchema, options, 'RedisKeyValueStore')
    super(opts, 'RedisKeyValueStore')
    this.#prefix = `${opts.prefix}:kv:`
  }

  /** The value, or `undefined` (also during an outage unless `failClosed`). */
  async get(key: string): Promise<string | undefined> {
    const value = await guarded(this.conn, () => this.conn.client.get(this.#key(key)), null)
    return value ?? undefined
  }

  /** Stores `value`; `ttlMs` 0 or omitted keeps it until deleted. */
  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    const k = this.#key(key)
    await guarded(this.conn, () => (ttlMs !== undefined && ttlMs > 0 ? this.conn.client.set(k, value, 'PX', Math.ceil(ttlMs)) : this.conn.client.set(k, value)), null)
  }

  async delete(key: string): Promise<void> {
    await guarded(this.conn, () => this.conn.client.del(this.#key(key)), 0)
  }

  #key(key: string): string {
    return `${this.#prefix}{${key}}`
  }
}
