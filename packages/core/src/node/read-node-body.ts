import type { IncomingMessage } from 'node:http'
import { GatewayError } from '../gateway-error.js'

/** Shared empty body. */
export const EMPTY = Buffer.alloc(0)

/** What `readNodeBody` reports back to its source. */
export interface BodyReadState {
  /** Set when the body went past the limit: the writer must drain the rest of the request. */
  overLimit: boolean
}

/** The client left before the body was complete: rendered as a 400 nobody will read, never logged as a crash. */
export function clientGone(): GatewayError {
  return new GatewayError('DEFAULT_4XX', { status: 400, message: 'Client closed request' })
}

/**
 * Reads a node:http request body, keeping at most `limit` bytes (§15).
 * A declared `Content-Length` above the limit rejects at once without reading;
 * otherwise bytes are counted as they arrive and at `limit + 1` the listener is
 * removed, the chunks are dropped and the stream is resumed so the rest is
 * discarded (never buffered). A client that goes away mid-body rejects with a
 * `clientGone()` error, so no promise is left pending.
 */
export function readNodeBody(req: IncomingMessage, limit: number, declared: number, state: BodyReadState): Promise<Buffer> {
  if (declared > limit) {
    state.overLimit = true
    return Promise.reject(new GatewayError('REQUEST_TOO_LARGE'))
  }
  if (req.readableEnded) return Promise.resolve(EMPTY)
  if (req.destroyed) return Promise.reject(clientGone())
  return new Promise<Buffer>((resolve, reject) => {
    let chunks: Buffer[] = []
    let size = 0
    const cleanup = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onGone)
      req.off('close', onGone)
    }
    function onData(chunk: Buffer): void {
      size += chunk.length
      if (size > limit) {
        cleanup()
        chunks = []
        state.overLimit = true
        req.resume()
        reject(new GatewayError('REQUEST_TOO_LARGE'))
        return
      }
      chunks.push(chunk)
    }
    function onEnd(): void {
      cleanup()
      resolve(chunks.length === 0 ? EMPTY : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size))
    }
    function onGone(): void {
      cleanup()
      chunks = []
      reject(clientGone())
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onGone)
    req.on('close', onGone)
  })
}
