import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '@gw/core'
import { ADAPTERS, startAdapter, type AdapterName, type RunningAdapter } from './support/adapters.js'
import { echoPipeline, newProbe } from './support/echo-pipeline.js'
import { chunked, rawRequest, type RawResponse } from './support/raw-http.js'

/**
 * ONE table, six adapters (node:http, fetch via @hono/node-server, Express,
 * Koa, Fastify, Hono via @gw/hono), real sockets. Every row must give the same status, headers
 * and body on all six. Headers left out of the comparison because the host
 * owns them: `date`, `connection`, `keep-alive`, `x-powered-by` (Express),
 * `transfer-encoding` vs `content-length` framing of streamed bodies (body
 * bytes are still compared). Request ids are compared by shape (§12.5).
 */
const HOST_HEADERS = new Set(['date', 'connection', 'keep-alive', 'x-powered-by', 'transfer-encoding'])
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const SHORT_ID = /^[A-Za-z0-9+/]{15}=$/
const TEN_MB = 10 * 1024 * 1024
const CLIENT_UUID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'

function normalize(res: RawResponse, keepIds: boolean): { status: number; headers: Record<string, string | string[]>; body: string } {
  const headers: Record<string, string | string[]> = {}
  const streamed = res.chunked
  for (const name of Object.keys(res.headers).sort()) {
    if (HOST_HEADERS.has(name)) continue
    if (streamed && name === 'content-length') continue
    let value = res.headers[name] as string | string[]
    if (!keepIds && (name === 'x-amzn-requestid' || name === 'x-amz-apigw-id' || name === 'apigw-requestid') && typeof value === 'string') {
      value = UUID.test(value) ? '<uuid>' : SHORT_ID.test(value) ? '<short-id>' : `<bad:${value}>`
    }
    headers[name] = value
  }
  return { status: res.status, headers, body: res.body.toString('base64') }
}

interface Row {
  readonly name: string
  readonly lines: readonly string[]
  readonly body?: Buffer
  readonly status: number
  /** Checks on the decoded response (run for every adapter). */
  readonly check?: (res: RawResponse) => void
  readonly keepIds?: boolean
}

const get = (target: string, ...headers: string[]): string[] => [`GET ${target} HTTP/1.1`, 'Host: gw.test', ...headers, 'Connection: close']
const json = (res: RawResponse): unknown => JSON.parse(res.body.toString('utf8'))
const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256))
const limitBody = Buffer.alloc(TEN_MB, 0x61)
const overBody = Buffer.alloc(TEN_MB + 1, 0x61)

