import { unsafeHeader } from '@gw/core'

/** A proxy response ready for the client, or `null` when malformed (§2.3, §2.4). */
export interface ProxyResponse {
  status: number
  headers: Record<string, string | string[]>
  body: string | Buffer
}

const V1_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded'])

function parse(payload: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(payload) as unknown }
  } catch {
    return { ok: false }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

function status(v: unknown): number | null {
  if (v === undefined || v === null) return 200
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : NaN
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : null
}

function scalar(v: unknown): string | null | undefined {
  if (v === null) return null
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v) // §2.3: booleans as "true"/"false", numbers stringified
  return undefined
}

/** `headers` of a proxy response as lower-case name → string (null kept); `null` when malformed. */
function singleHeaders(h: unknown): [string, string | null][] | null {
  if (h === undefined || h === null) return []
  if (!isObject(h)) return null
  const out: [string, string | null][] = []
  for (const [name, v] of Object.entries(h)) {
    const s = scalar(v)
    if (s === undefined) return null
    out.push([name.toLowerCase(), s])
  }
  return out
}

function decode(body: string, base64: boolean): string | Buffer | null {
  if (!base64) return body
  if (!/^[A-Za-z0-9+/\-_]*={0,2}$/.test(body)) return null
  return Buffer.from(body, 'base64')
}

/**
 * Format 1.0 response (§2.3): only the five keys, `statusCode` a number or
 * numeric string, `multiValueHeaders` values arrays, `body` a string; headers
 * merged case-insensitively with the `multiValueHeaders` casing and values
 * first; `Content-Type: application/json` unless set (a `null` value
 * suppresses it); base64 decoded only when `decodeBase64`. A header that is
 * not a token or whose value holds CR/LF/controls makes it malformed.
 */
export function parseProxyResponseV1(payload: string, decodeBase64: boolean): ProxyResponse | null {
  const p = parse(payload)
  if (!p.ok || !isObject(p.value)) return null
  const r = p.value
  for (const k in r) if (!V1_KEYS.has(k)) return null
  const code = status(r['statusCode'])
  if (code === null) return null
  const body = r['body']
  if (body !== undefined && body !== null && typeof body !== 'string') return null
  const b64 = r['isBase64Encoded']
  if (b64 !== undefined && b64 !== null && typeof b64 !== 'boolean') return null
  const merged = new Map<string, string[] | null>()
  const mvh = r['multiValueHeaders']
  if (mvh !== undefined && mvh !== null) {
    if (!isObject(mvh)) return null
    for (const [name, values] of Object.entries(mvh)) {
      if (!Array.isArray(values)) return null
      const out: string[] = []
      for (const v of values as unknown[]) {
        const s = scalar(v)
        if (s === undefined) return null
        if (s !== null) out.push(s)
      }
      merged.set(name.toLowerCase(), out)
    }
  }
  const single = singleHeaders(r['headers'])
  if (single === null) return null
  for (const [key, s] of single) {
    if (s === null) {
      if (!merged.has(key)) merged.set(key, null)
      continue
    }
    const prev = merged.get(key)
    if (prev === undefined || prev === null) merged.set(key, [s])
    else prev.push(s)
  }
  const headers = Object.create(null) as Record<string, string | string[]>
  for (const [name, values] of merged) {
    if (values === null || values.length === 0) continue
    headers[name] = name === 'set-cookie' ? values : values.join(', ')
  }
  if (!merged.has('content-type')) headers['content-type'] = 'application/json'
  // A header name or value that would split the response (CR/LF, controls) makes the response malformed: 502, never a reset.
  if (unsafeHeader(headers) !== undefined) return null
  const text = typeof body === 'string' ? body : ''
  const out = decode(text, b64 === true && decodeBase64)
  if (out === null) return null
  return { status: code, headers, body: out }
}

/**
 * Format 2.0 response (§2.4): without `statusCode` the value is inferred
 * (200, JSON, body = the string itself or the JSON text); with it the
 * structured form, `cookies` each a `Set-Cookie`, base64 always honoured.
 */
export function parseProxyResponseV2(payload: string): ProxyResponse | null {
  const p = parse(payload)
  if (!p.ok) return null
  const r = p.value
  if (!isObject(r) || !('statusCode' in r)) {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: typeof r === 'string' ? r : payload.trim() === '' ? '' : JSON.stringify(r) }
  }
  const code = status(r['statusCode'])
  if (code === null || r['statusCode'] === null) return null
  const headers = Object.create(null) as Record<string, string | string[]>
  const single = singleHeaders(r['headers'])
  if (single === null) return null
  for (const [name, s] of single) if (s !== null) headers[name] = s
  const cookies = r['cookies']
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === 'string')) return null
    if (cookies.length > 0) headers['set-cookie'] = cookies
  }
  const body = r['body']
  if (body !== undefined && body !== null && typeof body !== 'string') return null
  headers['content-type'] ??= 'application/json'
  if (unsafeHeader(headers) !== undefined) return null // CR/LF in a name or value: malformed (500 on HTTP APIs), never a split
  const out = decode(typeof body === 'string' ? body : '', r['isBase64Encoded'] === true)
  if (out === null) return null
  return { status: code, headers, body: out }
}
