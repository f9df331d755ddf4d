import type { Context, MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { ConfigInvalid, compileHostAdapterOptions, handleFetchRequest, inHost, toFetchResponse, type HostAdapterOptions, type Middleware } from '@gw/core'

/** Options of `gw()`: the core adapter options, `fallthrough`, and where the client's address comes from. */
export interface HonoAdapterOptions extends HostAdapterOptions {
  /**
   * The client's socket address, which a fetch `Request` does not carry.
   * @default the @hono/node-server binding `c.env.incoming.socket.remoteAddress`, else '' (unknown)
   */
  clientAddress?: (c: Context) => string | undefined
}

const extra = { clientAddress: z.custom<(c: Context) => string | undefined>((v) => typeof v === 'function', { message: 'a function (c) => address' }).optional() }

/** @hono/node-server puts node's `IncomingMessage` at `c.env.incoming`; other runtimes have no such binding. */
function nodeServerAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress
}

/**
 * Runs a gw pipeline as Hono 4 middleware (`app.use('*', gw(pipeline))`) on
 * the fetch path of @gw/core. The adapters' rule: the pipeline's answer is
 * returned as the response; a pipeline that calls its last `next()` without
 * answering (a throttler, an authorizer admitting the request) continues to
 * Hono's `next()`, and the headers it set are added to the host's response
 * (names the host set itself are left alone); a router or gateway pipeline
 * that finds no route answers its 403/404 unless `fallthrough`.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * app.use('*', gw(throttler({ rateLimit: 100, burstLimit: 200, key: 'ip' })))
 */
export function gw(pipeline: Middleware<object>, options?: HonoAdapterOptions): MiddlewareHandler {
  if (typeof pipeline !== 'function') throw ConfigInvalid('gw (hono): invalid options\n  pipeline: a middleware function (ctx, next)')
  const compiled = compileHostAdapterOptions(options, 'gw (hono)', extra)
  const address = options?.clientAddress ?? nodeServerAddress
  const settings = inHost(compiled.fallthrough)
  return async function gwHono(c, next) {
    const { ctx, outcome } = await handleFetchRequest(pipeline, compiled, c.req.raw, address(c) ?? '', settings)
    if (outcome === 'answer') return toFetchResponse(ctx)
    await next()
    // A rendered 403/404 handed on by `fallthrough` is not the host's answer: its headers stay behind.
    if (ctx.error !== undefined) return undefined
    const headers = ctx.responseHeaders
    const own = c.res.headers
    for (const name in headers) {
      if (own.has(name)) continue
      const value = headers[name] as string | string[]
      if (Array.isArray(value)) for (const v of value) c.header(name, v, { append: true })
      else c.header(name, value)
    }
    return undefined
  }
}
