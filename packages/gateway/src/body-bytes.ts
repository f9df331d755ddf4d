import { textByteLength, type GatewayContext } from '@gw/core'

/** Request payload bytes from `content-length` (0 without one: a chunked body is not read just to count it). */
export function requestBytes(ctx: GatewayContext<object>): number {
  const length = ctx.headers['content-length']
  const n = length === undefined ? 0 : Number(length)
  return Number.isFinite(n) && n >= 0 ? n : 0
}

/**
 * Response payload bytes (`$context.responseLength`, HTTP `DataProcessed`, §13.1/§13.3): the body's own size
 * when it is a string or bytes, else its `content-length`, else -1 (a stream of unknown length).
 * A string is measured by `textByteLength`: the node response writer measures the same string for `content-length`
 * right after, and finds it remembered.
 * (Counting a short body in JS instead of `Buffer.byteLength` was tried: a loop over a mapped, non-flat body cost
 * ~3x the C++ call under callgrind.)
 */
export function bodyBytes(ctx: GatewayContext<object>): number {
  const body = ctx.body
  if (body === null) return 0
  if (typeof body === 'string') return textByteLength(body)
  if (body instanceof Uint8Array) return body.byteLength
  const length = ctx.responseHeaders['content-length']
  const n = typeof length === 'string' ? Number(length) : NaN
  return Number.isFinite(n) && n >= 0 ? n : -1
}
