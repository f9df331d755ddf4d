import { randomFillSync } from 'node:crypto'

/**
 * Bytes drawn from the system per refill: one `randomFillSync` serves about two thousand requests (a REST request
 * takes 16 bytes for its UUID and 11 for `x-amz-apigw-id`). A refill's fixed cost dominates: on a busy gateway each
 * call runs cold (OpenSSL's DRBG and node's crypto job setup out of cache), about 35 µs whether it draws 4 KB or
 * 64 KB, so a 4 KB pool cost ~0.25 µs per request and this one ~0.02 µs (issue #21).
 */
const POOL_BYTES = 64 * 1024
/** Most bytes one `randomId` call may ask for (its documented limit). */
const MAX_ID_BYTES = 4096
const pool = Buffer.allocUnsafe(POOL_BYTES)
let offset = POOL_BYTES

/**
 * `bytes` fresh random bytes (at most 4096) as a `hex` or `base64` string.
 * Bytes come from a pool that one `randomFillSync` refills (the way
 * `crypto.randomUUID()` batches its entropy) and each byte is used once, so
 * a request id costs one string instead of a system call or a UUID cut
 * into pieces.
 * @throws RangeError when `bytes` is not an integer from 1 to 4096
 * @example
 * randomId(12, 'hex') // '9f0c…' (24 characters)
 */
export function randomId(bytes: number, encoding: 'hex' | 'base64'): string {
  // Past the pool, `toString` would quietly return fewer bytes than asked for.
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_ID_BYTES) throw new RangeError(`randomId: bytes must be an integer from 1 to ${String(MAX_ID_BYTES)}, got ${String(bytes)}`)
  const at = take(bytes)
  return pool.toString(encoding, at, at + bytes)
}

/** Where `bytes` unused pool bytes start (the pool is refilled first when fewer are left); they count as used. */
function take(bytes: number): number {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool)
    offset = 0
  }
  const at = offset
  offset += bytes
  return at
}

/** The two lower-case hex digits of every byte value as one little-endian 16-bit pair (first digit in the low byte). */
const HEX_PAIRS = new Uint16Array(256)
for (let b = 0; b < 256; b++) {
  const digits = b.toString(16).padStart(2, '0')
  HEX_PAIRS[b] = digits.charCodeAt(0) | (digits.charCodeAt(1) << 8)
}
/** Ids formatted per refill of a text batch: one string made per 64 ids, each id a slice of it. */
const BATCH = 64

/**
 * An id source that formats `BATCH` ids at a time into `text` (`format(at, o)` writes the id at byte `at` from
 * `poolBytes` pool bytes at `o`), makes one latin1 string of them and hands out slices: an id costs a substring, not
 * a string built (or a C++ call) per id.
 */
function batchedIds(text: Buffer, length: number, poolBytes: number, format: (at: number, o: number) => void): () => string {
  let batch = ''
  let next = BATCH
  return () => {
    if (next === BATCH) {
      const o = take(BATCH * poolBytes)
      for (let i = 0; i < BATCH; i++) format(i * length, o + i * poolBytes)
      batch = text.toString('latin1')
      next = 0
    }
    const at = next * length
    next++
    return batch.slice(at, at + length)
  }
}

const UUID_LENGTH = 36
const uuidBytes = Buffer.alloc(BATCH * UUID_LENGTH)
const uuidView = new DataView(uuidBytes.buffer, uuidBytes.byteOffset, uuidBytes.byteLength)

