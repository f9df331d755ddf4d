import { jsonLogger, storeErrorChannel, type Logger, type StoreErrorEvent } from '@gw/core'
import { Redis } from 'ioredis'
import type { ParsedRedisStoreOptions, RedisClient, StoreErrorMode } from './options.js'
import { createRedisClient } from './redis-url.js'

/** Outage counters of one store (visible in metrics and tests). */
export interface StoreErrorStats {
  /** Commands (for rate limits: decisions) that failed or were skipped because Redis was not ready. */
  readonly errors: number
  /** Whether the store is currently deciding with its `onStoreError` fallback. */
  readonly degraded: boolean
}

/**
 * The client of a store plus its outage bookkeeping: fails fast while the
 * connection is down (no offline queue), logs once per outage and once on
 * recovery, counts every failed command. ioredis reconnects by itself, so
 * recovery needs no restart.
 */
export class RedisConnection {
  readonly client: RedisClient
  readonly mode: StoreErrorMode
  readonly prefix: string
  readonly #owned: boolean
  readonly #logger: Logger
  readonly #store: string
  #errors = 0
  #degraded = false
  /** Commands sent and not answered yet, and replies seen (the watchdog compares them). */
  inflight = 0
  replies = 0
  #seenReplies = 0
  #stalledTicks = 0
  readonly #watchdog: NodeJS.Timeout

  constructor(opts: ParsedRedisStoreOptions, store: string) {
    this.#owned = opts.client === undefined
    this.client =
      opts.client ?? createRedisClient(opts.url ?? process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379')
    // An 'error' listener keeps ioredis from printing unhandled errors while it reconnects.
    this.client.on('error', () => {})
    this.mode = opts.onStoreError
    this.prefix = opts.prefix
    this.#logger = opts.logger ?? jsonLogger
    this.#store = store
    // A per-command timer (ioredis commandTimeout) costs about a third of a
    // decision's client CPU. One watchdog per store instead: if commands are
    // in flight and no reply came for `commandTimeoutMs`, the connection is
    // dropped, which fails the pending commands (onStoreError decides) and
    // reconnects.
    const tick = Math.max(10, Math.floor(opts.commandTimeoutMs / 2))
    this.#watchdog = setInterval(() => {
      if (this.inflight <= 0 || this.replies !== this.#seenReplies) {
        this.#seenReplies = this.replies
        this.#stalledTicks = 0
        return
      }
      if (++this.#stalledTicks < 2) return
      this.#stalledTicks = 0
      this.inflight = 0
      this.failed(new Error(`no reply from Redis in ${opts.commandTimeoutMs} ms; reconnecting`))
      // Destroy the socket (a graceful end would wait for the silent peer): pending commands fail now, ioredis reconnects.
      if (this.client instanceof Redis) this.client.stream.destroy()
      else this.client.disconnect(true)
    }, tick)
    this.#watchdog.unref()
  }

  /** Marks one command answered (reply or error). */
  settled(): void {
    if (this.inflight > 0) this.inflight--
    this.replies++
  }

  /** Whether commands can be sent now. */
  get ready(): boolean {
    return this.client.status === 'ready'
  }

  get stats(): StoreErrorStats {
    return { errors: this.#errors, degraded: this.#degraded }
  }

  /** Records a failure; the first one of an outage is logged. */
  failed(error: unknown): void {
    this.#errors++
    // Every failed call is counted by @gw/metrics (gw_store_errors_total); the log line below is once per outage.
    if (storeErrorChannel.hasSubscribers) storeErrorChannel.publish({ store: 'redis', operation: this.#store, error } satisfies StoreErrorEvent)
    if (this.#degraded) return
    this.#degraded = true
    this.#logger.warn({
      event: 'gw.store_error',
      store: this.#store,
      mode: this.mode,
      error: error instanceof Error ? error.message : String(error)
    })
  }

  /** Records a success; ends an outage (logged once). */
  succeeded(): void {
    if (!this.#degraded) return
    this.#degraded = false
    this.#logger.info({ event: 'gw.store_recovered', store: this.#store, errors: this.#errors })
  }

  /** Resolves once connected (rejects after `timeoutMs`). */
  async waitReady(timeoutMs: number): Promise<void> {
    if (this.ready) return
    const deadline = Date.now() + timeoutMs
    while (!this.ready) {
      if (Date.now() > deadline) throw new Error(`Redis not ready after ${timeoutMs} ms (status ${this.client.status})`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#watchdog)
    if (!this.#owned) return
    try {
      await this.client.quit()
    } catch {
      this.client.disconnect()
    }
  }
}
