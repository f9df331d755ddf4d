import type { LuaScript } from './lua-script.js'
import type { RedisConnection } from './redis-connection.js'

/** Decisions in one script call at most: a call holds Redis for about 3 µs a decision, so a chunk never holds it long. */
export const MAX_BATCH = 128

/**
 * What a batch holds per decision: the store's own fields, and `resolve`,
 * which `TickBatch.add` fills in. A store creates its items with
 * `resolve: NOT_QUEUED`, so an item has its final shape from creation
 * (no second object per decision to carry the resolver).
 */
export interface Waiting<R> {
  resolve: (value: R | PromiseLike<R>) => void
}

/** The resolver of an item not queued yet (replaced by `TickBatch.add`). */
export const NOT_QUEUED = (): void => {}

/**
 * The decisions a store makes while others are in flight, sent together at
 * the end of the tick: one round trip for all of them instead of one each.
 * The first `add` of a tick schedules one flush with `process.nextTick`,
 * which runs once the tick's microtasks are done, so every decision the
 * tick makes joins the batch. The flush hands `send` the queue in chunks of
 * at most {@link MAX_BATCH}, in the order the decisions were made; a chunk
 * is one script call that runs them in that order, each seeing the state the
 * previous one left, so limits and quotas stay exact under any concurrency.
 * What a call sends and how its reply becomes decisions is each store's own.
 *
 * - `conn`: a chunk is sent only while it is ready; else each item gets its fallback.
 * - `send`: sends one chunk (at most {@link MAX_BATCH} items, in queue order) as one script call, with {@link TickBatch.run}.
 * - `fallback`: the decision for an item Redis did not make (`err`: why), as `onStoreError` wants it.
 * - `partition`: splits a tick's queue into groups that must not share a call, each in queue order
 *   (RedisQuotaStore: one owner, one Cluster slot, per call). Without it, the queue is one group.
 */
export class TickBatch<T extends Waiting<R>, R> {
  readonly #conn: RedisConnection
  readonly #send: (chunk: readonly T[]) => void
  readonly #fallback: (item: T, err: unknown) => R
  readonly #partition: ((queue: T[]) => Iterable<T[]>) | undefined
  #queue: T[] = []

  constructor(
    conn: RedisConnection,
    send: (chunk: readonly T[]) => void,
    fallback: (item: T, err: unknown) => R,
    partition?: (queue: T[]) => Iterable<T[]>
  ) {
    this.#conn = conn
    this.#send = send
    this.#fallback = fallback
    this.#partition = partition
  }

  /** Decisions waiting for the end of the tick (a store joins the batch while this is not 0, to keep their order). */
  get size(): number {
    return this.#queue.length
  }

  /** Queues `item` for the end of the tick; the promise settles with what `send` (or the fallback) resolves it with. */
  add(item: T): Promise<R> {
    if (this.#queue.length === 0) process.nextTick(this.#flush)
    return new Promise((resolve) => {
      item.resolve = resolve
      this.#queue.push(item)
    })
  }

  /**
   * Runs `script` for a chunk, one round trip counted in flight: `decide` resolves each item from the reply;
   * when the call fails, each item gets its own fallback (each one is counted).
   */
  run(chunk: readonly T[], script: LuaScript, keyCount: number, args: (string | number)[], decide: (reply: number[]) => void): void {
    const conn = this.#conn
    conn.inflight++
    script.run(conn.client, keyCount, args).then(
      (reply) => {
        conn.settled()
        conn.succeeded()
        decide(reply as number[])
      },
      (err: unknown) => {
        conn.settled()
        this.#fail(chunk, err)
      }
    )
  }

  #fail(chunk: readonly T[], err: unknown): void {
    for (const item of chunk) item.resolve(this.#fallback(item, err))
  }

  readonly #flush = (): void => {
    const queue = this.#queue
    this.#queue = []
    if (this.#partition === undefined) this.#chunks(queue)
    else for (const group of this.#partition(queue)) this.#chunks(group)
  }

  #chunks(queue: T[]): void {
    for (let i = 0; i < queue.length; i += MAX_BATCH) {
      const chunk = queue.length <= MAX_BATCH ? queue : queue.slice(i, i + MAX_BATCH)
      if (this.#conn.ready) this.#send(chunk)
      else this.#fail(chunk, 'connection not ready')
    }
  }
}
