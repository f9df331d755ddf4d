import type { IncomingMessage, ServerResponse } from 'node:http'
import { compileHostAdapterOptions, handleNodeRequest, type HostAdapterOptions, type Middleware } from '@gw/core'

/** Options of `koaAdapter()`: the core adapter options plus `fallthrough`. */
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
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * app.use(koaAdapter(compose([router, app]), { fallthrough: true }))
 */
export function koaAdapter(pipeline: Middleware<object>, options?: KoaAdapterOptions): KoaMiddleware {
  const compiled = compileHostAdapterOptions(options, 'koaAdapter')
  const fallthrough = compiled.fallthrough
  return function gwKoa(ctx, next) {
    return new Promise<void>((resolve, reject) => {
      handleNodeRequest(pipeline, compiled, ctx.req, ctx.res, fallthrough, (outcome) => {
        if (outcome === 'no-route') next().then(() => resolve(), reject)
        else {
          ctx.respond = false
          resolve()
        }
      })
    })
  }
}
