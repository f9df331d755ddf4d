import { Readable } from 'node:stream'
import { z } from 'zod'
import { compileAdapterOptions, rejectAmbiguous, settingsFor, type AdapterOptions, type CompiledAdapterOptions } from '../adapter-options.js'
import { GatewayContext } from '../context.js'
import type { Middleware } from '../middleware.js'
import { runToOutcome, STANDALONE, type OutcomeSettings, type PipelineOutcome } from '../run-pipeline.js'
import { frontDoorVerdict, rejectAtFrontDoor } from '../front-door.js'
import { reject } from '../gateway-responses.js'
import { discardBody } from '../node/write-node-response.js'
import { FetchRequestSource } from './fetch-request-source.js'

/** Options of `toFetchHandler()`. */
export interface FetchHandlerOptions extends AdapterOptions {
  /**
   * The client's socket address, which a `Request` does not carry: e.g.
   * `(req, env) => env.incoming.socket.remoteAddress` on @hono/node-server,
   * `server.requestIP(req)?.address` on Bun, `info.remoteAddr.hostname` on Deno.
   * @default () => '' (unknown)
   */
  clientAddress?: (request: Request, env: unknown) => string | undefined
}

const extra = { clientAddress: z.custom<(request: Request, env: unknown) => string | undefined>((v) => typeof v === 'function', { message: 'a function (request, env) => address' }).optional() }
const NULL_BODY_STATUS = new Set([101, 204, 205, 304])

/**
 * Builds the fetch `Response` of a finished context. HEAD and null-body
 * statuses get no body. A header `Headers` refuses (CR/LF, controls, a bad
 * name) or a status `Response` refuses turns the answer into
 * API_CONFIGURATION_ERROR (500, §12.1), never a thrown handler.
 */
export function toFetchResponse(ctx: GatewayContext<object>): Response {
  try {
    return buildFetchResponse(ctx)
  } catch (err) {
    if (!(err instanceof TypeError || err instanceof RangeError)) throw err
    discardBody(ctx.body)
    if (ctx.error?.type === 'API_CONFIGURATION_ERROR') {
      if (ctx.gatewayResponses === undefined) return new Response('{"message":"Internal server error"}', { status: 500, headers: { 'content-type': 'application/json' } })
      ctx.gatewayResponses = undefined
    }
    reject(ctx, 'API_CONFIGURATION_ERROR')
    return toFetchResponse(ctx)
  }
}

function buildFetchResponse(ctx: GatewayContext<object>): Response {
  const headers = new Headers()
  const source = ctx.responseHeaders
  for (const name in source) {
    const value = source[name] as string | string[]
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else headers.set(name, value)
  }
  let body = ctx.body
  // Bytes, not a string: a string body would make Response add `content-type: text/plain` (node:http adds nothing).
  if (typeof body === 'string') body = Buffer.from(body)
  if (body instanceof Uint8Array && !headers.has('content-length') && !NULL_BODY_STATUS.has(ctx.status)) headers.set('content-length', String(body.byteLength))
  if (ctx.source.method === 'HEAD' || NULL_BODY_STATUS.has(ctx.status)) {
    if (body instanceof Readable) body.destroy()
    else if (body instanceof ReadableStream) body.cancel().catch(() => {})
    body = null
  }
  const init = { status: ctx.status, headers }
  if (body instanceof Readable) return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, init)
  return new Response(body as ConstructorParameters<typeof Response>[0], init)
}

/**
 * Turns a pipeline into a fetch handler `(request, env?) => Promise<Response>`
 * for Hono, Bun, Deno, Cloudflare-style runtimes and @hono/node-server.
 * Options are validated once, here.
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * serve({ fetch: toFetchHandler(pipeline, { clientAddress: (_req, env) => (env as HttpBindings).incoming.socket.remoteAddress }) })
 */
export function toFetchHandler(pipeline: Middleware<object>, options?: FetchHandlerOptions): (request: Request, env?: unknown) => Promise<Response> {
  const compiled = compileAdapterOptions(options, 'toFetchHandler', extra)
  const clientAddress = options?.clientAddress
  return async function fetchHandler(request, env) {
    const { ctx } = await handleFetchRequest(pipeline, compiled, request, clientAddress?.(request, env) ?? '', STANDALONE)
    return toFetchResponse(ctx)
  }
}

/** A fetch request after its pipeline: the context and where the request goes (`outcomeOf`). */
export interface FetchRequestResult {
  readonly ctx: GatewayContext<object>
  readonly outcome: PipelineOutcome
}

/**
 * Runs a pipeline for one fetch `Request` (context, customized responses,
 * ambiguous-request 400, error boundary, the adapters' rule). Shared by
 * `toFetchHandler` (standalone) and @gw/hono (inside a host).
 */
export async function handleFetchRequest(
  pipeline: Middleware<object>,
  compiled: CompiledAdapterOptions,
  request: Request,
  clientAddress: string,
  settings: OutcomeSettings
): Promise<FetchRequestResult> {
  const source = new FetchRequestSource(request, clientAddress)
  const ctx = new GatewayContext<object>(source, settingsFor(compiled, source.remoteAddress, request.headers.get('x-forwarded-for') ?? undefined))
  if (compiled.gatewayResponses !== undefined) ctx.gatewayResponses = compiled.gatewayResponses
  if (source.ambiguous) {
    rejectAmbiguous(ctx)
    return { ctx, outcome: 'answer' }
  }
  // §15 limits before routing and integrations (see frontDoorVerdict).
  const verdict = frontDoorVerdict(ctx.flavour, source.method, source.url, source.headerValueBytes, source.declaredLength, ctx.bodyLimit)
  if (verdict !== 0) {
    if (verdict === 413) request.body?.cancel().catch(() => {})
    rejectAtFrontDoor(ctx, verdict)
    return { ctx, outcome: 'answer' }
  }
  const outcome = await runToOutcome(pipeline, ctx, settings, compiled.logger)
  // A chunked body nobody read decides between the answer and a 413 (§15); a body handed to the host stays unread.
  if (outcome === 'answer' && source.uncountedBody && !(await source.countBody(ctx.bodyLimit))) {
    discardBody(ctx.body)
    reject(ctx, 'REQUEST_TOO_LARGE')
  }
  return { ctx, outcome }
}
