import { LRUCache } from 'lru-cache'
import { z } from 'zod'
import { parseOptions } from '../options.js'
import type { ConnectionStore } from './store-types.js'

/** Options of {@link MemoryConnectionStore}. */
export interface MemoryConnectionStoreOptions {
  /** Most connections registered. Unbounded is refused. @default 100000 */
  max?: number
}

const schema = z.object({ max: z.number().int().min(1).max(100_000_000).default(100_000) }).strict()

/**
 * In-process WebSocket connection registry (§14) on a bounded lru-cache;
 * entries expire after their TTL (2 h connection limit, §15). Its bus
 * (`publish`/`subscribe`) reaches subscribers of the same process only.
 * @throws GwError GW_CONFIG_INVALID when `max` is not a positive integer
 * @example
 * const connections = new MemoryConnectionStore()
 * connections.add('R0oXAdfD0kwCH6w=', '{"node":"a"}', 7_200_000)
 */
export class MemoryConnectionStore implements ConnectionStore {
  readonly #cache: LRUCache<string, string>
  readonly #channels = new Map<string, Set<(message: string) => void>>()

  constructor(options: MemoryConnectionStoreOptions = {}) {
    const { max } = parseOptions(schema, options, 'MemoryConnectionStore')
    this.#cache = new LRUCache<string, string>({ max, ttlAutopurge: false })
  }

  /** Connections currently registered. */
  get size(): number {
    return this.#cache.size
  }

  /** Registers a connection for `ttlMs`. */
  add(connectionId: string, info: string, ttlMs: number): void {
    this.#cache.set(connectionId, info, { ttl: ttlMs })
  }

  /** The connection's info, or `undefined`. */
  get(connectionId: string): string | undefined {
    return this.#cache.get(connectionId)
  }

  /** Unregisters a connection. */
  remove(connectionId: string): void {
    this.#cache.delete(connectionId)
  }

  /** Delivers `message` to the subscribers of `channel` in this process (on a later tick, as a network bus would). */
  publish(channel: string, message: string): void {
    const listeners = this.#channels.get(channel)
    if (listeners === undefined) return
    for (const listener of listeners) queueMicrotask(() => { listener(message) })
  }

  /** Listens on `channel`; returns the unsubscribe function. */
  subscribe(channel: string, onMessage: (message: string) => void): () => void {
    let listeners = this.#channels.get(channel)
    if (listeners === undefined) this.#channels.set(channel, (listeners = new Set()))
    listeners.add(onMessage)
    return () => {
      listeners.delete(onMessage)
      if (listeners.size === 0) this.#channels.delete(channel)
    }
  }

  /** Drops everything. */
  close(): void {
    this.#cache.clear()
    this.#channels.clear()
  }
}
