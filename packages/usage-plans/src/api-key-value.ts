import { createHash, randomBytes } from 'node:crypto'

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** SHA-256 of a key value (hex): the only form in which values are kept (§9.1). */
export function hashApiKey(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/** A fresh 40-character alphanumeric value, as API Gateway generates them (§9.1). */
export function generateApiKeyValue(): string {
  const bytes = randomBytes(40)
  let out = ''
  // 256 % 62 bias is negligible for a 40-char secret (< 0.1 bit total).
  for (const byte of bytes) out += ALPHANUMERIC[byte % 62]
  return out
}

/** Stable key id derived from the hash (same value → same id on every instance; reveals nothing of the value). */
export function apiKeyIdFromHash(hash: string): string {
  return BigInt(`0x${hash.slice(0, 16)}`).toString(36).padStart(10, '0').slice(0, 10)
}

/** How a key is shown in listings, logs and errors: its last 4 characters only. */
export function maskApiKey(lastFour: string): string {
  return `****************${lastFour}`
}
