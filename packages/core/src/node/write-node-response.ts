import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable, pipeline } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import type { GatewayContext } from '../context.js'
import { reject } from '../gateway-responses.js'
import { textByteLength } from '../text-byte-length.js'

/**
 * AWS's casing of the gateway headers on the wire (§12.5); inside `ctx` every
 * name is lower-case. Every other name is sent as stored.
 */
export const WIRE_HEADER_NAMES: Readonly<Record<string, string>> = Object.freeze({
  'x-amzn-errortype': 'x-amzn-ErrorType',
  'x-amzn-requestid': 'x-amzn-RequestId',
  'x-amz-apigw-id': 'x-amz-apigw-id'
})

/** How long a request whose body went past the limit may keep sending after its 413, ms. */
export const DRAIN_TIMEOUT_MS = 10_000

const noop = (): void => {}

/** `WIRE_HEADER_NAMES[name] ?? name` without a keyed lookup per header: only 14- and 16-character names can differ. */
function wireName(name: string): string {
  if (name.length === 16) {
    if (name === 'x-amzn-requestid') return 'x-amzn-RequestId'
    if (name === 'x-amzn-errortype') return 'x-amzn-ErrorType'
  }
  return name
}

/** Releases a response body that will not be sent (a stream is destroyed or cancelled). */
export function discardBody(body: unknown): void {
  if (body instanceof Readable) body.destroy()
  else if (body !== null && typeof body === 'object' && 'cancel' in body) (body as WebReadableStream).cancel().catch(noop)
}

/**
 * Lets a client that is still sending a rejected body (413, §15) finish: the
 * rest is discarded without buffering (so it reads its 413 instead of a
 * connection reset) and the socket is destroyed if it keeps sending past
 * `DRAIN_TIMEOUT_MS`.
 */
function drainAfterResponse(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    if (req.complete) return
    req.resume()
    const timer = setTimeout(() => req.socket.destroy(), DRAIN_TIMEOUT_MS)
    timer.unref()
    const clear = (): void => clearTimeout(timer)
    req.once('end', clear)
    req.socket.once('close', clear)
  })
}

/** What node:http throws from `writeHead` for a header or status it will not write. */
const UNWRITABLE = new Set(['ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_HTTP_INVALID_HEADER_VALUE', 'ERR_HTTP_INVALID_STATUS_CODE'])
const LAST_RESORT = '{"message":"Internal server error"}'

/**
 * `writeHead` refused the response (a header name or value from a template,
 * an override or a gateway-response mapping holding CR/LF or controls): the
 * answer becomes API_CONFIGURATION_ERROR (500, aws-semantics §12.1) instead of
 * a split response or a reset socket. node validates every header inside
 * `writeHead`, so a good response pays nothing for this. If the customized
 * 5XX is itself unwritable, the built-in one is used; if that fails too, a
 * fixed 500.
 */
function answerUnwritable(ctx: GatewayContext<object>, res: ServerResponse, req: IncomingMessage | undefined, err: unknown): void {
  if (!UNWRITABLE.has((err as { code?: string } | null)?.code ?? '')) throw err
  discardBody(ctx.body)
  if (ctx.error?.type === 'API_CONFIGURATION_ERROR') {
    if (ctx.gatewayResponses === undefined) {
      res.writeHead(500, ['content-type', 'application/json', 'content-length', String(LAST_RESORT.length)])
      res.end(LAST_RESORT)
      return
    }
    ctx.gatewayResponses = undefined
  }
  reject(ctx, 'API_CONFIGURATION_ERROR')
  writeNodeResponse(ctx, res, req)
}

/**
 * Writes a context's response to node:http: one `writeHead` with a flat
 * header list (AWS casing for `x-amzn-ErrorType`, `x-amzn-RequestId`),
 * `content-length` for string/bytes bodies, streams (`Readable` or web
 * `ReadableStream`) piped with back-pressure and destroyed when the client
 * goes away. HEAD answers carry the headers only. A response whose socket
 * is already gone is dropped (its stream body destroyed).
 * @example
 * void runPipeline(pipeline, ctx, logger).then(() => writeNodeResponse(ctx, res))
 */
export function writeNodeResponse(ctx: GatewayContext<object>, res: ServerResponse, req?: IncomingMessage): void {
  const body = ctx.body
  if (res.headersSent || res.destroyed) {
    discardBody(body)
    return
  }
  const headers = ctx.responseHeaders
  const flat: (string | string[])[] = []
  let hasLength = false
  for (const name in headers) {
    if (name === 'content-length') hasLength = true
    flat.push(wireName(name), headers[name] as string | string[])
  }
  const head = ctx.source.method === 'HEAD'
  const source = ctx.source as { overLimit?: boolean }
  if (source.overLimit === true) drainAfterResponse(req ?? res.req, res)
  if (typeof body === 'string') {
    if (!hasLength) flat.push('content-length', String(textByteLength(body)))
    try {
      res.writeHead(ctx.status, flat as string[])
    } catch (err) {
      answerUnwritable(ctx, res, req, err)
      return
    }
    if (head) res.end()
    else res.end(body)
    return
  }
  if (body === null || body instanceof Uint8Array) {
    if (!hasLength && ctx.status !== 204 && ctx.status !== 304) flat.push('content-length', body === null ? '0' : String(body.byteLength))
    try {
      res.writeHead(ctx.status, flat as string[])
    } catch (err) {
      answerUnwritable(ctx, res, req, err)
      return
    }
    if (head || body === null) res.end()
    else res.end(body)
    return
  }
  try {
    res.writeHead(ctx.status, flat as string[])
  } catch (err) {
    answerUnwritable(ctx, res, req, err)
    return
  }
  if (head) {
    discardBody(body)
    res.end()
    return
  }
  const stream = body instanceof Readable ? body : Readable.fromWeb(body as WebReadableStream<Uint8Array>)
  pipeline(stream, res, noop)
}
