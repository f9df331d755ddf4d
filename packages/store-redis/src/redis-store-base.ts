import type { ParsedRedisStoreOptions, StoreErrorMode } from './options.js'
import { RedisConnection, type StoreErrorStats } from './redis-connection.js'

/**
 * What every Redis store shares: its connection with outage bookkeeping,
 * `stats`, `ready()` and `close()`. A class because stores have a lifecycle.
 */
export abstract class RedisStoreBase {
  protected readonly conn: RedisConnection

  protected constructor(opts: ParsedRedisStoreOptions, store: string) {
    this.conn = new RedisConnection(opts, store)
  }

  /** Outage counters: `errors` (failed or skipped commands) and `degraded` (deciding with the fallback now). */
  get stats(): StoreErrorStats {
    return this.conn.stats
  }

  /** The `onStoreError` mode this store follows while Redis fails. */
  get mode(): StoreErrorMode {
    return this.conn.mode
  }

  /** Resolves once the connection is up (rejects after `timeoutMs`). */
  ready(timeoutMs = 5000): Promise<void> {
    return this.conn.waitReady(timeoutMs)
  }

  /** Stops the watchdog and closes the connection it created (not a client passed in). */
  close(): Promise<void> {
    return this.conn.close()
  }
}
