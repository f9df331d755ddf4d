import { NullProto, type ResponseHeaders } from '@gw/core'

/** A cached method response (§7: status, headers, body of a 2xx result). */
export interface CachedResponse {
  readonly status: number
  readonly headers: ResponseHeaders
  readonly body: Uint8Array
}

const VERSION = 1

/**
 * Serializes a response into one binary-safe buffer: version, status,
 * header count, then each header as (name length u16, name, value length
 * u32, value), then the body bytes as they are. Multi-value headers
 * (`set-cookie`) are stored as repeated names.
 */
export function encodeEntry(status: number, headers: ResponseHeaders, body: Uint8Array, skip: ReadonlySet<string>): Buffer {
  const parts: Buffer[] = []
  let count = 0
  let size = 5
  for (const name in headers) {
    if (skip.has(name)) continue
    const value = headers[name] as string | string[]
    const values = typeof value === 'string' ? [value] : value
    for (const v of values) {
      const n = Buffer.from(name, 'latin1')
      const b = Buffer.from(v, 'utf8')
      parts.push(n, b)
      size += 6 + n.length + b.length
      count++
    }
  }
  const out = Buffer.allocUnsafe(size + body.byteLength)
  out[0] = VERSION
  out.writeUInt16BE(status, 1)
  out.writeUInt16BE(count, 3)
  let at = 5
  for (let i = 0; i < parts.length; i += 2) {
    const n = parts[i] as Buffer
    const v = parts[i + 1] as Buffer
    out.writeUInt16BE(n.length, at)
    n.copy(out, at + 2)
    at += 2 + n.length
    out.writeUInt32BE(v.length, at)
    v.copy(out, at + 4)
    at += 4 + v.length
  }
  out.set(body, at)
  return out
}

/**
 * Reads an entry written by {@link encodeEntry}; `undefined` for bytes that
 * are not one (another version, truncated): a bad entry is a miss, never an
 * error to the client. The body is a view of `bytes`, not a copy.
 */
export function decodeEntry(bytes: Uint8Array): CachedResponse | undefined {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (buf.length < 5 || buf[0] !== VERSION) return undefined
  const status = buf.readUInt16BE(1)
  const count = buf.readUInt16BE(3)
  // A fast-mode dictionary: a hit copies it, decoration adds to it and the writer iterates it (§0.1 step 9)
  const headers = new NullProto() as ResponseHeaders
  let at = 5
  for (let i = 0; i < count; i++) {
    if (at + 2 > buf.length) return undefined
    const nl = buf.readUInt16BE(at)
    const name = buf.toString('latin1', at + 2, at + 2 + nl)
    at += 2 + nl
    if (at + 4 > buf.length) return undefined
    const vl = buf.readUInt32BE(at)
    if (at + 4 + vl > buf.length) return undefined
    const value = buf.toString('utf8', at + 4, at + 4 + vl)
    at += 4 + vl
    const prev = headers[name]
    headers[name] = prev === undefined ? value : typeof prev === 'string' ? [prev, value] : [...prev, value]
  }
  return { status, headers, body: buf.subarray(at) }
}
