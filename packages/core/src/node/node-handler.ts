import type { IncomingMessage, ServerResponse } from 'node:http'
import { compileAdapterOptions, rejectAmbiguous, settingsFor, type AdapterOptions, type CompiledAdapterOptions } from '../adapter-options.js'
import { GatewayContext } from '../context.js'
import type { Middleware } from '../middleware.js'
import { handlePipelineError } from '../run-pipeline.js'
import { SETTLED } from '../settled.js'
import { NodeRequestSource } from './node-request-source.js'
import { WIRE_HEADER_NAMES, writeNodeResponse } from './write-node-response.js'

/** Options of `toNodeHandler()` (see `AdapterOptions`). */
export type NodeHandlerOptions = AdapterOptions

/** What the host should do once the pipeline ran. */
export type NodeOutcome = 'sent' | 'no-route'

const noNext = (): Promise<void> => SETTLED

/**
 * Runs a pipeline for one node:http request and writes the answer, unless
 * `fallthrough` is set and the pipeline marked `ctx.noRoute` or called the
 * last `next()` (nobody answered): then nothing is written, the headers the
 * pipeline set are put on `res`, and `done('no-route')` lets the host continue. Shared by
 * `toNodeHandler` and the Express, Koa and Fastify adapters. Sync pipelines
 * are answered in the same tick (no promise continuation).
 */
export function handleNodeRequest(
  pipeline: Middleware<object>,
  compiled: CompiledAdapterOptions,
  req: IncomingMessage,
  res: ServerResponse,
  fallthrough: boolean,
  done: ((outcome: NodeOutcome) => void) | undefined,
  url?: string
): void {
  const source = new NodeRequestSource(req, res, undefined, url)
  const ctx = new GatewayContext<object>(source, settingsFor(compiled, source.remoteAddress, req.headers['x-forwarded-for']))
  if (compiled.gatewayResponses !== undefined) ctx.gatewayResponses = compiled.gatewayResponses
  if (source.ambiguous) {
    rejectAmbiguous(ctx)
    return finish(ctx, req, res, false, done)
  }
  let out: unknown
  try {
    // With fallthrough, reaching the end of the chain means nobody answered: the host's next handler gets it.
    out = pipeline(ctx, fallthrough ? () => markNoRoute(ctx) : noNext)
  } catch (err) {
    handlePipelineError(ctx, err, compiled.logger)
    return finish(ctx, req, res, false, done)
  }
  if (out instanceof Promise && out !== SETTLED) {
    out.then(
      () => finish(ctx, req, res, fallthrough, done),
      (err: unknown) => {
        handlePipelineError(ctx, err, compiled.logger)
        finish(ctx, req, res, false, done)
      }
    )
    return
  }
  finish(ctx, req, res, fallthrough, done)
}

function markNoRoute(ctx: GatewayContext<object>): Promise<void> {
  ctx.noRoute = true
  return SETTLED
}

function finish(
  ctx: GatewayContext<object>,
  req: IncomingMessage,
  res: ServerResponse,
  fallthrough: boolean,
  done: ((outcome: NodeOutcome) => void) | undefined
): void {
  if (fallthrough && ctx.noRoute) {
    // Headers the pipeline set on the way (CORS, RateLimit-*) travel with the request to the host.
    if (ctx.error === undefined) {
      const headers = ctx.responseHeaders
      for (const name in headers) res.setHeader(WIRE_HEADER_NAMES[name] ?? name, headers[name] as string | string[])
    }
    if (done !== undefined) done('no-route')
    return
  }
  writeNodeResponse(ctx, res, req)
  if (done !== undefined) done('sent')
}

/**
 * Turns a pipeline into a node:http / node:https request listener: one
 * `GatewayContext` per request, the pipeline under the error boundary
 * (unknown errors → 500 `{"message":"Internal server error"}` + one log line),
 * the result written back. Options are validated once, here.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * http.createServer(toNodeHandler(compose([throttler({ rate: 100, burst: 200 }), app]))).listen(3000)
 */
export function toNodeHandler(pipeline: Middleware<object>, options?: NodeHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const compiled = compileAdapterOptions(options, 'toNodeHandler')
  return function nodeHandler(req, res) {
    handleNodeRequest(pipeline, compiled, req, res, false, undefined)
  }
}
