import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { canonicalRequest, stringToSign, verifySigV4, type ParsedSignature, type SigV4Request } from '@gw/authorizers'

/**
 * The AWS SigV4 test suite (test/sigv4-vectors, copied from the public suite
 * with its LICENSE/NOTICE): credentials AKIDEXAMPLE /
 * wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830T123600Z, us-east-1,
 * service `service`. Every vector's signed request (.sreq) verifies, our
 * canonical request equals .creq and our string to sign equals .sts; a
 * one-byte change anywhere fails.
 */
const DIR = join(import.meta.dirname, 'sigv4-vectors')
const NOW = Date.UTC(2015, 7, 30, 12, 36, 0)
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
const options = { region: 'us-east-1', service: 'service', now: NOW, secretFor: (id: string) => (id === 'AKIDEXAMPLE' ? SECRET : undefined) }

interface Vector {
  name: string
  req: SigV4Request
  body: string
  creq: string
  sts: string
}

/** Parses a raw HTTP request file; folded header lines (obs-fold) become further values of the header. */
function parseRequest(text: string): { req: SigV4Request; body: string } {
  const lines = text.split('\n')
  const first = lines[0] as string
  const method = first.slice(0, first.indexOf(' '))
  const target = first.slice(first.indexOf(' ') + 1, first.lastIndexOf(' HTTP/1.1'))
  const q = target.indexOf('?')
  const rawHeaders: string[] = []
  let i = 1
  for (; i < lines.length; i++) {
    const line = lines[i] as string
    if (line === '') break
    if (/^\s/.test(line)) {
      rawHeaders.push(rawHeaders[rawHeaders.length - 2] as string, line.trim())
      continue
    }
    const colon = line.indexOf(':')
    rawHeaders.push(line.slice(0, colon), line.slice(colon + 1))
  }
  const body = lines.slice(i + 1).join('\n')
  return {
    body,
    req: {
      method,
      path: q === -1 ? target : target.slice(0, q),
      query: q === -1 ? '' : target.slice(q + 1),
      rawHeaders,
      payloadHash: createHash('sha256').update(body).digest('hex')
    }
  }
}

/** Vectors whose published files contradict each other (see the test below). */
const BROKEN_IN_SUITE: Record<string, string> = { 'post-x-www-form-urlencoded-parameters': '.authz signs content-length but .sts was computed without it and over charset=utf8' }

const vectors: Vector[] = readdirSync(DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => {
    const read = (ext: string): string => readFileSync(join(DIR, d.name, `${d.name}.${ext}`), 'utf8')
    // .req + .authz is the signed request (the .sreq of the form-urlencoded cases drops Content-Length);
    // post-sts-header-after's .sreq adds the unsigned X-Amz-Security-Token after signing, so use it.
    const { req, body } = d.name === 'post-sts-header-after' ? parseRequest(read('sreq')) : parseRequest(read('req'))
    const signed = d.name === 'post-sts-header-after' ? req : { ...req, rawHeaders: [...req.rawHeaders, 'Authorization', read('authz')] }
    return { name: d.name, req: signed, body, creq: read('creq'), sts: read('sts') }
  })

function withHeader(req: SigV4Request, lower: string, change: (v: string) => string): SigV4Request {
  const raw = [...req.rawHeaders]
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === lower) {
      raw[i + 1] = change(raw[i + 1] as string)
      break
    }
  }
  return { ...req, rawHeaders: raw }
}

const flipLast = (s: string): string => {
  const last = s[s.length - 1]
  if (last === '/' || last === undefined) return `${s}a`
  return s.slice(0, -1) + (last === 'a' ? 'b' : 'a')
}

describe('AWS SigV4 test suite (§10.8)', () => {
  it('has every vector of the suite (31 requests, incl. normalize-path and post-sts-token)', () => {
    expect(vectors.map((v) => v.name)).toEqual(
      expect.arrayContaining(['get-vanilla', 'get-vanilla-query-order-key-case', 'get-vanilla-query-order-value', 'post-x-www-form-urlencoded', 'get-slashes', 'get-relative-relative', 'get-space', 'post-sts-header-after'])
    )
    expect(vectors).toHaveLength(31)
  })

  const applicable = vectors.filter((v) => !(v.name in BROKEN_IN_SUITE))

  it.each(applicable.map((v) => [v.name, v] as const))('%s verifies; string to sign (and canonical request) match the suite', (_name, v) => {
    const out = verifySigV4(v.req, options)
    expect(out).toMatchObject({ ok: true })
    const parsed = (out as { parsed: ParsedSignature }).parsed
    const creq = canonicalRequest(v.req, parsed)
    expect(stringToSign(parsed, creq)).toBe(v.sts)
    // post-x-www-form-urlencoded's published .creq lists content-length, which its .authz does not sign;
    // its .sts (checked above) hashes the canonical request without it, which is what we build.
    if (createHash('sha256').update(v.creq).digest('hex') === v.sts.split('\n')[3]) expect(creq).toBe(v.creq)
  })

  it('post-x-www-form-urlencoded-parameters is inconsistent in the published suite (its .sts was signed over charset=utf8 without content-length), so it is not applicable', () => {
    const v = vectors.find((x) => x.name === 'post-x-www-form-urlencoded-parameters') as Vector
    expect(createHash('sha256').update(v.creq).digest('hex')).not.toBe(v.sts.split('\n')[3])
    expect(verifySigV4(v.req, options).ok).toBe(false)
    // With the request the suite actually signed, it verifies.
    const fixed = { ...v.req, rawHeaders: v.req.rawHeaders.map((h) => h.replace('charset=utf-8', 'charset=utf8').replace('content-length;', '')) }
    expect(verifySigV4(fixed, options)).toMatchObject({ ok: true })
  })

  const mutations: [string, (v: Vector) => SigV4Request | undefined][] = [
    ['signature', (v) => withHeader(v.req, 'authorization', (a) => flipLast(a))],
    ['host header', (v) => withHeader(v.req, 'host', (h) => `f${h.slice(1)}`)],
    ['x-amz-date header', (v) => withHeader(v.req, 'x-amz-date', (d) => d.replace('36', '37'))],
    ['path', (v) => ({ ...v.req, path: flipLast(v.req.path) })],
    ['query', (v) => (v.req.query === '' ? undefined : { ...v.req, query: flipLast(v.req.query) })],
    ['body', (v) => (v.body === '' ? undefined : { ...v.req, payloadHash: createHash('sha256').update(flipLast(v.body)).digest('hex') })],
    ['method', (v) => ({ ...v.req, method: v.req.method === 'GET' ? 'PUT' : 'GET' })]
  ]
  const cases = applicable.flatMap((v) => mutations.map(([what, mutate]) => [v.name, what, v, mutate] as const))

  it.each(cases)('%s: one-byte change of the %s fails', (_name, _what, v, mutate) => {
    const req = mutate(v)
    if (req === undefined) return
    const out = verifySigV4(req, options)
    expect(out.ok).toBe(false)
    expect(out).toMatchObject({ type: 'INVALID_SIGNATURE' })
  })

  it('unknown access key → The security token included in the request is invalid.', () => {
    const v = vectors.find((x) => x.name === 'get-vanilla') as Vector
    expect(verifySigV4(v.req, { ...options, secretFor: () => undefined })).toEqual({
      ok: false,
      type: 'INVALID_SIGNATURE',
      message: 'The security token included in the request is invalid.',
      errorType: 'UnrecognizedClientException'
    })
  })
})
