import { z } from 'zod'
import { compose, parseOptions, reject, type ApiFlavour, type Middleware, type Next, type GatewayContext } from '@gw/core'
import { createRouter, type Router } from './create-router.js'
import { InvalidRoute } from './errors.js'

/** Options of the `router()` middleware. */
export interface RouterOptions {
  /** REST resource rules (§1.2, 403 on no match) or HTTP API route keys (§1.3, 404). @default 'REST' */
  flavour?: ApiFlavour
  /** REST only: honour `X-HTTP-Method-Override` for routing (§1.2). @default true */
  methodOverride?: boolean
}

const optionsSchema = z
  .object({
    flavour: z.enum(['REST', 'HTTP']).default('REST'),
    methodOverride: z.boolean().default(true)
  })
  .strict()

/** Route handlers: one middleware or a chain (composed once, at construction). */
export type RouteHandlers = Middleware<object> | readonly Middleware<object>[]

type Composed = (ctx: GatewayContext<object>, next: Next) => Promise<void> | void

const ROUTE_KEY = /^(\S+) (\/\S*)$/

/**
 * Splits a route key (`GET /pets/{id}`, `$default`) into method and path.
 * @throws GwError GW_ROUTER_INVALID_ROUTE when the key has no method or path
 */
export function parseRouteKey(key: string): { method: string; path: string } {
  if (key === '$default') return { method: 'ANY', path: '$default' }
  const m = ROUTE_KEY.exec(key)
  if (m === null) throw InvalidRoute(`route key "${key}" must look like "GET /pets/{id}" (or "$default" on HTTP APIs)`)
  return { method: m[1] as string, path: m[2] as string }
}

/**
 * A routing middleware, usable alone. Routes are keyed `METHOD /path`
 * (`ANY /{proxy+}`, and `$default` on HTTP APIs); each route's middleware are
 * composed once. On a match it sets `ctx.resourcePath`, `ctx.resourceId`,
 * `ctx.routeKey` (HTTP), `ctx.pathParameters` and runs the route; otherwise it
 * sets `ctx.noRoute = true` and answers REST 403 `{"message":"Missing
 * Authentication Token"}` / HTTP 404 `{"message":"Not Found"}` (§1.2, §1.3, §12.3).
 * @throws GwError GW_CONFIG_INVALID for bad options; GW_ROUTER_INVALID_ROUTE / GW_ROUTER_DUPLICATE_ROUTE for bad routes
 * @example
 * const api = router({
 *   'GET /pets/{id}': (ctx) => ctx.json({ id: ctx.pathParameters?.id }),
 *   'ANY /{proxy+}': (ctx) => ctx.json({ proxy: true })
 * })
 */
export function router(routes: Readonly<Record<string, RouteHandlers>>, options: RouterOptions = {}): Middleware<object> {
  const opts = parseOptions(optionsSchema, options, 'router')
  const table: Router<Composed> = createRouter<Composed>({ flavour: opts.flavour })
  for (const [key, handlers] of Object.entries(routes)) {
    const { method, path } = parseRouteKey(key)
    const list: readonly Middleware<object>[] = typeof handlers === 'function' ? [handlers] : handlers
    table.add(method, path, list.length === 1 ? (list[0] as Composed) : compose(list))
  }
  return routerMiddleware(table, opts.methodOverride)
}

/**
 * The middleware over an already-built route table (what `createGateway()` uses
 * per deployment). See `router()`.
 */
export function routerMiddleware(table: Router<Composed>, methodOverride = true): Middleware<object> {
  const flavour = table.flavour
  const http = flavour === 'HTTP'
  // at construction, so the first request does not pay for it
  table.compile()
  const override = !http && methodOverride
  return function router(ctx, next) {
    ctx.flavour = flavour
    if (override) {
      const o = ctx.headers['x-http-method-override']
      if (typeof o === 'string' && o.length !== 0) ctx.method = o.toUpperCase()
    }
    const m = table.match(ctx.method, ctx.path)
    if (m === undefined) {
      ctx.noRoute = true
      reject(ctx, 'MISSING_AUTHENTICATION_TOKEN')
      return
    }
    ctx.resourcePath = m.resourcePath
    ctx.resourceId = m.resourceId
    ctx.routeKey = http ? m.routeKey : undefined
    ctx.pathParameters = m.params
    return m.value(ctx, next)
  }
}
