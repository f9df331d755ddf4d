import { GatewayError, parseOptions, reject, type GatewayContext, type Middleware, type Next } from '@gw/core'
import { addVaryOrigin, compileCors, type CompiledCors } from './compile-cors.js'
import { corsConfigurationSchema, type CorsConfiguration } from './options.js'

/** Options of `cors()`: the `corsConfiguration` fields of AWS (§11.2), with defaults for a standalone app. */
export type CorsOptions = CorsConfiguration

/** Options of `httpApiCors()` beyond the configuration. */
export interface HttpApiCorsOptions {
  /**
   * Whether a route of the API matches `OPTIONS` on this path (`OPTIONS /x`, `ANY /{proxy+}`, `$default`): such a
   * route takes the preflight itself, authorizer included (§11.2). @default no route matches
   */
  hasOptionsRoute?: (path: string) => boolean
}

const STANDALONE_DEFAULTS = { allowOrigins: ['*'], allowMethods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'] }
const noRoute = (): boolean => false

/**
 * Runs the rest of the chain, then writes the actual-request headers on whatever response it produced; a thrown
 * gateway rejection is rendered first so that it carries them too.
 */
function after(compiled: CompiledCors, ctx: GatewayContext<object>, origin: string | undefined, next: Next): Promise<void> | void {
  const out = next()
  if (!(out instanceof Promise)) return finish(compiled, ctx, origin)
  return out.then(
    () => finish(compiled, ctx, origin),
    (err: unknown) => {
      if (!(err instanceof GatewayError)) throw err
      reject(ctx, err.type, err.options)
      finish(compiled, ctx, origin)
    }
  )
}

function finish(compiled: CompiledCors, ctx: GatewayContext<object>, origin: string | undefined): void {
  if (origin === undefined) addVaryOrigin(ctx.responseHeaders)
  else compiled.actual(ctx.responseHeaders, origin)
}

/**
 * CORS with API Gateway's rules (aws-semantics §11.2), usable alone in any app (through `toNodeHandler`,
 * `toFetchHandler` or the Express, Koa, Fastify and Hono adapters): headers only when the request has an `Origin`;
 * a preflight (`OPTIONS` + `Origin` + `Access-Control-Request-Method`) is answered `204` here and never reaches the
 * handlers; actual responses get `Access-Control-Allow-Origin` (+ credentials, expose) replacing any the handler
 * set, and `Vary: Origin` whenever the answer depends on the origin. Origins match exactly (scheme, host, port),
 * or by `https://*` / `http://*`; `null` and look-alikes never match a pattern. The headers are written once,
 * when the rest of the chain has answered; an adapter hands them on to the host framework after the whole
 * pipeline ran, so they reach the host's response too.
 * @default allowOrigins ['*'], allowMethods GET,HEAD,PUT,PATCH,POST,DELETE; no allowHeaders, exposeHeaders, maxAge, credentials
 * @throws GwError GW_CONFIG_INVALID for a bad field, or `allowCredentials` with a `*` origin
 * @example
 * const pipeline = compose([cors({ allowOrigins: ['https://app.example.com'], allowHeaders: ['authorization'] }), (ctx) => ctx.json({ ok: true })])
 */
export function cors(options: CorsOptions = {}): Middleware<object> {
  const config = parseOptions(corsConfigurationSchema, { ...STANDALONE_DEFAULTS, ...options }, 'cors')
  const compiled = compileCors(config)
  const varies = compiled.varies
  return function cors(ctx, next) {
    const origin = ctx.headers.origin
    if (typeof origin !== 'string') return varies ? after(compiled, ctx, undefined, next) : next()
    if (ctx.method === 'OPTIONS' && ctx.headers['access-control-request-method'] !== undefined) return compiled.preflight(ctx, origin)
    return after(compiled, ctx, origin, next)
  }
}

/**
 * An HTTP API's `corsConfiguration` as the gateway runs it (aws-semantics §0.2 step 2, §11.2), placed before route
 * matching: a preflight for which no route matches `OPTIONS` is answered `204` before any authorizer, throttle
 * or integration; a preflight that a route matches goes to that route. Actual requests with an `Origin` get the
 * configured headers in place of the backend's. AWS's defaults: nothing is allowed unless configured.
 * @throws GwError GW_CONFIG_INVALID for a bad field, or `allowCredentials` with a `*` origin
 * @example
 * const mw = httpApiCors({ allowOrigins: ['https://*'], allowMethods: ['GET'], maxAge: 300 }, { hasOptionsRoute: (path) => table.match('OPTIONS', path) !== undefined })
 */
export function httpApiCors(configuration: CorsConfiguration, options: HttpApiCorsOptions = {}): Middleware<object> {
  const compiled = compileCors(parseOptions(corsConfigurationSchema, configuration, 'corsConfiguration'))
  const hasOptionsRoute = options.hasOptionsRoute ?? noRoute
  const varies = compiled.varies
  return function httpApiCors(ctx, next) {
    const origin = ctx.headers.origin
    if (typeof origin !== 'string') return varies ? after(compiled, ctx, undefined, next) : next()
    if (ctx.method === 'OPTIONS' && ctx.headers['access-control-request-method'] !== undefined && !hasOptionsRoute(ctx.path)) return compiled.preflight(ctx, origin)
    return after(compiled, ctx, origin, next)
  }
}
