const MAX_AGE_ZERO = /(?:^|,)\s*max-age\s*=\s*"?0+"?\s*(?:,|$)/i

/**
 * Whether a request's `Cache-Control` asks for a fresh response
 * (`max-age=0`, aws-semantics §7): the cache is bypassed for this request and
 * the entry replaced with the fresh response.
 * @example
 * wantsRefresh('no-transform, max-age=0') // true
 */
export function wantsRefresh(header: string | string[] | undefined): boolean {
  if (header === undefined) return false
  return MAX_AGE_ZERO.test(typeof header === 'string' ? header : header.join(','))
}
