import type { IncomingHttpHeaders } from 'node:http'

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1 plus the legacy `Keep-Alive` and
 * `Proxy-Connection`): they describe one connection, so the gateway neither
 * shows them to middleware nor forwards them (aws-semantics §3.2).
 */
export const HOP_BY_HOP_HEADERS: readonly string[] = Object.freeze([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade'
])

const TOKEN_SEPARATOR = /\s*,\s*/

/** True for a name of `HOP_BY_HOP_HEADERS` (lower-case): a switch on the length first, no Set per request. */
function isHopByHop(name: string): boolean {
  switch (name.length) {
    case 2:
      return name === 'te'
    case 7:
      return name === 'trailer' || name === 'upgrade'
    case 10:
      return name === 'connection' || name === 'keep-alive'
    case 16:
      return name === 'proxy-connection'
    case 17:
      return name === 'transfer-encoding'
    default:
      return false
  }
}

/**
 * The extra names a `Connection` value lists (lower-case), `undefined` when it
 * lists none beyond the hop-by-hop headers themselves. `keep-alive`, what
 * nearly every HTTP/1.1 client sends, is answered without splitting.
 */
function connectionListed(connection: string | undefined): string[] | undefined {
  if (connection === undefined) return undefined
  const value = connection.toLowerCase()
  if (value === 'keep-alive') return undefined
  let names: string[] | undefined
  for (const name of value.split(TOKEN_SEPARATOR)) if (name !== '' && !isHopByHop(name)) (names ??= []).push(name)
  return names
}

/**
 * `headers` without hop-by-hop headers nor the names `Connection` lists. Returns
 * the same object when there is nothing to drop (the common case: no copy).
 * The copy is prototype-less.
 */
export function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  if (
    headers.connection === undefined &&
    headers['keep-alive'] === undefined &&
    headers['proxy-connection'] === undefined &&
    headers.te === undefined &&
    headers.trailer === undefined &&
    headers['transfer-encoding'] === undefined &&
    headers.upgrade === undefined
  ) {
    return headers
  }
  const listed = connectionListed(headers.connection)
  const out = Object.create(null) as IncomingHttpHeaders
  for (const name in headers) if (!isHopByHop(name) && (listed === undefined || !listed.includes(name))) out[name] = headers[name]
  return out
}

/**
 * `rawHeaders` (`[name, value, …]`) without the names `withoutHopByHop`
 * dropped: the hop-by-hop list plus what `connection` (the request's
 * `Connection` value) names. Decided by name, not by looking names up in the
 * parsed headers, so a header named `__proto__` (which node's parsed headers
 * lose) is kept like any other.
 */
export function rawWithout(rawHeaders: readonly string[], connection: string | undefined): string[] {
  const listed = connectionListed(connection)
  const out: string[] = []
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    const lower = name.toLowerCase()
    if (!isHopByHop(lower) && (listed === undefined || !listed.includes(lower))) out.push(name, rawHeaders[i + 1] as string)
  }
  return out
}

/**
 * node's parsed `req.headers` without a header literally named `__proto__`
 * (its parser drops it); this puts it back as an ordinary own key, in a
 * prototype-less copy, only when `rawHeaders` holds one (issue #15: keys are
 * data). Returns `headers` itself otherwise: the common case costs a length
 * comparison per header.
 */
export function withProtoHeader(headers: IncomingHttpHeaders, rawHeaders: readonly string[]): IncomingHttpHeaders {
  let found = -1
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (name.length === 9 && name.toLowerCase() === '__proto__') {
      found = i
      break
    }
  }
  if (found === -1) return headers
  const out = Object.create(null) as IncomingHttpHeaders
  for (const name in headers) out[name] = headers[name]
  const values: string[] = []
  for (let i = found; i + 1 < rawHeaders.length; i += 2) if ((rawHeaders[i] as string).toLowerCase() === '__proto__') values.push(rawHeaders[i + 1] as string)
  out['__proto__'] = values.join(', ')
  return out
}

/**
 * True when `Host` or `Content-Length` occurs more than once: the request is
 * ambiguous (smuggling) and gets a 400 gateway answer before any middleware
 * runs. node:http keeps only the first value in `req.headers`, so this looks
 * at `rawHeaders`.
 */
export function hasDuplicateFramingHeader(rawHeaders: readonly string[]): boolean {
  let host = 0
  let length = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (name.length === 4) {
      if (name.toLowerCase() === 'host' && ++host > 1) return true
    } else if (name.length === 14) {
      if (name.toLowerCase() === 'content-length' && ++length > 1) return true
    }
  }
  return false
}

/** RFC 9110 `token`: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** What node:http refuses in a header value (CR, LF, NUL and other controls except HTAB): a response-splitting attempt. */
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/

/** True when `name` may be written as a header name (an RFC 9110 token). */
export function isValidHeaderName(name: string): boolean {
  return HEADER_NAME.test(name)
}

/** True when `value` holds no CR, LF, NUL nor other control character (nothing can split the response). */
export function isValidHeaderValue(value: string): boolean {
  return !INVALID_VALUE_CHAR.test(value)
}

/**
 * The first header of `headers` that cannot be written safely (bad name, or a
 * value holding CR/LF/controls), `undefined` when all are fine. Used where a
 * response is built from data the gateway does not control (a Lambda proxy
 * response, §2.3) so the answer is the integration's error, never a split.
 */
export function unsafeHeader(headers: Readonly<Record<string, string | readonly string[]>>): string | undefined {
  for (const name in headers) {
    if (!HEADER_NAME.test(name)) return name
    const v = headers[name] as string | readonly string[]
    if (typeof v === 'string') {
      if (INVALID_VALUE_CHAR.test(v)) return name
    } else for (const one of v) if (INVALID_VALUE_CHAR.test(one)) return name
  }
  return undefined
}

/**
 * Credentials the gateway consumes itself and never hands to an integration
 * unless a mapping names them (aws-semantics §3.2, §10.8): an `Authorization`
 * header carrying a SigV4 signature (`AWS4-HMAC-SHA256 …`, or SigV4a), the
 * caller's `X-Amz-Security-Token`, and the API key (`X-API-Key`, §9.2; Lambda
 * events carry it as `requestContext.identity.apiKey`). Other `Authorization`
 * schemes (Bearer, Basic) are the backend's business and pass. `name` is lower-case.
 */
export function isGatewayCredential(name: string, value: string): boolean {
  if (name.length === 13 && name === 'authorization') return value.startsWith('AWS4-')
  return name === 'x-amz-security-token' || name === 'x-api-key'
}
