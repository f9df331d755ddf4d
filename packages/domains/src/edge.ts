import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** REST URL limit of edge-optimized APIs, characters (aws-semantics §15; regional: 10,240). */
export const EDGE_URL_LENGTH_LIMIT = 8192

/**
 * The viewer headers CloudFront adds in front of an edge-optimized API
 * (§2.1 [V]), with a desktop viewer in the US as default values; `Via` and
 * `X-Amz-Cf-Id` are added per request. Override any of them per API.
 */
export const DEFAULT_EDGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'CloudFront-Is-Desktop-Viewer': 'true',
  'CloudFront-Is-Mobile-Viewer': 'false',
  'CloudFront-Is-SmartTV-Viewer': 'false',
  'CloudFront-Is-Tablet-Viewer': 'false',
  'CloudFront-Viewer-ASN': '16509',
  'CloudFront-Viewer-Country': 'US'
})

/** Headers CloudFront re-cases on the way in (§2.1 [V]: `aUThorization` arrives as `Authorization`). */
const NORMALIZED: Readonly<Record<string, string>> = { authorization: 'Authorization', 'user-agent': 'User-Agent' }

/** What one edge API adds: its configured viewer headers and its CloudFront `Via` host. */
export interface EdgeHeaders {
  readonly headers: readonly (readonly [string, string])[]
  readonly via: string
}

/** Compiles an API's edge headers once: defaults, then the API's own values (names as given). */
export function compileEdgeHeaders(overrides: Readonly<Record<string, string>> = {}): EdgeHeaders {
  const merged = new Map<string, [string, string]>()
  for (const [name, value] of [...Object.entries(DEFAULT_EDGE_HEADERS), ...Object.entries(overrides)]) merged.set(name.toLowerCase(), [name, value])
  // one CloudFront edge server per API: `Via: 2.0 {32 hex}.cloudfront.net (CloudFront)`
  const via = merged.get('via')?.[1] ?? `2.0 ${randomBytes(16).toString('hex')}.cloudfront.net (CloudFront)`
  merged.delete('via')
  return { headers: [...merged.values()], via }
}

/**
 * Puts what CloudFront adds onto a request bound for an edge-optimized API,
 * before the gateway sees it (so Lambda events, mapping templates and HTTP
 * backends see them as on AWS): the viewer headers (replacing any the client
 * sent under those names), `CloudFront-Forwarded-Proto`, `Via`, a fresh
 * `X-Amz-Cf-Id`, and `Authorization` / `User-Agent` in canonical casing.
 */
export function addEdgeHeaders(req: IncomingMessage, edge: EdgeHeaders): void {
  const added: (readonly [string, string])[] = [
    ...edge.headers,
    ['CloudFront-Forwarded-Proto', 'encrypted' in req.socket ? 'https' : 'http'],
    ['Via', edge.via],
    // 40 random bytes: 56 base64url characters ending in `==`, like CloudFront's request ids
    ['X-Amz-Cf-Id', randomBytes(40).toString('base64').replace(/\+/g, '-').replace(/\//g, '_')]
  ]
  const replaced = new Set(added.map(([name]) => name.toLowerCase()))
  const raw = req.rawHeaders
  const kept: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = (raw[i] as string).toLowerCase()
    if (replaced.has(lower)) continue
    kept.push(NORMALIZED[lower] ?? (raw[i] as string), raw[i + 1] as string)
  }
  for (const [name, value] of added) kept.push(name, value)
  raw.length = 0
  raw.push(...kept)
  const headers = req.headers
  for (const [name, value] of added) headers[name.toLowerCase()] = value
}
