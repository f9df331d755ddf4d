import { isUtf8 } from 'node:buffer'
import { cacheLookupChannel, HOP_BY_HOP_HEADERS, NullProto, reject, type CacheStore, type GatewayContext, type Middleware, type Next, type ResponseHeaders } from '@gw/core'
import { captureBody } from './body-capture.js'
import { decodeEntry, encodeEntry, type CachedResponse } from './cache-entry.js'
import { wantsRefresh } from './cache-control.js'
import type { KeyValues } from './cache-key.js'

/** §7: responses bigger than this are not cached. */
export const MAX_CACHED_BYTES = 1_048_576

/** What happens to an unauthorized `Cache-Control: max-age=0` (§7 `unauthorizedCacheControlHeaderStrategy`). */
export type UnauthorizedCacheControlHeaderStrategy = 'FAIL_WITH_403' | 'SUCCEED_WITH_RESPONSE_HEADER' | 'SUCCEED_WITHOUT_RESPONSE_HEADER'

/** Whether a caller may invalidate (`execute-api:InvalidateCache`, §7); may be async. */
export type CanInvalidate = (ctx: GatewayContext<object>) => boolean | Promise<boolean>

/** The warning added under `SUCCEED_WITH_RESPONSE_HEADER` (name and text are not documented by AWS, §7 [I]). */
export const CACHE_CONTROL_IGNORED_WARNING = '199 - "Cache-Control header ignored: not authorized"'

/** Compiled settings of one cached method (or one standalone `cache()`). */
export interface ResponseCacheSettings {
  readonly store: CacheStore
  /** The stage's cache (`{apiId}/{stage}`): what FlushStageCache empties. */
  readonly partition: string
  readonly ttlMs: number
  /** Request methods looked up; others pass through untouched. */
  readonly methods: ReadonlySet<string>
  /** Start of the key: canary deployment when it keeps its own cache, method, namespace or resource path (§7). */
  readonly scope: (ctx: GatewayContext<object>) => string
  readonly keyValues: KeyValues
  readonly requireAuthorization: boolean
  readonly strategy: UnauthorizedCacheControlHeaderStrategy
  readonly canInvalidate: CanInvalidate | undefined
  /** Misses in flight per process, shared by every method on the same store (single flight). */
  readonly flights: Map<string, Promise<CachedResponse | undefined>>
}

// Connection-level headers describe one hop, not the cached response; gateway ids are added per request (§12.5).
const NOT_STORED: ReadonlySet<string> = new Set([...HOP_BY_HOP_HEADERS, 'x-amzn-requestid', 'x-amz-apigw-id', 'apigw-requestid', 'date'])

const resolved: Promise<void> = Promise.resolve()

/**
 * A decoded entry as a hit serves it: the body as text when it is UTF-8, the header names and values in two arrays
 * (a hit copies them with plain stores: no key listing, no reads from a dictionary-shaped object per header).
 */
interface ServedEntry extends HeaderLists {
  readonly status: number
  readonly body: string | Uint8Array
}

/** A stored response's header names and values, in two arrays. */
interface HeaderLists {
  readonly names: readonly string[]
  readonly values: readonly (string | string[])[]
}

function headerListsOf(headers: ResponseHeaders): HeaderLists {
  const names = Object.keys(headers)
  return { names, values: names.map((name) => headers[name] as string | string[]) }
}

// Decoded entries by the stored bytes they came from (weak: an evicted entry's bytes take their decoding along).
const decoded = new WeakMap<Uint8Array, ServedEntry>()

/**
 * A UTF-8 body (JSON, text: nearly every cached answer) is served as the string it decodes to, which node:http
 * writes in one chunk with the head, where bytes go out as a second chunk (a `writev`). Valid UTF-8 decodes and
 * encodes back to the same bytes, so the client receives exactly what was stored.
 */
