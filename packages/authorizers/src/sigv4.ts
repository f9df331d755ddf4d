import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { GatewayResponseType } from '@gw/core'
import { LRUCache } from 'lru-cache'

/**
 * AWS Signature Version 4 verification (aws-semantics §10.8), header form
 * and presigned query form. The canonical request is built exactly as AWS
 * builds it for non-S3 services: path normalized (`.`/`..` removed, `//`
 * collapsed) and each segment URI-encoded again ("double encoding"), query
 * pairs decoded, RFC 3986-encoded and sorted by name then value, signed
 * headers lower-cased, trimmed, inner whitespace collapsed, repeats joined
 * with `,`. Signatures are compared in constant time.
 */

/** The request as received. */
export interface SigV4Request {
  readonly method: string
  /** Raw path as on the wire (no query). */
  readonly path: string
  /** Raw query string without `?`. */
  readonly query: string
  /** `[name, value, name, value, …]` as received (node's `rawHeaders`). */
  readonly rawHeaders: readonly string[]
  /** Hex SHA-256 of the body (`EMPTY_SHA256` for none). */
  readonly payloadHash: string
}

/** Hex SHA-256 of the empty string. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
/** Allowed clock skew (§10.8: 5 minutes). */
export const MAX_SKEW_MS = 5 * 60 * 1000
/** Longest presigned validity, seconds (§10.8: 604800). */
export const MAX_PRESIGN_EXPIRES = 604_800

/** A parsed signature, before it is checked. */
export interface ParsedSignature {
  readonly presigned: boolean
  readonly accessKeyId: string
  /** `yyyymmdd/region/service/aws4_request`. */
  readonly scope: string
  readonly scopeDate: string
  readonly region: string
  readonly service: string
  readonly signedHeaders: string
  readonly signedHeaderList: readonly string[]
  readonly signature: string
  /** ISO 8601 basic (`20150830T123600Z`). */
  readonly amzDate: string
  readonly timeMs: number
  /** Presigned: seconds of validity. */
  readonly expires: number
  /** `X-Amz-Security-Token` (header or query). */
  readonly securityToken: string | undefined
}

/** A rejection: the gateway-response type, its message and the `x-amzn-ErrorType` AWS sends. */
export interface SigV4Failure {
  readonly ok: false
  readonly type: GatewayResponseType
  readonly message: string
  readonly errorType: string
}

const fail = (type: GatewayResponseType, message: string, errorType: string): SigV4Failure => ({ ok: false, type, message, errorType })

/** No Authorization header and no presigned query → 403 Missing Authentication Token (§10.8). */
export const MISSING_TOKEN: SigV4Failure = fail('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token', 'MissingAuthenticationTokenException')

function headerValue(raw: readonly string[], lower: string): string | undefined {
  let out: string | undefined
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() !== lower) continue
    const v = (raw[i + 1] as string).trim()
    out = out === undefined ? v : `${out},${v}`
  }
  return out
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

function parseAmzDate(s: string): number {
  const m = AMZ_DATE.exec(s)
  if (m === null) return Number.NaN
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
}

/** `20150830T123600Z` from ms. */
export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}

/** Parses the Authorization header or the presigned query; `undefined` when the request carries neither. */
export function parseSignature(req: SigV4Request): ParsedSignature | SigV4Failure | undefined {
  const auth = headerValue(req.rawHeaders, 'authorization')
  if (auth !== undefined) return parseHeaderForm(req, auth)
  if (req.query.includes('X-Amz-Algorithm=') || req.query.includes('X-Amz-Signature=')) return parseQueryForm(req)
  return undefined
}

