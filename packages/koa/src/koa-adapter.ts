import type { IncomingMessage, ServerResponse } from 'node:http'
import { compileHostAdapterOptions, handleNodeRequest, type HostAdapterOptions, type Middleware } from '@gw/core'

/** Options of `koaAdapter()`: the core adapter options plus `fallthrough` (`await next()` when a router/gateway pipeline finds no route instead of its 403/404; default false). */
export type KoaAdapterOptions = HostAdapterOptions

/** The part of Koa's context the adapter uses (no dependency on Koa's types). */
export interface KoaLikeContext {
  req: IncomingMessage
  res: ServerResponse
  respond?: boolean
}

/** A Koa middleware. */
export type KoaMiddleware = (ctx: KoaLikeContext, next: () => Promise<unknown>) => Promise<void>

/**
 * Mounts a gw pipeline in Koa 2/3 (`app.use(koaAdapter(pipeline))`). The
 * answer is written to `ctx.res` directly (`ctx.respond = false`), so Koa
 * adds nothing; the body stream is untouched: mount it before body parsers.
 * A pipeline that calls its last `next()` without answering continues with
 * Koa's `await next()`, with the headers it set on `ctx.res`.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * app.use(koaAdapter(throttler({ rateLimit: 100, burstLimit: 200 })))
 */
export function koaAdapter(pipeline: Middleware<object>, options?: KoaAdapterOptions): KoaMiddleware {
  const compiled = compileHostAdapterOptions(options, 'koaAdapter')
  return function gwKoa(ctx, next) {
    return new Promise<void>((resolve, reject) => {
      handleNodeRequest(pipeline, compiled, ctx.req, ctx.res, (outcome) => {
        if (outcome === 'next') next().then(() => resolve(), reject)
        else {
          ctx.respond = false
          resolve()
        }
      })
    })
  }
}
