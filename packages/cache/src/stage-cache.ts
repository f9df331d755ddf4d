import { methodSettingEntry, resolveMethodSetting, type CacheStore, type GatewayContext, type Middleware } from '@gw/core'
import { compileKeyValues } from './cache-key.js'
import { responseCache, type CanInvalidate, type UnauthorizedCacheControlHeaderStrategy } from './response-cache.js'
import { singleFlights } from './single-flight.js'

/** The caching fields of a REST stage `methodSettings` entry (§6.1, §7). */
export interface MethodCacheSetting {
  cachingEnabled?: boolean | undefined
  cacheTtlInSeconds?: number | undefined
  cacheDataEncrypted?: boolean | undefined
  requireAuthorizationForCacheControl?: boolean | undefined
  unauthorizedCacheControlHeaderStrategy?: UnauthorizedCacheControlHeaderStrategy | undefined
}

/** One REST method on one stage, as `stageCache()` needs it. */
export interface StageCacheInput {
  /** Where the stage's entries live (a memory store bounded by `cacheClusterSize`, or a shared Redis one). */
  readonly store: CacheStore
  /** `{apiId}/{stage}`: the partition FlushStageCache empties. */
  readonly partition: string
  /** Stage `cacheClusterEnabled`. */
  readonly cacheClusterEnabled: boolean
  /** Stage `methodSettings`, keyed `*\/*` or `/path/METHOD` (§6.1). */
  readonly methodSettings: Readonly<Record<string, MethodCacheSetting>> | undefined
  /** Resource path template (`/pets/{id}`). */
  readonly resourcePath: string
  /** The method as defined: `GET`, `POST`, … or `ANY`. */
  readonly httpMethod: string
  /** The integration's `cacheKeyParameters`. */
  readonly cacheKeyParameters?: readonly string[] | undefined
  /** The integration's `cacheNamespace` (replaces the resource path in the key). */
  readonly cacheNamespace?: string | undefined
  /** Key prefix of a request's deployment when a canary keeps its own cache (`useStageCache: false`, §6.4); `''` otherwise. */
  readonly variant?: ((ctx: GatewayContext<object>) => string) | undefined
  /** Whether a caller holds `execute-api:InvalidateCache` (§7). @default nobody */
  readonly canInvalidate?: CanInvalidate | undefined
}

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/** Stage default TTL (§7). */
export const DEFAULT_CACHE_TTL_SECONDS = 300

/**
 * The cache step of one REST method on one stage (aws-semantics §7), or
 * `null` when nothing is cached there, so an uncached method costs nothing:
 * the stage needs `cacheClusterEnabled`; GET is cached unless its
 * `cachingEnabled` is false, any other method only when its own
 * `methodSettings` entry says `cachingEnabled: true` (an `ANY` method caches
 * GET requests, and the others under the same rule); TTL is
 * `cacheTtlInSeconds` (default 300, 0 disables). The key is the canary
 * deployment (when it keeps its own cache), the request method, the
 * `cacheNamespace` or resource path, and the values of `cacheKeyParameters`.
 * `requireAuthorizationForCacheControl` defaults to true and
 * `unauthorizedCacheControlHeaderStrategy` to `SUCCEED_WITH_RESPONSE_HEADER`.
 * @example
 * stageCache({ store, partition: 'pets/prod', cacheClusterEnabled: true, methodSettings: { '*\/*': { cacheTtlInSeconds: 60 } }, resourcePath: '/pets', httpMethod: 'GET', cacheKeyParameters: ['method.request.querystring.type'] })
 */
export function stageCache(input: StageCacheInput): Middleware<object> | null {
  if (!input.cacheClusterEnabled) return null
  const setting = resolveMethodSetting(input.methodSettings, input.resourcePath, input.httpMethod)
  const own = methodSettingEntry(input.methodSettings, input.resourcePath, input.httpMethod)
  const ttl = setting.cacheTtlInSeconds ?? DEFAULT_CACHE_TTL_SECONDS
  if (ttl <= 0) return null
  const getOn = setting.cachingEnabled !== false
  const othersOn = own?.cachingEnabled === true
  const method = input.httpMethod.toUpperCase()
  let methods: string[]
  if (method === 'ANY') methods = othersOn ? ALL_METHODS : getOn ? ['GET'] : []
  else if (method === 'GET') methods = getOn ? ['GET'] : []
  else methods = othersOn ? [method] : []
  if (methods.length === 0) return null
  const namespace = input.cacheNamespace ?? input.resourcePath
  const variant = input.variant
  // The key's start per request method, built once: a hit without a canary variant (the stage's own cache, which is
  // also every request of a stage without a canary) concatenates nothing here, so the store finds the same string
  // (hash already computed) on every request.
  const scopes = new Map(methods.map((m) => [m, `${m} ${namespace}`]))
  // responseCache() only asks for methods in `methods`: with one method the scope is that one string
  const only = methods.length === 1 ? scopes.get(methods[0] as string) : undefined
  return responseCache({
    store: input.store,
    partition: input.partition,
    ttlMs: ttl * 1000,
    methods: new Set(methods),
    // responseCache() only asks for methods in `methods`, so the lookup always finds one
    scope:
      variant === undefined
        ? only === undefined
          ? (ctx) => scopes.get(ctx.method) as string
          : () => only
        : (ctx) => {
            const v = variant(ctx)
            if (v !== '') return `${v}${ctx.method} ${namespace}`
            return only ?? (scopes.get(ctx.method) as string)
          },
    keyValues: compileKeyValues(input.cacheKeyParameters ?? []),
    requireAuthorization: setting.requireAuthorizationForCacheControl ?? true,
    strategy: setting.unauthorizedCacheControlHeaderStrategy ?? 'SUCCEED_WITH_RESPONSE_HEADER',
    canInvalidate: input.canInvalidate,
    flights: singleFlights(input.store)
  })
}
