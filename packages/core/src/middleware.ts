import type { GatewayContext } from './context.js'

/** Continues with the next middleware of the onion; resolves when it (and everything after it) is done. */
export type Next = () => Promise<void>

/**
 * The one middleware signature of @gw (koa/hono onion). A middleware that
 * answers the request (a response, or `reject(ctx, type)`) simply does not
 * call `next()`.
 */
export type Middleware<S extends object = Record<string, unknown>> = (ctx: GatewayContext<S>, next: Next) => Promise<void> | void
