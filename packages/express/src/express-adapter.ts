import type { IncomingMessage, ServerResponse } from 'node:http'
import { compileHostAdapterOptions, handleNodeRequest, type HostAdapterOptions, type Middleware } from '@gw/core'

/** Options of `expressAdapter()`: the core adapter options plus `fallthrough` (call `next()` when the pipeline has no route; default false). */
export type ExpressAdapterOptions = HostAdapterOptions

/** The Express middleware signature, without depending on Express's types. */
export type ExpressMiddleware = (req: IncomingMessage & { url: string }, res: ServerResponse, next: (err?: unknown) => void) => void

/**
 * Mounts a gw pipeline in Express 4/5 (`app.use(expressAdapter(pipeline))`).
 * The pipeline sees the mount-relative `req.url` (like any Express
 * middleware) and the untouched body stream: mount it before body parsers.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * app.use(expressAdapter(compose([router, app]), { fallthrough: true }))
 */
export function expressAdapter(pipeline: Middleware<object>, options?: ExpressAdapterOptions): ExpressMiddleware {
  const compiled = compileHostAdapterOptions(options, 'expressAdapter')
  const fallthrough = compiled.fallthrough
  return function gwExpress(req, res, next) {
    handleNodeRequest(pipeline, compiled, req, res, fallthrough, fallthrough ? (outcome) => outcome === 'no-route' && next() : undefined, req.url)
  }
}
