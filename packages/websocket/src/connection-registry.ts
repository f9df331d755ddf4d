import type { ConnectionStore, Logger } from '@gw/core'

/** What the shared registry keeps per connection (GetConnection, §14.7), and which instance holds it. */
export interface ConnectionRecord {
  /** Instance id of the holder. */
  readonly i: string
  /** Stage name. */
  readonly s: string
  /** connectedAt, ms. */
  readonly c: number
  /** lastActiveAt, ms (refreshed at most every `touchEveryMs`). */
  readonly a: number
  readonly ip: string
  readonly ua: string | null
}

/** A command for the instance that holds a connection (§14.7 across instances). */
export type RemoteCommand = { readonly op: 'post'; readonly id: string; readonly data: string; readonly binary: boolean } | { readonly op: 'delete'; readonly id: string }

const LEASE_PREFIX = '@instance/'

/**
 * The shared side of the connection registry (§14.7): each connection's
 * record in the `ConnectionStore` (TTL = the 2 h maximum), a lease per
 * instance renewed every `leaseMs / 3` (an instance that dies stops renewing,
 * so within `leaseMs` its connections answer 410 everywhere), and the bus that
 * carries posts and deletes to the holder. Store failures are logged, never
 * thrown at a client: a dead store degrades to this instance's own connections.
 */
export class ConnectionRegistry {
  readonly #store: ConnectionStore
  readonly #instance: string
  readonly #leaseMs: number
  readonly #ttlMs: number
  readonly #logger: Logger
  readonly #onCommand: (command: RemoteCommand) => void
  #heartbeat: NodeJS.Timeout | undefined
  #unsubscribe: (() => unknown) | undefined

  constructor(store: ConnectionStore, instance: string, leaseMs: number, ttlMs: number, logger: Logger, onCommand: (command: RemoteCommand) => void) {
    this.#store = store
    this.#instance = instance
    this.#leaseMs = leaseMs
    this.#ttlMs = ttlMs
    this.#logger = logger
    this.#onCommand = onCommand
  }

  /** Whether other instances can reach this one (the store has a bus). */
  get shared(): boolean {
    return typeof this.#store.publish === 'function' && typeof this.#store.subscribe === 'function'
  }

  /** Subscribes to this instance's channel and starts renewing its lease. */
  async start(): Promise<void> {
    const subscribe = this.#store.subscribe?.bind(this.#store)
    if (subscribe !== undefined) {
      this.#unsubscribe = await subscribe(`ws:${this.#instance}`, (message) => {
        let command: RemoteCommand
        try {
          command = JSON.parse(message) as RemoteCommand
        } catch {
          return
        }
        this.#onCommand(command)
      })
    }
    const renew = (): void => {
      this.#guard(this.#store.add(`${LEASE_PREFIX}${this.#instance}`, String(Date.now()), this.#leaseMs), 'lease')
    }
    renew()
    this.#heartbeat = setInterval(renew, Math.max(10, Math.floor(this.#leaseMs / 3)))
    this.#heartbeat.unref()
  }

  /** Records (or refreshes) a connection this instance holds. */
  put(id: string, record: ConnectionRecord): void {
    this.#guard(this.#store.add(id, JSON.stringify(record), this.#ttlMs - (Date.now() - record.c)), 'add')
  }

  /** Forgets a connection. */
  remove(id: string): void {
    this.#guard(this.#store.remove(id), 'remove')
  }

  /**
   * A connection held by another instance whose lease is alive, or `undefined`
   * (unknown, closed, or its instance stopped renewing: the stale record is dropped).
   */
  async lookupRemote(id: string): Promise<ConnectionRecord | undefined> {
    let raw: string | undefined
    try {
      raw = await this.#store.get(id)
    } catch (err) {
      this.#log('get', err)
      return undefined
    }
    if (raw === undefined) return undefined
    let record: ConnectionRecord
    try {
      record = JSON.parse(raw) as ConnectionRecord
    } catch {
      return undefined
    }
    if (record.i === this.#instance) {
      // Ours on the record but not in our table: a record left behind by an earlier run of this instance id.
      this.remove(id)
      return undefined
    }
    let lease: string | undefined
    try {
      lease = await this.#store.get(`${LEASE_PREFIX}${record.i}`)
    } catch (err) {
      this.#log('get', err)
      return undefined
    }
    if (lease === undefined) {
      this.remove(id)
      return undefined
    }
    return record
  }

  /** Sends a command to the instance `instance`. */
  async send(instance: string, command: RemoteCommand): Promise<void> {
    await this.#store.publish?.(`ws:${instance}`, JSON.stringify(command))
  }

  /** Stops the lease (dropping it, so the instance's connections read as gone at once) and the subscription. */
  async stop(): Promise<void> {
    clearInterval(this.#heartbeat)
    try {
      await this.#unsubscribe?.()
      await this.#store.remove(`${LEASE_PREFIX}${this.#instance}`)
    } catch (err) {
      this.#log('stop', err)
    }
  }

  #guard(result: unknown, op: string): void {
    if (result instanceof Promise) result.catch((err: unknown) => { this.#log(op, err) })
  }

  #log(op: string, err: unknown): void {
    this.#logger.warn({ event: 'gw.websocket_store_error', op, error: err instanceof Error ? err.message : String(err) })
  }
}
