import { performance } from 'node:perf_hooks'

/** Bounds from which the two last keys are served without moving them (see `#previous`). */
const PAIR_MIN = 16

/** One held value, its accounted size (0 without a byte bound) and when it stops being served (`performance.now()` ms; `Infinity` without a TTL). */
class Entry<V> {
  value: V
  expires: number
  size: number
  constructor(value: V, expires: number, size: number) {
    this.value = value
    this.expires = expires
    this.size = size
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
 * bookkeeping on the request path (issue #21). With `maxBytes` it is also
 * bounded by the sizes given to `set` (the response cache, issue #17).
 * @example
 * const m = new ExpiringLru<string, number>(1000)
 * m.set('k', 1, 60_000) // served for a minute
 * m.get('k') // 1
 */
export class ExpiringLru<K, V> {
  readonly #max: number
  readonly #maxBytes: number
  #bytes = 0
  readonly #entries = new Map<K, Entry<V>>()
  #newest: K | undefined
  /** The entry of `#newest`: a repeated key is found by `===` (for a fresh copy of a long string, such as a token read
   * from a header, a comparison is far cheaper than the hash a `Map` lookup computes over every character). */
  #newestEntry: Entry<V> | undefined
  /**
   * The key just before `#newest` in the map's order (the second last), and its entry. A user of two keys per
   * request (a quota's period and day counters) alternates between them: both are at the end of the map already,
   * so neither is moved (a `Map` delete and set each time otherwise, #21). The order of those two between
   * themselves is then not their order of use, so an eviction may take the second oldest entry instead of the
   * oldest: only with a bound of `PAIR_MIN` or more, where that is immaterial (small bounds stay exact LRU).
   */
  #previous: K | undefined
  #previousEntry: Entry<V> | undefined
  readonly #pair: boolean
  /**
   * A live iterator over the keys in recency order, resumed at each eviction. Starting a new iterator each time
   * would walk over every slot deleted since the table's last rehash (quadratic under churn); this one has already
   * passed them, and every key behind it was evicted or moved to the end.
   */
  #oldest: IterableIterator<K> | undefined

  /**
   * @param max most entries held (at least 1)
   * @param maxBytes most bytes held, summed over the sizes given to `set` (a byte bound may hold few entries, so it
   *   keeps exact LRU order: no pairs)
   */
  constructor(max: number, maxBytes = Infinity) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`ExpiringLru: max must be an integer >= 1, got ${String(max)}`)
    if (!(maxBytes > 0)) throw new RangeError(`ExpiringLru: maxBytes must be > 0, got ${String(maxBytes)}`)
    this.#max = max
    this.#maxBytes = maxBytes
    this.#pair = max >= PAIR_MIN && maxBytes === Infinity
  }

  /** Entries held, expired ones not yet dropped included. */
  get size(): number {
    return this.#entries.size
  }

  /** Bytes held: the sum of the sizes given to `set`, expired entries not yet dropped included. */
  get bytes(): number {
    return this.#bytes
  }

  /** The keys, least recently used first. */
  keys(): IterableIterator<K> {
    return this.#entries.keys()
  }

  /**
   * The value, or `undefined` when absent or past its TTL (then dropped); marks the key most recently used.
   * @param now the clock (`performance.now()`) when the caller already read it: a store that reads and writes several
   *   entries for one request reads the clock once (#21)
   */
  get(key: K, now?: number): V | undefined {
    // The two recent keys are compared once each, here: for a long key read fresh from a request (a token), every
    // `===` walks all its characters, so the key found recent is not compared again to decide the move (#21).
    let entry: Entry<V> | undefined
    let recent = true
    if (key === this.#newest) entry = this.#newestEntry
    else if (key === this.#previous) entry = this.#previousEntry
    else {
      entry = this.#entries.get(key)
      recent = false
    }
    if (entry === undefined) return undefined
    if (entry.expires !== Infinity && (now ?? performance.now()) > entry.expires) {
      this.delete(key)
      return undefined
    }
    if (!recent) this.#touch(key, entry)
    return entry.value
  }

  /**
   * Holds `value` for `ttlMs` (0 or omitted: until evicted); marks the key most recently used. Least recently used
   * entries are dropped while more than `max` entries or `maxBytes` bytes are held.
   * @param now the clock (`performance.now()`) when the caller already read it (see `get`)
   * @param size what the entry counts against `maxBytes` (at most `maxBytes`: the new entry itself is never dropped)
   */
  set(key: K, value: V, ttlMs = 0, now?: number, size = 0): void {
    const expires = ttlMs > 0 ? (now ?? performance.now()) + ttlMs : Infinity
    const entries = this.#entries
    // As in `get`: each recent key compared once.
    let entry: Entry<V> | undefined
    let recent = true
    if (key === this.#newest) entry = this.#newestEntry
    else if (key === this.#previous) entry = this.#previousEntry
    else {
      entry = entries.get(key)
      recent = false
    }
    if (entry !== undefined) {
      entry.value = value
      entry.expires = expires
      this.#bytes += size - entry.size
      entry.size = size
      if (!recent) this.#touch(key, entry)
    } else {
      const created = new Entry(value, expires, size)
      entries.set(key, created)
      this.#appended(key, created)
      this.#bytes += size
    }
    // the key just set is the newest and fits alone: eviction stops before reaching it
    while (entries.size > this.#max || this.#bytes > this.#maxBytes) if (!this.#evict()) break
  }

  /** Records a key just put at the map's end: the newest one becomes the previous (with pairs on). */
  #appended(key: K, entry: Entry<V>): void {
    if (this.#pair && this.#newest !== undefined) {
      this.#previous = this.#newest
      this.#previousEntry = this.#newestEntry
    }
    this.#newest = key
    this.#newestEntry = entry
  }

  /** Drops the key; true when it was held. */
  delete(key: K): boolean {
    const entry = this.#entries.get(key)
    if (entry === undefined) return false
    if (key === this.#newest || key === this.#previous) this.#forgetRecent()
    this.#bytes -= entry.size
    return this.#entries.delete(key)
  }

  #forgetRecent(): void {
    this.#newest = undefined
    this.#newestEntry = undefined
    this.#previous = undefined
    this.#previousEntry = undefined
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear()
    this.#bytes = 0
    this.#forgetRecent()
    this.#oldest = undefined
  }

  /** Drops the least recently used entry; false when there was none. */
  #evict(): boolean {
    let next = (this.#oldest ??= this.#entries.keys()).next()
    if (next.done === true) next = (this.#oldest = this.#entries.keys()).next()
    return next.done !== true && this.delete(next.value)
  }

  /** Moves a key to the most recent end (a `Map` keeps insertion order). */
  #touch(key: K, entry: Entry<V>): void {
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    this.#appended(key, entry)
  }
}
