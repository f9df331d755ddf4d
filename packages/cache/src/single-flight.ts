import type { CacheStore } from '@gw/core'
import type { CachedResponse } from './cache-entry.js'

const byStore = new WeakMap<CacheStore, Map<string, Promise<CachedResponse | undefined>>>()

/**
 * The misses in flight on one store in this process: every middleware on the
 * same store shares the map, so two routes or two gateways on one store
 * still call the integration once per key (single flight).
 */
export function singleFlights(store: CacheStore): Map<string, Promise<CachedResponse | undefined>> {
  let m = byStore.get(store)
  if (m === undefined) byStore.set(store, (m = new Map<string, Promise<CachedResponse | undefined>>()))
  return m
}
