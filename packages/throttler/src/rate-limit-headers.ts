import type { RateLimitDecision } from '@gw/core'

/**
 * IETF `RateLimit-Policy` value for one level (draft-ietf-httpapi-ratelimit-headers):
 * quota = burst, window = seconds a bucket takes to refill from empty.
 * Built once per level at construction.
 */
export function rateLimitPolicy(name: string, rate: number, burst: number): string {
  return `"${name.replace(/["\\]/g, '')}";q=${burst};w=${Math.max(1, Math.ceil(burst / rate))}`
}

/**
 * Writes `RateLimit` (and `Retry-After` when blocked) for a decision into a
 * lower-case header dictionary. Off by default: API Gateway sends none (§8.3).
 */
export function writeRateLimitHeaders(
  headers: Record<string, string | string[]>,
  policyName: string,
  policy: string,
  rate: number,
  burst: number,
  decision: RateLimitDecision
): void {
  const untilFull = decision.allowed ? Math.ceil((burst - decision.remaining) / rate) : Math.ceil(decision.retryAfterMs / 1000)
  headers['ratelimit-policy'] = policy
  headers['ratelimit'] = `"${policyName}";r=${decision.remaining};t=${Math.max(0, untilFull)}`
  if (!decision.allowed) headers['retry-after'] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)))
}
