import type { IncomingMessage, ServerResponse } from 'node:http'
import { compileHostAdapterOptions, handleNodeRequest, type HostAdapterOptions, type Middleware } from '@gw/core'

/** Options of `expressAdapter()`: the core adapter options plus `fallthrough` (call `next()` when a router/gateway pipeline finds no route instead of its 403/404; default false). */
export type ExpressAdapterOptions = HostAdapterOptions

/** The Express middleware signature, without depending on Express's types. */
export type ExpressMiddleware = (req: IncomingMessage & { url: string }, res: ServerResponse, next: (err?: unknown) => void) => void

/**
 * Mounts a gw pipeline in Express 4/5 (`app.use(expressAdapter(pipeline))`).
 * The pipeline sees the mount-relative `req.url` (like any Express
 * middleware) and the untouched body stream: mount it before body parsers.
 * A pipeline that calls its last `next()` without answering (a throttler, an
 * authorizer that admits) continues to Express's next handler, with the
 * headers it set on `res`.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * app.use(expressAdapter(throttler({ rateLimit: 100, burstLimit: 200 })))
 */
export function expressAdapter(pipeline: Middleware<object>, options?: ExpressAdapterOptions): ExpressMiddleware {
  const compiled = compileHostAdapterOptions(options, 'expressAdapter')
  return function gwExpress(req, res, next) {
    handleNodeRequest(pipeline, compiled, req, res, (outcome) => outcome === 'next' && next(), req.url)
  }
}
