import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { GatewayContext, GatewayError, type RequestSource } from '@gw/core'

/**
 * A `RequestSource` over node:http (the serve runtime's own; swap for @gw/core's `toNodeHandler` once it exists).
 * Reads at most `limit` bytes and rejects with REQUEST_TOO_LARGE past it (§15).
 */
export function nodeRequestSource(req: IncomingMessage, signal: AbortSignal): RequestSource {
  const length = Number(req.headers['content-length'] ?? 0)
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    url: req.url ?? '/',
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    remoteAddress: req.socket.remoteAddress ?? '',
    protocol: 'encrypted' in req.socket ? 'https' : 'http',
    hasBody: length > 0 || req.headers['transfer-encoding'] !== undefined,
    signal,
    stream: () => req,
    readBody(limit) {
      return new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = []
        let size = 0
        req.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > limit) {
            req.pause()
            reject(new GatewayError('REQUEST_TOO_LARGE'))
            return
          }
          chunks.push(chunk)
        })
        req.on('end', () => resolve(Buffer.concat(chunks)))
        req.on('error', reject)
      })
    }
  }
}

/** Writes the context's response to node:http, streaming Readable / web-stream bodies. */
export function writeResponse(ctx: GatewayContext<object>, res: ServerResponse): void {
  res.statusCode = ctx.status
  for (const [name, value] of Object.entries(ctx.responseHeaders)) res.setHeader(name, value)
  const body = ctx.body
  if (ctx.method === 'HEAD' || body === null) {
    res.end()
    return
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    res.end(body)
    return
  }
  const stream = body instanceof Readable ? body : Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}
