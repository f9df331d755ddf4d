import type { GatewayContext, ResponseHeaders } from '@gw/core'
import { compileOrigins, type OriginMatcher } from './origin-matcher.js'
import type { ParsedCorsConfiguration } from './options.js'

/** A `corsConfiguration` compiled once: every header value joined in advance (§11.2). */
export interface CompiledCors {
  /** The `Access-Control-Allow-Origin` answer for an origin, `undefined` when not allowed. */
  readonly allowOrigin: OriginMatcher
  /** Whether answers depend on the origin (`Vary: Origin`). */
  readonly varies: boolean
  /** Answers a preflight: 204 with the allow headers when the origin is allowed, 204 without them otherwise. */
  preflight(ctx: GatewayContext<object>, origin: string): void
  /** Puts the actual-request headers on `headers`, replacing any `access-control-*` already there. */
  actual(headers: ResponseHeaders, origin: string): void
}

const PREFIX = 'access-control-'

/** Adds `Origin` to `Vary` once, keeping what the response already varies on. */
export function addVaryOrigin(headers: ResponseHeaders): void {
  const vary = headers.vary
  if (vary === undefined) headers.vary = 'Origin'
  else {
    const text = Array.isArray(vary) ? vary.join(', ') : vary
    if (!/(?:^|,)\s*(?:origin|\*)\s*(?:,|$)/i.test(text)) headers.vary = `${text}, Origin`
  }
}

/**
 * Compiles a validated configuration into header writers. With `allowCredentials`, a `*` in `allowMethods` /
 * `allowHeaders` is answered with the request's own method / headers (browsers read `*` literally then).
 */
export function compileCors(config: ParsedCorsConfiguration): CompiledCors {
  const { match, varies } = compileOrigins(config.allowOrigins ?? [])
  const credentials = config.allowCredentials === true
  const methods = config.allowMethods ?? []
  const allowHeaders = config.allowHeaders ?? []
  const reflectMethod = credentials && methods.includes('*')
  const reflectHeaders = credentials && allowHeaders.includes('*')
  const allowMethods = methods.length === 0 ? undefined : methods.join(',')
  const allowHeadersValue = allowHeaders.length === 0 ? undefined : allowHeaders.join(',')
  const expose = config.exposeHeaders === undefined || config.exposeHeaders.length === 0 ? undefined : config.exposeHeaders.join(',')
  const maxAge = config.maxAge === undefined ? undefined : String(config.maxAge)

  return {
    allowOrigin: match,
    varies,
    preflight(ctx, origin) {
      const headers = Object.create(null) as ResponseHeaders
      const allowed = match(origin)
      if (allowed !== undefined) {
        headers['access-control-allow-origin'] = allowed
        if (credentials) headers['access-control-allow-credentials'] = 'true'
        const requested = ctx.headers['access-control-request-method']
        const method = reflectMethod && typeof requested === 'string' ? requested : allowMethods
        if (method !== undefined) headers['access-control-allow-methods'] = method
        const requestedHeaders = ctx.headers['access-control-request-headers']
        const allow = reflectHeaders && typeof requestedHeaders === 'string' ? requestedHeaders : allowHeadersValue
        if (allow !== undefined) headers['access-control-allow-headers'] = allow
        if (maxAge !== undefined) headers['access-control-max-age'] = maxAge
      }
      if (varies) headers.vary = 'Origin'
      ctx.status = 204
      ctx.responseHeaders = headers
      ctx.body = null
    },
    actual(headers, origin) {
      // §11.2: the configured headers replace whatever the backend sent
      for (const name in headers) if (name.startsWith(PREFIX)) delete headers[name]
      const allowed = match(origin)
      if (allowed !== undefined) {
        headers['access-control-allow-origin'] = allowed
        if (credentials) headers['access-control-allow-credentials'] = 'true'
        if (expose !== undefined) headers['access-control-expose-headers'] = expose
      }
      if (varies) addVaryOrigin(headers)
    }
  }
}
