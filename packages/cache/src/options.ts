import type { CacheStore, GatewayContext } from '@gw/core'
import { z } from 'zod'
import { CACHE_KEY_PARAMETER } from './cache-key.js'
import type { CanInvalidate } from './response-cache.js'

/** `unauthorizedCacheControlHeaderStrategy` values (§7). */
export const strategySchema = z.enum(['FAIL_WITH_403', 'SUCCEED_WITH_RESPONSE_HEADER', 'SUCCEED_WITHOUT_RESPONSE_HEADER'])

/** `cacheKeyParameters` entries: `method.request.{path|querystring|header|…}.{name}` (§7). */
export const keyParametersSchema = z.array(z.string().regex(CACHE_KEY_PARAMETER, 'cache key parameters look like method.request.querystring.type or method.request.header.x-tenant (§7)'))

/** A `CacheStore` (MemoryCacheStore of @gw/core, RedisCacheStore of @gw/store-redis). */
export const storeSchema = z.custom<CacheStore>(
  (v) => typeof v === 'object' && v !== null && typeof (v as CacheStore).get === 'function' && typeof (v as CacheStore).set === 'function' && typeof (v as CacheStore).flush === 'function',
  'a CacheStore (MemoryCacheStore, RedisCacheStore)'
)

const canInvalidateSchema = z.custom<CanInvalidate>((v) => typeof v === 'function', 'a function (ctx) => boolean | Promise<boolean>')

/** Internal, validated options of `cache()`. */
export const cacheOptionsSchema = z
  .object({
    ttl: z.number().int().min(0).max(3600).default(300),
    keyParameters: keyParametersSchema.default([]),
    store: storeSchema.optional(),
    namespace: z.string().min(1).max(1024).optional(),
    partition: z.string().min(1).max(256).refine((v) => !v.includes(String.fromCharCode(0)), 'no NUL character').default('default'),
    methods: z.array(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])).min(1).default(['GET']),
    requireAuthorizationForCacheControl: z.boolean().default(true),
    unauthorizedCacheControlHeaderStrategy: strategySchema.default('SUCCEED_WITH_RESPONSE_HEADER'),
    canInvalidate: canInvalidateSchema.optional()
  })
  .strict()

/**
 * Options of `cache()`.
 */
export interface CacheOptions {
  /** Seconds an entry lives, 0-3600; 0 disables caching (§7). @default 300 */
  ttl?: number
  /** Request values that vary the key: `method.request.{querystring|header|path|multivaluequerystring|multivalueheader}.{name}`. Others share one entry (§7). @default [] */
  keyParameters?: string[]
  /** Where entries live. @default a MemoryCacheStore of 64 MiB shared by every `cache()` without a store */
  store?: CacheStore
  /** Replaces the path in the key, so several routes share entries (`cacheNamespace`, §7). @default the matched resource path, else the request path */
  namespace?: string
  /** The store partition `flush()` empties. @default 'default' */
  partition?: string
  /** Request methods cached (§7: GET only unless enabled per method). @default ['GET'] */
  methods?: ('GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS')[]
  /** `Cache-Control: max-age=0` refreshes only for callers `canInvalidate` admits (§7). @default true */
  requireAuthorizationForCacheControl?: boolean
  /** What an unauthorized `max-age=0` gets (§7). @default 'SUCCEED_WITH_RESPONSE_HEADER' */
  unauthorizedCacheControlHeaderStrategy?: 'FAIL_WITH_403' | 'SUCCEED_WITH_RESPONSE_HEADER' | 'SUCCEED_WITHOUT_RESPONSE_HEADER'
  /** Whether the caller may invalidate (`execute-api:InvalidateCache`). @default nobody may */
  canInvalidate?: (ctx: GatewayContext<object>) => boolean | Promise<boolean>
}
