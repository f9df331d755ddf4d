import type { IncomingMessage, ServerResponse } from 'node:http'
import { compileAdapterOptions, rejectAmbiguous, settingsFor, type AdapterOptions, type CompiledAdapterOptions } from '../adapter-options.js'
import { GatewayContext } from '../context.js'
import type { Middleware } from '../middleware.js'
import { inHost, runToOutcome, STANDALONE, type PipelineOutcome } from '../run-pipeline.js'
import { frontDoorVerdict, rejectAtFrontDoor } from '../front-door.js'
import { reject } from '../gateway-responses.js'
import { NodeRequestSource } from './node-request-source.js'
import { WIRE_HEADER_NAMES, discardBody, writeNodeResponse } from './write-node-response.js'

/** Options of `toNodeHandler()` (see `AdapterOptions`). */
export type NodeHandlerOptions = AdapterOptions

/** What the host should do once the pipeline ran: nothing (`'sent'`), or run its next handler (`'next'`). */
export type NodeOutcome = 'sent' | 'next'

/**
 * Runs a pipeline for one node:http request and applies the adapters' rule
 * (`outcomeOf`): the pipeline's answer is written, or, inside a host (`done`
 * given), a pipeline that let the request through (its last `next()`, or
 * `ctx.noRoute` with `fallthrough`) writes nothing: the headers it set are
 * put on `res` and `done('next')` lets the host answer. Without `done` (a
 * standalone server) nothing comes after the pipeline. Shared by
 * `toNodeHandler` and the Express, Koa and Fastify adapters. Sync pipelines
 * are answered in the same tick (no promise continuation).
 */
export function handleNodeRequest(
  pipeline: Middleware<object>,
  compiled: CompiledAdapterOptions & { readonly fallthrough?: boolean },
  req: IncomingMessage,
  res: ServerResponse,
  done?: (outcome: NodeOutcome) => void,
  url?: string
): void {
  const source = new NodeRequestSource(req, res, undefined, url)
  const ctx = new GatewayContext<object>(source, settingsFor(compiled, source.remoteAddress, source.forwardedFor))
  if (compiled.gatewayResponses !== undefined) ctx.gatewayResponses = compiled.gatewayResponses
  if (source.ambiguous) {
    rejectAmbiguous(ctx)
    return finish(ctx, req, res, 'answer', done)
  }
  // §15 limits before routing and integrations: no middleware sees an oversized request.
  const verdict = frontDoorVerdict(ctx.flavour, source.method, source.url, source.headerValueBytes, source.declaredLength, ctx.bodyLimit)
  if (verdict !== 0) {
    if (verdict === 413) source.overLimit = true
    rejectAtFrontDoor(ctx, verdict)
    return finish(ctx, req, res, 'answer', done)
  }
  const settings = done === undefined ? STANDALONE : inHost(compiled.fallthrough === true)
  const out = runToOutcome(pipeline, ctx, settings, compiled.logger)
  if (typeof out === 'string') finish(ctx, req, res, out, done)
  else void out.then((outcome) => finish(ctx, req, res, outcome, done))
}

const noop = (): void => {}

function finish(
  ctx: GatewayContext<object>,
  req: IncomingMessage,
  res: ServerResponse,
  outcome: PipelineOutcome,
  done: ((outcome: NodeOutcome) => void) | undefined
): void {
  if (outcome === 'host' && done !== undefined) {
    // Headers the pipeline set on the way (CORS, RateLimit-*) travel with the request to the host;
    // a rendered 403/404 (fallthrough) is not the host's answer, so its headers stay behind.
    if (ctx.error === undefined) {
      const headers = ctx.responseHeaders
      for (const name in headers) res.setHeader(WIRE_HEADER_NAMES[name] ?? name, headers[name] as string | string[])
    }
    done('next')
    return
  }
  const source = ctx.source as NodeRequestSource
  if (source.uncountedBody) {
    // A chunked body nobody read (MOCK, a rejection): its size decides between the answer and a 413 (§15).
    source.countBody(ctx.bodyLimit).then((within) => {
      if (!within) {
        discardBody(ctx.body)
        reject(ctx, 'REQUEST_TOO_LARGE')
      }
      writeNodeResponse(ctx, res, req)
      if (done !== undefined) done('sent')
    }, noop)
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
    handleNodeRequest(pipeline, compiled, req, res)
  }
}