function servedOf(entry: CachedResponse): ServedEntry {
  const body = entry.body
  return { ...headerListsOf(entry.headers), status: entry.status, body: isUtf8(body) ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8') : body }
}

/** A request's own headers object for a served entry (decoration writes to it). */
function headersOf(entry: HeaderLists): ResponseHeaders {
  // fast mode (not Object.create(null), a hash table): decoration writes to it and the writer iterates it per hit
  const out = new NullProto() as ResponseHeaders
  const { names, values } = entry
  for (let i = 0; i < names.length; i++) out[names[i] as string] = values[i] as string | string[]
  return out
}

// The header lists of each decoded headers object a single flight's waiters share, so each copy is plain assignments.
const headerLists = new WeakMap<ResponseHeaders, HeaderLists>()

function copyHeaders(headers: ResponseHeaders): ResponseHeaders {
  let lists = headerLists.get(headers)
  if (lists === undefined) headerLists.set(headers, (lists = headerListsOf(headers)))
  return headersOf(lists)
}

/**
 * The stage response cache step (aws-semantics §7, §0.1 step 9): after
 * throttling, authorizers, API keys and validation (they run on every hit),
 * before the integration. A hit answers with the stored status, headers and
 * body and never calls `next()`; a miss calls it once per key per process
 * (concurrent misses wait for that one call) and stores a 2xx response of at
 * most 1,048,576 bytes for the TTL. `Cache-Control: max-age=0` refreshes the
 * entry when allowed. Each lookup is published on `cacheLookupChannel`
 * (CacheHitCount / CacheMissCount, §13.1) while it has subscribers. A
 * failing store is a miss, never an error to the client.
 */
export function responseCache(s: ResponseCacheSettings): Middleware<object> {
  const { store, partition, ttlMs, methods, scope, keyValues, flights } = s
  // One cached method (a stage's GET, the usual case) is checked with === instead of a Set lookup per request.
  const only = methods.size === 1 ? (methods.values().next().value as string) : undefined

  function serve(ctx: GatewayContext<object>, entry: CachedResponse): void {
    ctx.status = entry.status
    ctx.responseHeaders = entry.headers
    ctx.body = entry.body
  }

  function publish(ctx: GatewayContext<object>, hit: boolean): void {
    if (cacheLookupChannel.hasSubscribers) cacheLookupChannel.publish({ ctx, hit })
  }

  /** Runs the integration and stores what it answered when §7 allows; resolves with the stored entry. */
  async function fill(ctx: GatewayContext<object>, next: Next, key: string): Promise<CachedResponse | undefined> {
    await next()
    if (ctx.status < 200 || ctx.status > 299 || ctx.error !== undefined) return undefined
    const captured = await captureBody(ctx.body, MAX_CACHED_BYTES, ctx.responseHeaders['content-length'])
    if (captured.bytes === undefined) {
      ctx.body = captured.body
      return undefined
    }
    ctx.body = captured.bytes
    const bytes = encodeEntry(ctx.status, ctx.responseHeaders, captured.bytes, NOT_STORED)
    try {
      const stored = store.set(partition, key, bytes, ttlMs)
      // Not awaited: a slow or failing shared store must not delay the response that was just produced.
      if (stored instanceof Promise) stored.catch(() => undefined)
    } catch {
      // a store that throws synchronously only loses the entry
    }
    return decodeEntry(bytes)
  }

  /** A miss: leads the single flight for `key`, or waits for the one in progress and serves its result. */
  function miss(ctx: GatewayContext<object>, next: Next, key: string, warn: boolean): Promise<void> {
    const flightKey = `${partition}\u0000${key}`
    const inFlight = flights.get(flightKey)
    if (inFlight !== undefined) {
      return inFlight.then((entry) => {
        if (entry === undefined) {
          // Nothing was stored (not 2xx, too big, a failure): each waiter calls the integration itself, in parallel.
          publish(ctx, false)
          return after(ctx, fill(ctx, next, key), warn)
        }
        // The waiters share one decoded entry: each gets its own headers object (decoration writes to it).
        serve(ctx, { status: entry.status, headers: copyHeaders(entry.headers), body: entry.body })
        publish(ctx, true)
        if (warn) addWarning(ctx)
        return undefined
      })
    }
    publish(ctx, false)
    const flight = fill(ctx, next, key)
    const settled = flight.catch(() => undefined)
    flights.set(flightKey, settled)
    void settled.then(() => flights.delete(flightKey))
    return after(ctx, flight, warn)
  }

  function lookup(ctx: GatewayContext<object>, next: Next, key: string, warn: boolean): Promise<void> | undefined {
    let got
    try {
      got = store.get(partition, key)
    } catch {
      got = undefined
    }
    if (got instanceof Promise) {
      return got.then(
        (bytes) => found(ctx, next, key, bytes, warn),
        () => miss(ctx, next, key, warn)
      )
    }
    return found(ctx, next, key, got, warn)
  }

  // The bytes of the last hit and their decoding: a memory store hands back the same bytes on every hit of a key,
  // so the usual hit (the same key as the last one) is found by === without a WeakMap lookup.
  let lastBytes: Uint8Array | undefined
  let lastServed: ServedEntry | undefined

  function found(ctx: GatewayContext<object>, next: Next, key: string, bytes: Uint8Array | undefined, warn: boolean): Promise<void> | undefined {
    if (bytes === undefined) return miss(ctx, next, key, warn)
    // Decoded once per stored bytes; only the headers are copied per request (decoration writes to them). Bytes
    // from Redis are new each time and decoded each time.
    let entry = lastServed
    if (bytes !== lastBytes || entry === undefined) {
      entry = decoded.get(bytes)
      if (entry === undefined) {
        const fresh = decodeEntry(bytes)
        if (fresh === undefined) return miss(ctx, next, key, warn)
        decoded.set(bytes, (entry = servedOf(fresh)))
      }
      lastBytes = bytes
      lastServed = entry
    }
    ctx.status = entry.status
    ctx.responseHeaders = headersOf(entry)
    ctx.body = entry.body
    publish(ctx, true)
    if (warn) addWarning(ctx)
    return undefined
  }

  /** `max-age=0` by an allowed caller: no lookup, the fresh response replaces the entry (§7). */
  function refresh(ctx: GatewayContext<object>, next: Next, key: string): Promise<void> {
    publish(ctx, false)
    return after(ctx, fill(ctx, next, key), false)
  }

  function unauthorized(ctx: GatewayContext<object>, next: Next, key: string): Promise<void> | undefined {
    switch (s.strategy) {
      case 'FAIL_WITH_403':
        reject(ctx, 'DEFAULT_4XX', { status: 403, message: 'User is not authorized to perform: execute-api:InvalidateCache' })
        return resolved
      case 'SUCCEED_WITH_RESPONSE_HEADER':
        return lookup(ctx, next, key, true)
      case 'SUCCEED_WITHOUT_RESPONSE_HEADER':
        return lookup(ctx, next, key, false)
    }
  }

  return function responseCache(ctx, next) {
    if (only !== undefined ? ctx.method !== only : !methods.has(ctx.method)) return next()
    const key = scope(ctx) + keyValues(ctx)
    const cc = ctx.headers['cache-control']
    if (cc === undefined || !wantsRefresh(cc)) return lookup(ctx, next, key, false)
    if (!s.requireAuthorization) return refresh(ctx, next, key)
    let allowed: boolean | Promise<boolean> = false
    try {
      allowed = s.canInvalidate === undefined ? false : s.canInvalidate(ctx)
    } catch {
      allowed = false
    }
    if (allowed instanceof Promise) {
      return allowed.then(
        (ok) => (ok ? refresh(ctx, next, key) : unauthorized(ctx, next, key)),
        () => unauthorized(ctx, next, key)
      )
    }
    return allowed ? refresh(ctx, next, key) : unauthorized(ctx, next, key)
  }
}

function after(ctx: GatewayContext<object>, work: Promise<unknown>, warn: boolean): Promise<void> {
  return work.then(() => {
    if (warn) addWarning(ctx)
  })
}

function addWarning(ctx: GatewayContext<object>): void {
  if (ctx.error === undefined) ctx.responseHeaders['warning'] = CACHE_CONTROL_IGNORED_WARNING
}
