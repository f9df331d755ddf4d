import { randomFillSync } from 'node:crypto'

/** Bytes drawn from the system per refill: one `randomFillSync` serves hundreds of ids. */
const POOL_BYTES = 4096
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
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > POOL_BYTES) throw new RangeError(`randomId: bytes must be an integer from 1 to ${String(POOL_BYTES)}, got ${String(bytes)}`)
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool)
    offset = 0
  }
  const id = pool.toString(encoding, offset, offset + bytes)
  offset += bytes
  return id
}
