import { parseOptions, type ConnectionStore } from '@gw/core'
import { redisStoreSchema, type RedisStoreOptions } from './options.js'
import { RedisStoreBase } from './redis-store-base.js'
import { guarded } from './guarded.js'

/**
 * WebSocket connection registry (§14) on Redis, so any instance can find a
 * connection held by another. Keys `{prefix}:ws:{connectionId}`. Outages
 * read as "unknown connection" (`failClosed`: GW_STORE_UNAVAILABLE).
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * const connections = new RedisConnectionStore({ url: 'redis://127.0.0.1:6379' })
 * await connections.add('R0oXAdfD0kwCH6w=', JSON.stringify({ instance: 'a' }), 7_200_000)
 */
export class RedisConnectionStore extends RedisStoreBase implements ConnectionStore {
  readonly #prefix: string

  constructor(options: RedisStoreOptions = {}) {
    const opts = parseOptions(redisStoreSchema, options, 'RedisConnectionStore')
    super(opts, 'RedisConnectionStore')
    this.#prefix = `${opts.prefix}:ws:`
  }

  async add(connectionId: string, info: string, ttlMs: number): Promise<void> {
    await guarded(this.conn, () => this.conn.client.set(this.#key(connectionId), info, 'PX', Math.max(1, Math.ceil(ttlMs))), null)
  }

  async get(connectionId: string): Promise<string | undefined> {
    const value = await guarded(this.conn, () => this.conn.client.get(this.#key(connectionId)), null)
    return value ?? undefined
  }

  async remove(connectionId: string): Promise<void> {
    await guarded(this.conn, () => this.conn.client.del(this.#key(connectionId)), 0)
  }

  #key(id: string): string {
    return `${this.#prefix}{${id}}`
  }
}
