/**
 * Contracts for state shared between gateway instances (DESIGN.md "Stores").
 * Each operation is atomic on its own (one Lua call on Redis). Memory
 * implementations live beside this file; Redis ones in @gw/store-redis.
 * Every method may return a value or a promise: memory stores answer
 * synchronously so the hot path awaits nothing.
 */
export type MaybePromise<T> = T | Promise<T>

/** A plain key/value store with per-entry TTL (authorizer result cache, JWKS, sessions). */
export interface KeyValueStore {
  get(key: string): MaybePromise<string | undefined>
  /** `ttlMs` 0 or omitted: no expiry (still bounded by the store's size limit). */
  set(key: string, value: string, ttlMs?: number): MaybePromise<void>
  delete(key: string): MaybePromise<void>
  /** Optional resource release (Redis connections). */
  close?(): MaybePromise<void>
}

/**
 * Response cache entries (§7): opaque bytes under a key, TTL-bound, in a
 * `partition` (one stage's cache: `{apiId}/{stage}`) that `flush()` empties
 * as a whole (FlushStageCache) without touching other partitions.
 */
export interface CacheStore {
  /** The entry, or `undefined` when absent or expired. */
  get(partition: string, key: string): MaybePromise<Uint8Array | undefined>
  /** Stores `value` for `ttlMs` (> 0); a store may refuse values over its entry bound (then the old entry is gone). */
  set(partition: string, key: string, value: Uint8Array, ttlMs: number): MaybePromise<void>
  delete(partition: string, key: string): MaybePromise<void>
  /** Removes every entry of `partition` (FlushStageCache). */
  flush(partition: string): MaybePromise<void>
  close?(): MaybePromise<void>
}

/**
 * WebSocket connection registry for cross-instance delivery (§14.7): which
 * instance holds a connection (`add`/`get`/`remove`, TTL-bound), and a
 * message bus to reach that instance (`publish`/`subscribe`). A store without
 * the bus serves one instance only.
 */
export interface ConnectionStore {
  add(connectionId: string, info: string, ttlMs: number): MaybePromise<void>
  get(connectionId: string): MaybePromise<string | undefined>
  remove(connectionId: string): MaybePromise<void>
  /** Sends `message` to the subscriber of `channel` (an instance id), at most once, on any instance. */
  publish?(channel: string, message: string): MaybePromise<void>
  /** Receives what is published to `channel`; resolves with the unsubscribe function once listening. */
  subscribe?(channel: string, onMessage: (message: string) => void): MaybePromise<() => MaybePromise<void>>
  close?(): MaybePromise<void>
}
