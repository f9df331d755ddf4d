import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { GatewayContext, type ContextSettings } from './context.js'
import { GatewayError } from './gateway-error.js'
import { jsonLogger, type Logger } from './logger.js'
import type { Middleware } from './middleware.js'
import type { RequestSource } from './request-source.js'
import { runPipeline } from './run-pipeline.js'

/** Options of `toNodeHandler()`. */
export interface NodeHandlerOptions {
  /** Error catalogue of rejections (§12.1 REST, §12.3 HTTP). @default 'REST' */
  flavour?: ContextSettings['flavour']
  /** Request body limit in bytes. @default 10 MB (§15) */
  bodyLimit?: number
  /** Where unhandled errors are logged. @default jsonLogger */
  logger?: Logger
}

/**
 * A `RequestSource` over a node:http request. `readBody(limit)` never buffers
 * more than `limit` bytes: past it (or when `content-length` already says so)
 * it rejects with `GatewayError('REQUEST_TOO_LARGE')` (§15) and stops reading.
 */
export function nodeRequestSource(req: IncomingMessage, signal: AbortSignal): RequestSource {
  const declared = req.headers['content-length']
  const length = declared === undefined ? 0 : Number(declared)
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    url: req.url ?? '/',
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    remoteAddress: req.socket.remoteAddress ?? '',
    protocol: 'encrypted' in req.socket ? 'https' : 'http',
    hasBody: length > 0 || req.headers['transfer-encoding'] !== undefined,
    signal,
    stream: () => (length > 0 || req.headers['transfer-encoding'] !== undefined ? req : null),
    readBody(limit) {
      if (length > limit) return Promise.reject(new GatewayError('REQUEST_TOO_LARGE'))
      return new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = []
        let size = 0
        const onData = (chunk: Buffer): void => {
          size += chunk.length
          if (size > limit) {
            req.off('data', onData)
            req.pause()
            reject(new GatewayError('REQUEST_TOO_LARGE'))
            return
          }
          chunks.push(chunk)
        }
        req.on('data', onData)
        req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)))
        req.once('error', reject)
      })
    }
  }
}

/** Writes a context's response to node:http, streaming `Readable` / web-stream bodies. */
export function writeNodeResponse(ctx: GatewayContext<object>, res: ServerResponse): void {
  res.statusCode = ctx.status
  const headers = ctx.responseHeaders
  for (const name in headers) res.setHeader(name, headers[name] as string | string[])
  const body = ctx.body
  if (body === null || ctx.source.method === 'HEAD') {
    if (body instanceof Readable) body.destroy()
    res.end()
    return
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    res.end(body)
    return
  }
  const stream = body instanceof Readable ? body : Readable.fromWeb(body as WebReadableStream<Uint8Array>)
  stream.once('error', () => res.destroy())
  stream.pipe(res)
}

/**
 * Turns a pipeline into a node:http request listener: one `GatewayContext` per
 * request, the pipeline run under `runPipeline`'s error boundary, the result
 * written back. The context's `signal` aborts when the client goes away.
 * @example
 * http.createServer(toNodeHandler(compose([throttler({ rate: 100, burst: 200 }), app]))).listen(3000)
 */
export function toNodeHandler(pipeline: Middleware<object>, options: NodeHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const logger = options.logger ?? jsonLogger
  const settings: ContextSettings = {}
  if (options.flavour !== undefined) settings.flavour = options.flavour
  if (options.bodyLimit !== undefined) settings.bodyLimit = options.bodyLimit
  return function nodeHandler(req, res) {
    const aborter = new AbortController()
    res.once('close', () => {
      if (!res.writableFinished) aborter.abort()
    })
    const ctx = new GatewayContext<object>(nodeRequestSource(req, aborter.signal), settings)
    void runPipeline(pipeline, ctx, logger).then(() => writeNodeResponse(ctx, res))
  }
}
