import { parseOptions, type ConnectionStore } from '@gw/core'
import { redisStoreSchema, type RedisStoreOptions } from './options.js'
import { RedisStoreBase } from './redis-store-base.js'
import { guarded } from './guarded.js'
import { Cluster } from 'ioredis'
import type { RedisClient } from './options.js'

/**
 * WebSocket connection registry (§14) on Redis, so any instance can find a
 * connection held by another. Keys `{prefix}:ws:{connectionId}`. Outages
 * read as "unknown connection" (`failClosed`: GW_STORE_UNAVAILABLE). Its bus
 * is Redis pub/sub on channels `{prefix}:wsbus:{channel}`: one extra
 * subscriber connection per store, opened on the first `subscribe()` and
 * resubscribed by ioredis after a reconnect.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * const connections = new RedisConnectionStore({ url: 'redis://127.0.0.1:6379' })
 * await connections.add('R0oXAdfD0kwCH6w=', JSON.stringify({ instance: 'a' }), 7_200_000)
 */
export class RedisConnectionStore extends RedisStoreBase implements ConnectionStore {
  readonly #prefix: string
  readonly #bus: string
  #subscriber: RedisClient | undefined
  readonly #listeners = new Map<string, Set<(message: string) => void>>()

  constructor(options: RedisStoreOptions = {}) {
    const opts = parseOptions(redisStoreSchema, options, 'RedisConnectionStore')
    super(opts, 'RedisConnectionStore')
    this.#prefix = `${opts.prefix}:ws:`
    this.#bus = `${opts.prefix}:wsbus:`
  }

  /** Publishes `message` on `channel` (a post or delete for the instance that holds a connection, §14.7). */
  async publish(channel: string, message: string): Promise<void> {
    await guarded(this.conn, () => this.conn.client.publish(`${this.#bus}${channel}`, message), 0)
  }

  /** Listens on `channel`; resolves once Redis confirmed the subscription, with the unsubscribe function. */
  async subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>> {
    const full = `${this.#bus}${channel}`
    let sub = this.#subscriber
    if (sub === undefined) {
      // A subscribed connection cannot send other commands: a duplicate, queueing until it is up.
      const client = this.conn.client
      sub = this.#subscriber = client instanceof Cluster ? client.duplicate(undefined, { enableOfflineQueue: true }) : client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null })
      sub.on('error', () => {})
      sub.on('message', (ch: string, message: string) => {
        const set = this.#listeners.get(ch)
        if (set !== undefined) for (const l of set) l(message)
      })
    }
    let set = this.#listeners.get(full)
    if (set === undefined) {
      this.#listeners.set(full, (set = new Set()))
      await sub.subscribe(full)
    }
    set.add(onMessage)
    return async () => {
      const current = this.#listeners.get(full)
      if (current === undefined) return
      current.delete(onMessage)
      if (current.size !== 0) return
      this.#listeners.delete(full)
      await this.#subscriber?.unsubscribe(full).catch(() => undefined)
    }
  }

  /** Closes the subscriber connection too. */
  override async close(): Promise<void> {
    const sub = this.#subscriber
    this.#subscriber = undefined
    this.#listeners.clear()
    if (sub !== undefined) sub.disconnect()
    await super.close()
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
