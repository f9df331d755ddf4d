/**
 * What an allowed `Origin` is answered with: the origin itself, or `*`.
 * `undefined` = not allowed (no CORS headers).
 */
export type OriginMatcher = (origin: string) => string | undefined

/**
 * A serialized origin with the given scheme, as browsers send it: lower-case host (name, IPv4 or `[IPv6]`) and an
 * optional port, nothing after. `null`, `https://a.com/`, `https://A.com` and `https://a.com.` never match.
 */
const HTTPS_ANY = /^https:\/\/(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/
const HTTP_ANY = /^http:\/\/(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/

/**
 * Compiles `allowOrigins` once (aws-semantics §11.2): `*` allows every origin and is answered `*`; `https://*` /
 * `http://*` allow any origin of that scheme; every other entry is an exact, case-sensitive match of scheme, host
 * and port (no prefix, suffix or subdomain matching). Pattern and exact matches are answered with the request's
 * origin, so the answer then depends on the origin (`varies`).
 */
export function compileOrigins(allowOrigins: readonly string[]): { match: OriginMatcher; varies: boolean } {
  if (allowOrigins.includes('*')) return { match: () => '*', varies: false }
  const exact = new Set(allowOrigins.filter((o) => o !== 'https://*' && o !== 'http://*'))
  const https = allowOrigins.includes('https://*')
  const http = allowOrigins.includes('http://*')
  const varies = allowOrigins.length !== 0
  if (!https && !http) return { match: (origin) => (exact.has(origin) ? origin : undefined), varies }
  return {
    match: (origin) => (exact.has(origin) || (https && HTTPS_ANY.test(origin)) || (http && HTTP_ANY.test(origin)) ? origin : undefined),
    varies
  }
}
