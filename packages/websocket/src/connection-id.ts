import { randomId } from '@gw/core'

/**
 * A new connection id as AWS shapes them (§14.6): 11 random bytes in base64,
 * 16 characters ending in `=` (may hold `+` and `/`, so callback URLs encode it).
 */
export function newConnectionId(): string {
  return randomId(11, 'base64')
}
