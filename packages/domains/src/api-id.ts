import { createHash } from 'node:crypto'

/** An `apiId` as AWS makes them: 10 lower-case letters and digits (aws-semantics §1.1). */
export const API_ID_PATTERN = /^[a-z0-9]{10}$/

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

/**
 * A stable `apiId` for an API name (§1.1): 10 lower-case alphanumerics taken
 * from the name's SHA-256, so every start (and every instance) gives the same
 * API the same `{apiId}.execute-api…` host name and method ARNs without
 * anyone writing an id down. Configure an id to pin one that AWS gave you.
 * @example
 * deriveApiId('pets') // → the same 10 characters on every machine
 */
export function deriveApiId(name: string): string {
  const digest = createHash('sha256').update(`gw-api-id:${name}`).digest()
  let out = ''
  // 36 does not divide 256: the slight bias is harmless for an identifier
  for (let i = 0; i < 10; i++) out += ALPHABET[(digest[i] as number) % 36]
  return out
}
