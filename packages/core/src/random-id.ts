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

/** Two lower-case hex digits (as latin1 codes) of every byte value: `HEX_PAIRS[2 * b]`, `HEX_PAIRS[2 * b + 1]`. */
const HEX_PAIRS = Buffer.from(Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0')).join(''), 'latin1')
/** Where the 16 bytes of a UUID go in its 36-character form (dashes at 8, 13, 18, 23). */
const UUID_POSITIONS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]
const uuidText = Buffer.from('00000000-0000-4000-8000-000000000000', 'latin1')

/**
 * A random (version 4) UUID, lower-case, as `crypto.randomUUID()` makes it,
 * from the same pool as `randomId`: the 36 characters are written into one
 * scratch buffer and read out as one flat string, where `randomUUID()` joins
 * 21 pieces (a rope V8 flattens again when the id is written as a header).
 * @example
 * randomUuid() // 'a3bb189e-8bf9-4888-9912-ace4e6543002'
 */
export function randomUuid(): string {
  if (offset + 16 > POOL_BYTES) {
    randomFillSync(pool)
    offset = 0
  }
  for (let i = 0; i < 16; i++) {
    let b = pool[offset + i] as number
    // RFC 9562 §5.4: version 4 in the high nibble of byte 6, variant 10 in the top bits of byte 8
    if (i === 6) b = (b & 0x0f) | 0x40
    else if (i === 8) b = (b & 0x3f) | 0x80
    const at = UUID_POSITIONS[i] as number
    uuidText[at] = HEX_PAIRS[2 * b] as number
    uuidText[at + 1] = HEX_PAIRS[2 * b + 1] as number
  }
  offset += 16
  return uuidText.toString('latin1', 0, 36)
}
