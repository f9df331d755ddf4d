import { randomId } from '@gw/core'

/**
 * The `X-Amzn-Trace-Id` API Gateway adds to every integration request
 * (aws-semantics §3.2): `Root=1-{epoch seconds, 8 hex}-{96 random bits, 24 hex}`.
 */
export function traceId(epochMs: number): string {
  return `Root=1-${Math.floor(epochMs / 1000).toString(16)}-${randomId(12, 'hex')}`
}