const rows: Row[] = [
  { name: '§12.1 unknown path → 403 MISSING_AUTHENTICATION_TOKEN', lines: get('/nope'), status: 403, check: (r) => expect(json(r)).toEqual({ message: 'Missing Authentication Token' }) },
  { name: '§12.1 THROTTLED → 429 TooManyRequestsException', lines: get('/error/THROTTLED'), status: 429, check: (r) => expect(r.headers['x-amzn-errortype']).toBe('TooManyRequestsException') },
  { name: '§12.1 ACCESS_DENIED uses the Message key', lines: get('/error/ACCESS_DENIED'), status: 403, check: (r) => expect(json(r)).toEqual({ Message: 'User is not authorized to access this resource' }) },
  { name: '§12.1 AUTHORIZER_CONFIGURATION_ERROR renders JSON null', lines: get('/error/AUTHORIZER_CONFIGURATION_ERROR'), status: 500, check: (r) => expect(r.body.toString()).toBe('{"message":null}') },
  { name: '§12.1 REQUEST_TOO_LARGE rejection', lines: get('/error/REQUEST_TOO_LARGE'), status: 413 },
  { name: 'handler throws → 500 Internal server error, no stack', lines: get('/throw'), status: 500, check: (r) => expect(r.body.toString()).toBe('{"message":"Internal server error"}') },
  { name: 'GET echo', lines: get('/echo', 'X-Test: one'), status: 200, check: (r) => expect(json(r)).toMatchObject({ method: 'GET', path: '/echo', headers: { 'x-test': 'one' } }) },
  {
    name: '§1.2 query arrays and decoding',
    lines: get('/echo?a=1&a=2&b=x%20y&c&d=%E2%9C%93'),
    status: 200,
    check: (r) => expect(json(r)).toMatchObject({ rawQuery: 'a=1&a=2&b=x%20y&c&d=%E2%9C%93', query: { a: ['1', '2'], b: ['x y'], d: ['✓'] } })
  },
  { name: 'HEAD sends headers only', lines: ['HEAD /unicode HTTP/1.1', 'Host: gw.test', 'Connection: close'], status: 200, check: (r) => expect(r.body.length).toBe(0) },
  { name: 'HEAD on a streamed body sends no body', lines: ['HEAD /stream HTTP/1.1', 'Host: gw.test', 'Connection: close'], status: 200, check: (r) => expect(r.body.length).toBe(0) },
  { name: 'binary response body', lines: get('/binary'), status: 200, check: (r) => expect([...r.body]).toEqual(Array.from({ length: 256 }, (_, i) => i)) },
  { name: 'streamed response (node Readable)', lines: get('/stream'), status: 200, check: (r) => expect(r.body.toString()).toBe('chunk-1;chunk-2;chunk-3') },
  { name: 'streamed response (web ReadableStream)', lines: get('/webstream'), status: 200, check: (r) => expect(r.body.toString()).toBe('web-1;web-2') },
  { name: 'set-cookie list stays two headers', lines: get('/cookies'), status: 200, check: (r) => expect(r.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']) },
  { name: '204 without body', lines: get('/empty'), status: 204, check: (r) => expect(r.body.length).toBe(0) },
  { name: 'unicode response body (utf-8)', lines: get('/unicode'), status: 200, check: (r) => expect(r.body.toString('utf8')).toBe('héllo wörld ✓ 日本') },
  { name: 'latin1 request header value', lines: get('/echo', 'X-Unicode: café'), status: 200, check: (r) => expect(json(r)).toMatchObject({ headers: { 'x-unicode': 'café' } }) },
  {
    name: '§3.2 hop-by-hop headers and Connection-listed names are hidden',
    lines: ['GET /echo HTTP/1.1', 'Host: gw.test', 'Connection: close, X-Drop', 'Keep-Alive: timeout=5', 'TE: trailers', 'X-Drop: 1', 'X-Keep: 2'],
    status: 200,
    check: (r) => expect(json(r)).toEqual({ method: 'GET', path: '/echo', rawQuery: '', query: {}, headers: { 'x-keep': '2' } })
  },
  {
    name: 'binary request body with Content-Length',
    lines: ['POST /body HTTP/1.1', 'Host: gw.test', 'Content-Type: application/octet-stream', `Content-Length: ${binary.length}`, 'Connection: close'],
    body: binary,
    status: 200,
    check: (r) => expect(json(r)).toMatchObject({ length: 4096 })
  },
  {
    name: 'chunked request body',
    lines: ['POST /body HTTP/1.1', 'Host: gw.test', 'Transfer-Encoding: chunked', 'Connection: close'],
    body: chunked(binary, 1000),
    status: 200,
    check: (r) => expect(json(r)).toMatchObject({ length: 4096 })
  },
  { name: 'empty POST body', lines: ['POST /body HTTP/1.1', 'Host: gw.test', 'Content-Length: 0', 'Connection: close'], status: 200, check: (r) => expect(json(r)).toMatchObject({ length: 0 }) },
  {
    name: '§15 body of exactly 10 MB is accepted',
    lines: ['POST /body HTTP/1.1', 'Host: gw.test', `Content-Length: ${TEN_MB}`, 'Connection: close'],
    body: limitBody,
    status: 200,
    check: (r) => expect(json(r)).toMatchObject({ length: TEN_MB })
  },
  {
    name: '§15 10 MB + 1 byte with Content-Length → 413',
    lines: ['POST /body HTTP/1.1', 'Host: gw.test', `Content-Length: ${TEN_MB + 1}`, 'Connection: close'],
    body: overBody,
    status: 413,
    check: (r) => {
      expect(r.body.toString()).toBe('{"message":"Request Too Long"}')
      expect(r.headers['x-amzn-errortype']).toBe('RequestTooLargeException')
    }
  },
  {
    name: '§15 10 MB + 1 byte chunked → 413',
    lines: ['POST /body HTTP/1.1', 'Host: gw.test', 'Transfer-Encoding: chunked', 'Connection: close'],
    body: chunked(overBody),
    status: 413
  },
  {
    name: '§15 front door: 10 MB + 1 by Content-Length to a handler that never reads → 413 unread',
    lines: ['POST /echo HTTP/1.1', 'Host: gw.test', `Content-Length: ${TEN_MB + 1}`, 'Connection: close'],
    body: overBody,
    status: 413,
    check: (r) => expect(r.body.toString()).toBe('{"message":"Request Too Long"}')
  },
  {
    name: '§15 front door: 10 MB + 1 chunked to a handler that never reads → 413',
    lines: ['POST /echo HTTP/1.1', 'Host: gw.test', 'Transfer-Encoding: chunked', 'Connection: close'],
    body: chunked(overBody),
    status: 413,
    check: (r) => expect(r.body.toString()).toBe('{"message":"Request Too Long"}')
  },
  {
    name: '§15 front door: chunked body within the limit, unread → the handler answers',
    lines: ['POST /echo HTTP/1.1', 'Host: gw.test', 'Transfer-Encoding: chunked', 'Connection: close'],
    body: chunked(binary, 100),
    status: 200
  },
  {
    name: '§15 a chunked body taken as a stream (proxies) is cut at 10 MB → 413',
    lines: ['POST /stream-body HTTP/1.1', 'Host: gw.test', 'Transfer-Encoding: chunked', 'Connection: close'],
    body: chunked(overBody),
    status: 413,
    check: (r) => expect(r.body.toString()).toBe('{"message":"Request Too Long"}')
  },
  {
    name: 'a chunked body taken as a stream within the limit',
    lines: ['POST /stream-body HTTP/1.1', 'Host: gw.test', 'Transfer-Encoding: chunked', 'Connection: close'],
    body: chunked(binary, 1000),
    status: 200,
    check: (r) => expect(json(r)).toEqual({ length: 4096 })
  },
  {
    name: '§15 URL of 10,240 characters is served',
    lines: get(`/echo?q=${'u'.repeat(10_240 - '/echo?q='.length)}`),
    status: 200
  },
  {
    name: '§15 URL of 10,241 characters → 414',
    lines: get(`/echo?q=${'u'.repeat(10_241 - '/echo?q='.length)}`),
    status: 414,
    check: (r) => {
      expect(r.body.toString()).toBe('{"message":"URI Too Long"}')
      expect(r.headers['x-amzn-errortype']).toBe('BadRequestException')
    }
  },
  {
    // Host "gw.test" (7) + "close" (5) + X-Big = 10,240 bytes of values.
    name: '§15 header values totalling 10,240 bytes are served',
    lines: get('/echo', `X-Big: ${'h'.repeat(10_240 - 12)}`),
    status: 200
  },
  {
    name: '§15 header values totalling 10,241 bytes → 431',
    lines: get('/echo', `X-Big: ${'h'.repeat(10_241 - 12)}`),
    status: 431,
    check: (r) => expect(r.body.toString()).toBe('{"message":"Request Header Fields Too Large"}')
  },
  {
    name: '§15 many small headers over 10,240 bytes in total → 431',
    lines: get('/echo', ...Array.from({ length: 120 }, (_, i) => `X-H${i}: ${'v'.repeat(90)}`)),
    status: 431
  },
  {
    name: 'a response header value holding CR/LF → 500 API_CONFIGURATION_ERROR, nothing injected, no reset',
    lines: get('/split?q=a%0D%0AInjected:%20yes'),
    status: 500,
    check: (r) => {
      expect(r.body.toString()).toBe('{"message":"Internal server error"}')
      expect(r.headers['injected']).toBeUndefined()
      expect(r.headers['x-echo']).toBeUndefined()
    }
  },
  { name: 'a plain response header value is written', lines: get('/split?q=plain'), status: 200, check: (r) => expect(r.headers['x-echo']).toBe('plain') },
  {
    name: 'duplicate Host → 400 BadRequestException',
    lines: ['GET /echo HTTP/1.1', 'Host: gw.test', 'Host: evil.test', 'Connection: close'],
    status: 400,
    check: (r) => {
      expect(r.body.toString()).toBe('{"message":"Bad Request"}')
      expect(r.headers['x-amzn-errortype']).toBe('BadRequestException')
    }
  },
  {
    name: '§12.5 client x-amzn-RequestId UUID is kept',
    lines: get('/error/UNAUTHORIZED', `x-amzn-RequestId: ${CLIENT_UUID}`),
    status: 401,
    keepIds: false,
    check: (r) => expect(r.headers['x-amzn-requestid']).toBe(CLIENT_UUID)
  },
  { name: '§12.5 non-UUID x-amzn-RequestId is replaced', lines: get('/error/UNAUTHORIZED', 'x-amzn-RequestId: not-a-uuid'), status: 401, check: (r) => expect(r.headers['x-amzn-requestid']).toMatch(UUID) }
]

const running = new Map<AdapterName, RunningAdapter>()

beforeAll(async () => {
  for (const name of ADAPTERS) running.set(name, await startAdapter(name, echoPipeline(newProbe()), { logger: silentLogger }))
})
afterAll(async () => {
  for (const adapter of running.values()) await adapter.close()
})

describe('adapter conformance: one table, six adapters, identical answers', () => {
  it('has at least 20 rows', () => expect(rows.length).toBeGreaterThanOrEqual(20))

  it.each(rows)('$name', async (row) => {
    const results = new Map<AdapterName, ReturnType<typeof normalize>>()
    for (const name of ADAPTERS) {
      const adapter = running.get(name) as RunningAdapter
      const res = await rawRequest(adapter.url, row.lines, row.body)
      expect(res.status, `${name}: status`).toBe(row.status)
      row.check?.(res)
      if (name !== 'fetch' && name !== 'hono' && res.headers['x-amzn-errortype'] !== undefined) expect(res.wireNames, `${name}: AWS casing on the wire`).toContain('x-amzn-ErrorType')
      results.set(name, normalize(res, row.keepIds ?? false))
    }
    const reference = results.get('node')
    for (const name of ADAPTERS) expect(results.get(name), `${name} differs from node`).toEqual(reference)
  })
})