function parseHeaderForm(req: SigV4Request, auth: string): ParsedSignature | SigV4Failure {
  if (!auth.startsWith('AWS4-HMAC-SHA256 ')) {
    return fail('INVALID_SIGNATURE', `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${auth}`, 'IncompleteSignatureException')
  }
  const fields: Record<string, string> = Object.create(null) as Record<string, string>
  for (const part of auth.slice(17).split(',')) {
    const p = part.trim()
    const eq = p.indexOf('=')
    if (eq > 0) fields[p.slice(0, eq)] = p.slice(eq + 1)
  }
  const amz = headerValue(req.rawHeaders, 'x-amz-date')
  const dateHeader = amz === undefined ? headerValue(req.rawHeaders, 'date') : undefined
  const missing: string[] = []
  if (fields.Credential === undefined) missing.push("Authorization header requires 'Credential' parameter.")
  if (fields.Signature === undefined) missing.push("Authorization header requires 'Signature' parameter.")
  if (fields.SignedHeaders === undefined) missing.push("Authorization header requires 'SignedHeaders' parameter.")
  if (amz === undefined && dateHeader === undefined) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
  if (missing.length > 0) return fail('INVALID_SIGNATURE', `${missing.join(' ')} Authorization=${auth}`, 'IncompleteSignatureException')
  const amzDate = amz ?? (Number.isNaN(Date.parse(dateHeader as string)) ? '' : formatAmzDate(Date.parse(dateHeader as string)))
  return finishParse(req, false, fields.Credential as string, fields.SignedHeaders as string, fields.Signature as string, amzDate, 0, headerValue(req.rawHeaders, 'x-amz-security-token'))
}

function parseQueryForm(req: SigV4Request): ParsedSignature | SigV4Failure {
  const q: Record<string, string> = Object.create(null) as Record<string, string>
  for (const pair of req.query.split('&')) {
    const eq = pair.indexOf('=')
    const name = eq === -1 ? pair : pair.slice(0, eq)
    if (name.startsWith('X-Amz-')) q[name] = decode(eq === -1 ? '' : pair.slice(eq + 1))
  }
  const missing: string[] = []
  for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date']) {
    if (q[name] === undefined) missing.push(`AWS query-string parameters must include '${name}'.`)
  }
  if (missing.length > 0) return fail('INVALID_SIGNATURE', `${missing.join(' ')} Re-examine the query-string parameters.`, 'IncompleteSignatureException')
  if (q['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256') return fail('INVALID_SIGNATURE', `Unsupported AWS 'algorithm': '${q['X-Amz-Algorithm'] as string}'`, 'IncompleteSignatureException')
  const expires = q['X-Amz-Expires'] === undefined ? MAX_PRESIGN_EXPIRES : Number(q['X-Amz-Expires'])
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_EXPIRES) {
    return fail('INVALID_SIGNATURE', `X-Amz-Expires must be between 1 and ${MAX_PRESIGN_EXPIRES} seconds`, 'IncompleteSignatureException')
  }
  return finishParse(req, true, q['X-Amz-Credential'] as string, q['X-Amz-SignedHeaders'] as string, q['X-Amz-Signature'] as string, q['X-Amz-Date'] as string, expires, q['X-Amz-Security-Token'])
}

function finishParse(
  _req: SigV4Request,
  presigned: boolean,
  credential: string,
  signedHeaders: string,
  signature: string,
  amzDate: string,
  expires: number,
  securityToken: string | undefined
): ParsedSignature | SigV4Failure {
  const parts = credential.split('/')
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || (parts[0] as string).length === 0) {
    return fail('INVALID_SIGNATURE', `Credential should be scoped to a valid region, not '${parts[2] ?? ''}'. Credential=${credential}`, 'IncompleteSignatureException')
  }
  const timeMs = parseAmzDate(amzDate)
  if (Number.isNaN(timeMs)) return fail('INVALID_SIGNATURE', `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`, 'IncompleteSignatureException')
  const signedHeaderList = signedHeaders.split(';')
  return {
    presigned,
    accessKeyId: parts[0] as string,
    scope: parts.slice(1).join('/'),
    scopeDate: parts[1] as string,
    region: parts[2] as string,
    service: parts[3] as string,
    signedHeaders,
    signedHeaderList,
    signature,
    amzDate,
    timeMs,
    expires,
    securityToken
  }
}