/** Writes one UUID's 36 characters at `at` from 16 pool bytes at `o` (version 4, variant 10: RFC 9562 §5.4). */
function formatUuid(at: number, o: number): void {
  const p = pool
  const v = uuidView
  v.setUint16(at, HEX_PAIRS[p[o] as number] as number, true)
  v.setUint16(at + 2, HEX_PAIRS[p[o + 1] as number] as number, true)
  v.setUint16(at + 4, HEX_PAIRS[p[o + 2] as number] as number, true)
  v.setUint16(at + 6, HEX_PAIRS[p[o + 3] as number] as number, true)
  uuidBytes[at + 8] = 45
  v.setUint16(at + 9, HEX_PAIRS[p[o + 4] as number] as number, true)
  v.setUint16(at + 11, HEX_PAIRS[p[o + 5] as number] as number, true)
  uuidBytes[at + 13] = 45
  v.setUint16(at + 14, HEX_PAIRS[((p[o + 6] as number) & 0x0f) | 0x40] as number, true)
  v.setUint16(at + 16, HEX_PAIRS[p[o + 7] as number] as number, true)
  uuidBytes[at + 18] = 45
  v.setUint16(at + 19, HEX_PAIRS[((p[o + 8] as number) & 0x3f) | 0x80] as number, true)
  v.setUint16(at + 21, HEX_PAIRS[p[o + 9] as number] as number, true)
  uuidBytes[at + 23] = 45
  v.setUint16(at + 24, HEX_PAIRS[p[o + 10] as number] as number, true)
  v.setUint16(at + 26, HEX_PAIRS[p[o + 11] as number] as number, true)
  v.setUint16(at + 28, HEX_PAIRS[p[o + 12] as number] as number, true)
  v.setUint16(at + 30, HEX_PAIRS[p[o + 13] as number] as number, true)
  v.setUint16(at + 32, HEX_PAIRS[p[o + 14] as number] as number, true)
  v.setUint16(at + 34, HEX_PAIRS[p[o + 15] as number] as number, true)
}

/**
 * A random (version 4) UUID, lower-case, as `crypto.randomUUID()` makes it,
 * from the same pool as `randomId`. Ids are formatted 64 at a time into one
 * string and handed out as slices of it: a request id costs a substring,
 * where `randomUUID()` joins 21 pieces (a rope V8 flattens again when the id
 * is written as a header).
 * @example
 * randomUuid() // 'a3bb189e-8bf9-4888-9912-ace4e6543002'
 */
export const randomUuid: () => string = batchedIds(uuidBytes, UUID_LENGTH, 16, formatUuid)

/** The base64 alphabet (RFC 4648 §4, with `+` and `/`, as `Buffer#toString('base64')`) as character codes. */
const BASE64 = Uint8Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) => c.charCodeAt(0))
/** Random bytes per short id: 11 encode to 15 base64 characters and one `=`, AWS's 16-character form. */
const SHORT_BYTES = 11
const SHORT_LENGTH = 16
const shortBytes = Buffer.alloc(BATCH * SHORT_LENGTH)

/** Writes the base64 of 11 pool bytes at `o` (15 characters and `=`) at `at`: what `toString('base64')` gives for them. */
function formatShortId(at: number, o: number): void {
  const p = pool
  const out = shortBytes
  // three 3-byte groups: 12 characters
  for (let g = 0; g < 3; g++, o += 3, at += 4) {
    const n = ((p[o] as number) << 16) | ((p[o + 1] as number) << 8) | (p[o + 2] as number)
    out[at] = BASE64[n >>> 18] as number
    out[at + 1] = BASE64[(n >>> 12) & 63] as number
    out[at + 2] = BASE64[(n >>> 6) & 63] as number
    out[at + 3] = BASE64[n & 63] as number
  }
  // the last 2 bytes: 3 characters (the third carries 4 bits and two zero bits) and the padding
  const n = ((p[o] as number) << 8) | (p[o + 1] as number)
  out[at] = BASE64[n >>> 10] as number
  out[at + 1] = BASE64[(n >>> 4) & 63] as number
  out[at + 2] = BASE64[(n & 15) << 2] as number
  out[at + 3] = 61 // '='
}

/**
 * 11 fresh random bytes as 16 base64 characters (15 and `=`), the form of
 * API Gateway's `x-amz-apigw-id` and HTTP API request ids (§12.5): the same
 * text as `randomId(11, 'base64')`. Ids are formatted 64 at a time into one
 * string and handed out as slices of it, as `randomUuid()` does: a
 * `Buffer#toString('base64')` per id is a C++ call that cost about 0.75 µs
 * on a busy gateway, a slice about a tenth of it (issue #21).
 * @example
 * randomShortId() // 'Ab3xK9mPq2Rs7Tu='
 */
export const randomShortId: () => string = batchedIds(shortBytes, SHORT_LENGTH, SHORT_BYTES, formatShortId)
