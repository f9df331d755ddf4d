import type { Logger } from '@gw/core'
import { Cluster, Redis } from 'ioredis'
import { z } from 'zod'
import { REDIS_URL_PATTERN } from './redis-url.js'

/** What a request-path decision does while Redis cannot answer (DESIGN.md "Stores"). */
export type StoreErrorMode = 'failOpen' | 'failClosed' | 'local'

/** A client the stores can use: a standalone connection or a Cluster. */
export type RedisClient = Redis | Cluster

/** Options shared by every Redis store. */
export interface RedisStoreOptions {
  /** An ioredis client to use (not closed by `close()`). Give it `enableOfflineQueue: false` so an outage fails fast. @default a client of `url` */
  client?: RedisClient
  /** Where to connect when no `client` is given: `redis://…`, `rediss://…`, or Redis Cluster seed nodes `redis+cluster://h1:p1,h2:p2`. @default process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' */
  url?: string
  /** Key namespace; keys look like `{gw}:tb:…`, `gw:q:{…}:…` (hash tags for Cluster). No braces. @default 'gw' */
  prefix?: string
  /**
   * While Redis fails: `'failOpen'` admits, `'failClosed'` rejects (429 / cache miss errors),
   * `'local'` decides with an in-process store until Redis is back. @default 'local'
   */
  onStoreError?: StoreErrorMode
  /** Receives `gw.store_error` (once per outage) and `gw.store_recovered`. @default jsonLogger */
  logger?: Logger
  /** A command in flight with no reply from Redis for this long drops and reconnects the connection (one watchdog timer per store, not one per command), ms. @default 1000 */
  commandTimeoutMs?: number
}

export const redisStoreSchema = z
  .object({
    client: z.custom<RedisClient>((v) => v instanceof Redis || v instanceof Cluster, 'an ioredis Redis or Cluster instance').optional(),
    url: z.string().regex(REDIS_URL_PATTERN, 'a redis://, rediss:// or redis+cluster:// URL').optional(),
    prefix: z.string().min(1).max(64).regex(/^[^{}\s]+$/, 'no braces or spaces').default('gw'),
    onStoreError: z.enum(['failOpen', 'failClosed', 'local']).default('local'),
    logger: z
      .custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as Logger).warn === 'function' && typeof (v as Logger).error === 'function', 'a Logger { error, warn, info }')
      .optional(),
    commandTimeoutMs: z.number().int().min(20).max(60_000).default(1000)
  })
  .strict()

export type ParsedRedisStoreOptions = z.output<typeof redisStoreSchema>
