import type { IncomingMessage } from 'node:http'
import { Transform, type Readable } from 'node:stream'
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

/**
 * Counts the rest of a body nobody read (a chunked request to a MOCK method,
 * say) without keeping it: resolves `true` when it ended within `limit`
 * bytes, `false` as soon as it went past (`state.overLimit` set: the writer
 * then answers 413 and drains or cuts the rest, §15), `true` when the client
 * went away (nothing left to answer).
 */
export function countNodeBody(req: IncomingMessage, limit: number, state: BodyReadState): Promise<boolean> {
  if (req.complete || req.destroyed) return Promise.resolve(true)
  return new Promise<boolean>((resolve) => {
    let size = 0
    const cleanup = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onEnd)
      req.off('close', onEnd)
    }
    function onData(chunk: Buffer): void {
      size += chunk.length
      if (size > limit) {
        cleanup()
        state.overLimit = true
        resolve(false)
      }
    }
    function onEnd(): void {
      cleanup()
      resolve(true)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onEnd)
    req.on('close', onEnd)
  })
}

/**
 * The request as a stream that fails with `GatewayError('REQUEST_TOO_LARGE')`
 * once more than `limit` bytes went through (§15): a chunked body streamed to
 * a proxy is cut at the limit instead of being relayed whole.
 */
export function limitedNodeStream(req: IncomingMessage, limit: number, state: BodyReadState): Readable {
  let size = 0
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length
      if (size > limit) {
        state.overLimit = true
        req.unpipe(counter)
        callback(new GatewayError('REQUEST_TOO_LARGE'))
        return
      }
      callback(null, chunk)
    }
  })
  req.once('error', (err) => counter.destroy(err))
  return req.pipe(counter)
}
