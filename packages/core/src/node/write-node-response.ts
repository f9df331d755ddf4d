import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable, pipeline } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import type { GatewayContext } from '../context.js'

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
    flat.push(WIRE_HEADER_NAMES[name] ?? name, headers[name] as string | string[])
  }
  const head = ctx.source.method === 'HEAD'
  const source = ctx.source as { overLimit?: boolean }
  if (source.overLimit === true) drainAfterResponse(req ?? res.req, res)
  if (typeof body === 'string') {
    if (!hasLength) flat.push('content-length', String(Buffer.byteLength(body)))
    res.writeHead(ctx.status, flat as string[])
    if (head) res.end()
    else res.end(body)
    return
  }
  if (body === null || body instanceof Uint8Array) {
    if (!hasLength && ctx.status !== 204 && ctx.status !== 304) flat.push('content-length', body === null ? '0' : String(body.byteLength))
    res.writeHead(ctx.status, flat as string[])
    if (head || body === null) res.end()
    else res.end(body)
    return
  }
  res.writeHead(ctx.status, flat as string[])
  if (head) {
    discardBody(body)
    res.end()
    return
  }
  const stream = body instanceof Readable ? body : Readable.fromWeb(body as WebReadableStream<Uint8Array>)
  pipeline(stream, res, noop)
}
