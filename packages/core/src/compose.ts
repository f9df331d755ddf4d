import { NextTwice } from './errors.js'
import type { Middleware, Next } from './middleware.js'
import type { GatewayContext } from './context.js'
import { SETTLED } from './settled.js'

const resolved: Promise<void> = SETTLED
const noopNext: Next = () => resolved

/** A composed chain: a middleware that always returns a promise; `next` is optional at the outermost level. */
export type ComposedMiddleware<S extends object = Record<string, unknown>> = (ctx: GatewayContext<S>, next?: Next) => Promise<void>

/**
 * Composes middleware onion-style into one middleware (hono `compose.ts`,
 * koa-compose). Calling `next()` twice from one middleware rejects with
 * `GW_CORE_NEXT_TWICE`. Build chains once (per route, at construction), never per request.
 * @example
 * const pipeline = compose([requestLog(), throttler({ rate: 100, burst: 200 }), mock({ body: '{}' })])
 */
export function compose<S extends object = Record<string, unknown>>(middleware: readonly Middleware<S>[]): ComposedMiddleware<S> {
  const chain = middleware.slice()
  const length = chain.length
  return function composed(ctx: GatewayContext<S>, next?: Next): Promise<void> {
    const last = next ?? noopNext
    let index = -1
    function dispatch(i: number): Promise<void> {
      if (i <= index) return Promise.reject(NextTwice())
      index = i
      const fn = i < length ? chain[i] : undefined
      if (fn === undefined) return i === length ? last() : resolved
      try {
        const out = fn(ctx, () => dispatch(i + 1))
        return out instanceof Promise ? out : resolved
      } catch (err) {
        // Rethrows what the middleware threw, unchanged (koa-compose semantics).
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        return Promise.reject(err)
      }
    }
    return dispatch(0)
  }
}