/** Checks scope (date, region, service), required signed headers and time (skew, presigned expiry). */
export function checkScopeAndTime(p: ParsedSignature, region: string, service: string, nowMs: number): SigV4Failure | undefined {
  if (p.scopeDate !== p.amzDate.slice(0, 8)) {
    return fail('INVALID_SIGNATURE', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${p.scopeDate}' != '${p.amzDate.slice(0, 8)}', from '${p.amzDate}'.`, 'InvalidSignatureException')
  }
  if (p.region !== region) return fail('INVALID_SIGNATURE', `Credential should be scoped to a valid region, not '${p.region}'. `, 'InvalidSignatureException')
  if (p.service !== service) return fail('INVALID_SIGNATURE', `Credential should be scoped to correct service: '${service}'. `, 'InvalidSignatureException')
  if (!p.signedHeaderList.includes('host')) return fail('INVALID_SIGNATURE', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", 'InvalidSignatureException')
  if (p.presigned) {
    if (nowMs > p.timeMs + p.expires * 1000) {
      return fail('INVALID_SIGNATURE', `Signature expired: ${p.amzDate} is now earlier than ${formatAmzDate(nowMs - p.expires * 1000)} (${formatAmzDate(nowMs)} - ${p.expires} sec.)`, 'InvalidSignatureException')
    }
    if (p.timeMs > nowMs + MAX_SKEW_MS) {
      return fail('INVALID_SIGNATURE', `Signature not yet current: ${p.amzDate} is still later than ${formatAmzDate(nowMs + MAX_SKEW_MS)} (${formatAmzDate(nowMs)} + 5 min.)`, 'InvalidSignatureException')
    }
    return undefined
  }
  if (p.timeMs < nowMs - MAX_SKEW_MS) {
    return fail('INVALID_SIGNATURE', `Signature expired: ${p.amzDate} is now earlier than ${formatAmzDate(nowMs - MAX_SKEW_MS)} (${formatAmzDate(nowMs)} - 5 min.)`, 'InvalidSignatureException')
  }
  if (p.timeMs > nowMs + MAX_SKEW_MS) {
    return fail('INVALID_SIGNATURE', `Signature not yet current: ${p.amzDate} is still later than ${formatAmzDate(nowMs + MAX_SKEW_MS)} (${formatAmzDate(nowMs)} + 5 min.)`, 'InvalidSignatureException')
  }
  return undefined
}

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/

/** RFC 3986 encoding of SigV4: unreserved `A-Za-z0-9-._~` kept, everything else `%XX` upper-case. */
export function uriEncode(s: string): string {
  if (UNRESERVED.test(s)) return s
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function decode(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

/** Canonical URI: normalized path, each segment encoded again (non-S3 rule), `/` when empty. */
export function canonicalUri(path: string): string {
  if (path === '/' || path === '') return '/'
  const out: string[] = []
  const segments = path.split('/')
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string
    if (seg === '' || seg === '.') continue
    if (seg === '..') out.pop()
    else out.push(uriEncode(seg))
  }
  if (out.length === 0) return '/'
  const last = segments[segments.length - 1]
  const trailing = last === '' || last === '.' || last === '..'
  return `/${out.join('/')}${trailing ? '/' : ''}`
}

/** Canonical query: decoded, re-encoded, sorted by name then value; `X-Amz-Signature` left out when presigned. */
export function canonicalQuery(query: string, presigned: boolean): string {
  if (query.length === 0) return ''
  const pairs: [string, string][] = []
  for (const pair of query.split('&')) {
    if (pair.length === 0) continue
    const eq = pair.indexOf('=')
    const rawName = eq === -1 ? pair : pair.slice(0, eq)
    if (presigned && rawName === 'X-Amz-Signature') continue
    pairs.push([uriEncode(decode(rawName)), uriEncode(decode(eq === -1 ? '' : pair.slice(eq + 1)))])
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  let out = ''
  for (let i = 0; i < pairs.length; i++) out += `${i === 0 ? '' : '&'}${(pairs[i] as [string, string])[0]}=${(pairs[i] as [string, string])[1]}`
  return out
}

const SPACES = /\s+/g

/** Canonical headers block (each `name:value\n`) for the signed header names, in their given order. */
export function canonicalHeaders(rawHeaders: readonly string[], signed: readonly string[]): string {
  let out = ''
  for (const name of signed) {
    let value: string | undefined
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      if ((rawHeaders[i] as string).toLowerCase() !== name) continue
      const v = (rawHeaders[i + 1] as string).trim().replace(SPACES, ' ')
      value = value === undefined ? v : `${value},${v}`
    }
    out += `${name}:${value ?? ''}\n`
  }
  return out
}

/** The canonical request of §10.8 step 1. */
export function canonicalRequest(req: SigV4Request, p: ParsedSignature): string {
  const declared = headerValue(req.rawHeaders, 'x-amz-content-sha256')
  const payload = declared === 'UNSIGNED-PAYLOAD' ? declared : req.payloadHash
  return `${req.method}\n${canonicalUri(req.path)}\n${canonicalQuery(req.query, p.presigned)}\n${canonicalHeaders(req.rawHeaders, p.signedHeaderList)}\n${p.signedHeaders}\n${payload}`
}

/** The string to sign of §10.8 step 2. */
export function stringToSign(p: ParsedSignature, creq: string): string {
  return `AWS4-HMAC-SHA256\n${p.amzDate}\n${p.scope}\n${createHash('sha256').update(creq).digest('hex')}`
}

// Signing keys change once a day per secret/region/service: derive once (4 HMACs saved per request).
const signingKeys = new LRUCache<string, Buffer>({ max: 1024 })

/** Hex signature of `sts` with the derived key of §10.8 step 3. */
export function computeSignature(secret: string, p: ParsedSignature, sts: string): string {
  const cacheKey = `${p.scopeDate}/${p.region}/${p.service}\u0000${secret}`
  let key = signingKeys.get(cacheKey)
  if (key === undefined) {
    const kDate = createHmac('sha256', `AWS4${secret}`).update(p.scopeDate).digest()
    const kRegion = createHmac('sha256', kDate).update(p.region).digest()
    const kService = createHmac('sha256', kRegion).update(p.service).digest()
    key = createHmac('sha256', kService).update('aws4_request').digest()
    signingKeys.set(cacheKey, key)
  }
  return createHmac('sha256', key).update(sts).digest('hex')
}

/** Constant-time comparison of two hex signatures. */
export function signaturesEqual(expected: string, provided: string): boolean {
  if (provided.length !== expected.length) return false
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(provided, 'latin1'))
}

/** The INVALID_SIGNATURE body of §10.8 with the canonical request and string to sign. */
export function mismatchFailure(creq: string, sts: string): SigV4Failure {
  return fail(
    'INVALID_SIGNATURE',
    `The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'${creq}'\n\nThe String-to-Sign should have been\n'${sts}'\n`,
    'InvalidSignatureException'
  )
}

/** Settings of `verifySigV4`. */
export interface VerifySigV4Options {
  /** Expected credential-scope region. */
  readonly region: string
  /** Expected service. @default 'execute-api' */
  readonly service?: string
  /** Now, ms since epoch. */
  readonly now: number
  /** Secret access key of an access key id; `undefined` when unknown. */
  readonly secretFor: (accessKeyId: string) => string | undefined
}

/** Outcome of `verifySigV4`. */
export type SigV4Outcome = { ok: true; parsed: ParsedSignature } | SigV4Failure

/**
 * Verifies a request's SigV4 signature end to end (no credentials provider,
 * no policy): the building block under `iamAuthorizer()`, usable alone.
 * @example
 * const r = verifySigV4({ method: 'GET', path: '/', query: '', rawHeaders, payloadHash: EMPTY_SHA256 }, { region: 'us-east-1', now: Date.now(), secretFor: (id) => secrets.get(id) })
 */
export function verifySigV4(req: SigV4Request, options: VerifySigV4Options): SigV4Outcome {
  const parsed = parseSignature(req)
  if (parsed === undefined) return MISSING_TOKEN
  if ('ok' in parsed) return parsed
  const bad = checkScopeAndTime(parsed, options.region, options.service ?? 'execute-api', options.now)
  if (bad !== undefined) return bad
  const secret = options.secretFor(parsed.accessKeyId)
  if (secret === undefined) return UNRECOGNIZED_CLIENT
  return checkSignature(req, parsed, secret) ?? { ok: true, parsed }
}

/** Unknown access key (§10.8). */
export const UNRECOGNIZED_CLIENT: SigV4Failure = fail('INVALID_SIGNATURE', 'The security token included in the request is invalid.', 'UnrecognizedClientException')

/** Recomputes the signature; a failure when it differs. */
export function checkSignature(req: SigV4Request, parsed: ParsedSignature, secret: string): SigV4Failure | undefined {
  const creq = canonicalRequest(req, parsed)
  const sts = stringToSign(parsed, creq)
  return signaturesEqual(computeSignature(secret, parsed, sts), parsed.signature) ? undefined : mismatchFailure(creq, sts)
}
