import { performance } from 'node:perf_hooks'

/** One held value and when it stops being served (`performance.now()` ms; `Infinity` without a TTL). */
class Entry<V> {
  value: V
  expires: number
  constructor(value: V, expires: number) {
    this.value = value
    this.expires = expires
  }
}

/**
 * A bounded map for the per-request stores (quota counters, token buckets,
 * Lambda authorizer results): at most `max` entries, the least recently used
 * dropped first, each entry served until its own TTL ends. It is a `Map` in
 * recency order with one entry object per key, updated in place: a get or
 * set of the key used last (the steady state of one client, or of one
 * counter) costs one lookup and one clock read and moves nothing. It does
 * only what these stores need, and costs a fraction of lru-cache's TTL
 * bookkeeping on the request path (issue #21).
 * @example
 * const m = new ExpiringLru<string, number>(1000)
 * m.set('k', 1, 60_000) // served for a minute
 * m.get('k') // 1
 */
export class ExpiringLru<K, V> {
  readonly #max: number
  readonly #entries = new Map<K, Entry<V>>()
  #newest: K | undefined
  /** The entry of `#newest`: a repeated key is found by `===` (for a fresh copy of a long string, such as a token read
   * from a header, a comparison is far cheaper than the hash a `Map` lookup computes over every character). */
  #newestEntry: Entry<V> | undefined
  /**
   * A live iterator over the keys in recency order, resumed at each eviction. Starting a new iterator each time
   * would walk over every slot deleted since the table's last rehash (quadratic under churn); this one has already
   * passed them, and every key behind it was evicted or moved to the end.
   */
  #oldest: IterableIterator<K> | undefined

  /** @param max most entries held (at least 1) */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`ExpiringLru: max must be an integer >= 1, got ${String(max)}`)
    this.#max = max
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.#entries.size
  }

  /** The value, or `undefined` when absent or past its TTL (then dropped); marks the key most recently used. */
  get(key: K): V | undefined {
    const entry = key === this.#newest ? this.#newestEntry : this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expires !== Infinity && performance.now() > entry.expires) {
      this.delete(key)
      return undefined
    }
    if (key !== this.#newest) this.#touch(key, entry)
    return entry.value
  }

  /** Holds `value` for `ttlMs` (0 or omitted: until evicted); marks the key most recently used. */
  set(key: K, value: V, ttlMs = 0): void {
    const expires = ttlMs > 0 ? performance.now() + ttlMs : Infinity
    const entries = this.#entries
    const entry = key === this.#newest ? this.#newestEntry : entries.get(key)
    if (entry !== undefined) {
      entry.value = value
      entry.expires = expires
      if (key !== this.#newest) this.#touch(key, entry)
      return
    }
    const created = new Entry(value, expires)
    entries.set(key, created)
    this.#newest = key
    this.#newestEntry = created
    if (entries.size > this.#max) this.#evict()
  }

  /** Drops the key; true when it was held. */
  delete(key: K): boolean {
    if (key === this.#newest) {
      this.#newest = undefined
      this.#newestEntry = undefined
    }
    return this.#entries.delete(key)
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear()
    this.#newest = undefined
    this.#newestEntry = undefined
    this.#oldest = undefined
  }

  /** Drops the least recently used entry. */
  #evict(): void {
    let next = (this.#oldest ??= this.#entries.keys()).next()
    if (next.done === true) next = (this.#oldest = this.#entries.keys()).next()
    if (next.done !== true) this.delete(next.value)
  }

  /** Moves a key to the most recent end (a `Map` keeps insertion order). */
  #touch(key: K, entry: Entry<V>): void {
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    this.#newest = key
    this.#newestEntry = entry
  }
}
