import { MemoryCacheStore, parseOptions, type CacheStore, type Middleware } from '@gw/core'
import { compileKeyValues } from './cache-key.js'
import { cacheOptionsSchema, type CacheOptions } from './options.js'
import { responseCache, type ResponseCacheSettings } from './response-cache.js'
import { singleFlights } from './single-flight.js'

let defaultStore: MemoryCacheStore | undefined

const passThrough: Middleware<object> = function cacheOff(_ctx, next) {
  return next()
}

/**
 * A response cache middleware for any app (Express, Koa, Fastify, Hono
 * through the adapters), with API Gateway's rules (aws-semantics §7): GET
 * only by default, TTL 0-3600 s (0 = off), 2xx responses up to 1,048,576
 * bytes, the key made of the method, the resource path (or `namespace`) and
 * the values of `keyParameters` only, concurrent misses calling the handler
 * once, `Cache-Control: max-age=0` refreshing for callers `canInvalidate`
 * admits. Flush with `store.flush(partition)`.
 * @throws GwError GW_CONFIG_INVALID naming each bad option
 * @example
 * import { cache } from '@gw/cache'
 * const cached = cache({ ttl: 60, keyParameters: ['method.request.querystring.type'] })
 * compose([cached, handler])
 */
export function cache(options: CacheOptions = {}): Middleware<object> {
  const opts = parseOptions(cacheOptionsSchema, options, 'cache')
  if (opts.ttl === 0) return passThrough
  const store: CacheStore = opts.store ?? (defaultStore ??= new MemoryCacheStore())
  const namespace = opts.namespace
  const settings: ResponseCacheSettings = {
    store,
    partition: opts.partition,
    ttlMs: opts.ttl * 1000,
    methods: new Set(opts.methods),
    scope: namespace === undefined ? (ctx) => `${ctx.method} ${ctx.resourcePath ?? ctx.path}` : (ctx) => `${ctx.method} ${namespace}`,
    keyValues: compileKeyValues(opts.keyParameters),
    requireAuthorization: opts.requireAuthorizationForCacheControl,
    strategy: opts.unauthorizedCacheControlHeaderStrategy,
    canInvalidate: opts.canInvalidate,
    flights: singleFlights(store)
  }
  return responseCache(settings)
}
