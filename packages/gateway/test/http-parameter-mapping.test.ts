import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { request } from 'undici'
import { createGateway } from '@gw/gateway'
import { start } from './serve.js'

interface Seen {
  url: string
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A real backend: records what it got; `/status/{n}` answers that status; answers JSON with a nested field. */
async function backend(): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() })
      const status = /^\/status\/(\d{3})/.exec(req.url ?? '')?.[1]
      const big = req.url?.includes('big') === true
      // a large body (not collected by the proxy: streamed) when asked, so $response.body must collect it
      const payload = JSON.stringify({ error: { code: 'E42', detail: 'nope' }, pad: big ? 'x'.repeat(200_000) : '' })
      res.writeHead(status === undefined ? 200 : Number(status), { 'content-type': 'application/json', 'x-backend': 'b1', 'x-backend-2': 'b2' })
      res.end(payload)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())))
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, seen }
}

/** One HTTP API on a named stage with variables, the route `POST /items/{id}` proxied with the given mappings. */
async function api(uri: string, requestParameters?: Record<string, string>, responseParameters?: Record<string, Record<string, string>>): Promise<string> {
  const url = await start({
    protocol: 'HTTP',
    name: 'map',
    stages: { dev: { stageVariables: { tier: 'gold' } } },
    routes: {
      'POST /items/{id}': {
        integration: {
          type: 'HTTP_PROXY',
          httpMethod: 'POST',
          uri,
          payloadFormatVersion: '1.0',
          ...(requestParameters === undefined ? {} : { requestParameters }),
          ...(responseParameters === undefined ? {} : { responseParameters })
        }
      }
    }
  })
  return `${url}/dev/items/7`
}

async function post(url: string, body = '{"order":{"lines":[{"sku":"A-1"}],"customer":"c9"}}', headers: Record<string, string | string[]> = {}) {
  const res = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
}

describe('HTTP API request parameter mapping, key forms (aws-semantics §3.7)', () => {
  it.each([
    ['append:header keeps the client value', { 'append:header.x-tag': 'added' }, (s: Seen) => expect(s.headers['x-tag']).toBe('client, added')],
    ['overwrite:header replaces it', { 'overwrite:header.x-tag': 'replaced' }, (s: Seen) => expect(s.headers['x-tag']).toBe('replaced')],
    ['remove:header deletes it', { 'remove:header.x-tag': "''" }, (s: Seen) => expect(s.headers['x-tag']).toBeUndefined()],
    ['append:querystring adds a value', { 'append:querystring.q': 'two' }, (s: Seen) => expect(s.url).toBe('/base?q=one&keep=1&q=two')],
    ['overwrite:querystring replaces every value', { 'overwrite:querystring.q': 'new' }, (s: Seen) => expect(s.url).toBe('/base?keep=1&q=new')],
    ['remove:querystring deletes it', { 'remove:querystring.q': "''" }, (s: Seen) => expect(s.url).toBe('/base?keep=1')],
    ['overwrite:path replaces the integration path', { 'overwrite:path': '/other/path' }, (s: Seen) => expect(s.url).toBe('/other/path?q=one&keep=1')]
  ])('§3.7 %s', async (_n, requestParameters, check) => {
    const up = await backend()
    const url = await api(`${up.url}/base`, requestParameters)
    const r = await post(`${url}?q=one&keep=1`, '{}', { 'x-tag': 'client' })
    expect(r.status).toBe(200)
    check(up.seen[0] as Seen)
  })
})

describe('HTTP API parameter mapping, value sources (§3.7)', () => {
  it.each([
    ['$request.header (case-insensitive name)', '$request.header.X-CLIENT', 'c1'],
    ['$request.header with repeated values, comma-joined', '$request.header.x-multi', 'm1, m2'],
    ['$request.querystring, comma-joined when repeated', '$request.querystring.q', 'one,two'],
    ['$request.body.{jsonpath}', '$request.body.order.lines[0].sku', 'A-1'],
    ['$request.body (whole body)', '$request.body', '{"order":{"lines":[{"sku":"A-1"}],"customer":"c9"}}'],
    ['$request.path (without the stage)', '$request.path', '/items/7'],
    ['$request.path.{param}', '$request.path.id', '7'],
    ['$context.{var}', '$context.stage', 'dev'],
    ['$context.{nested var}', '$context.identity.sourceIp', '127.0.0.1'],
    ['$stageVariables.{name}', '$stageVariables.tier', 'gold'],
    ['static text', 'plain-value', 'plain-value'],
    ['${...} interpolation in a longer string', 'id=${request.path.id};tier=${stageVariables.tier};sku=${request.body.order.lines[0].sku}', 'id=7;tier=gold;sku=A-1']
  ])('§3.7 %s', async (_n, source, expected) => {
    const up = await backend()
    const url = await api(`${up.url}/base`, { 'overwrite:header.x-mapped': source })
    const r = await post(`${url}?q=one&q=two`, undefined, { 'x-client': 'c1', 'x-multi': ['m1', 'm2'] })
    expect(r.status).toBe(200)
    expect((up.seen[0] as Seen).headers['x-mapped']).toBe(expected)
  })

  it('§3.7 a source that resolves to nothing skips the mapping', async () => {
    const up = await backend()
    const url = await api(`${up.url}/base`, { 'overwrite:header.x-mapped': '$request.header.x-absent' })
    await post(url)
    expect((up.seen[0] as Seen).headers['x-mapped']).toBeUndefined()
  })

  it('§3.7 $request.body.{jsonpath} reads only the first 100 KB of the body', async () => {
    const up = await backend()
    const url = await api(`${up.url}/base`, { 'overwrite:header.x-early': '$request.body.early', 'overwrite:header.x-late': '$request.body.late' })
    // "early" ends well inside 100 KB; the document only closes past it, so a parser given 100 KB sees no valid JSON
    const body = `{"early":"e","pad":"${'p'.repeat(110_000)}","late":"l"}`
    const r = await post(url, body)
    expect(r.status).toBe(200)
    const seen = up.seen[0] as Seen
    expect(seen.body).toBe(body) // the whole body still reaches the backend
    expect(seen.headers['x-late']).toBeUndefined()
    expect(seen.headers['x-early']).toBeUndefined() // truncated JSON does not parse: nothing is mapped
    const small = await api(`${up.url}/base`, { 'overwrite:header.x-early': '$request.body.early' })
    await post(small, '{"early":"e","pad":"short"}')
    expect((up.seen[1] as Seen).headers['x-early']).toBe('e')
  })
})

describe('HTTP API response parameter mapping (§3.7), keyed by the integration status', () => {
  it('§3.7 overwrite:statuscode turns the backend 500 into a 403, with headers from $response.header and $context', async () => {
    const up = await backend()
    const url = await api(`${up.url}/status/500`, undefined, {
      '500': { 'overwrite:statuscode': '403', 'append:header.x-from-backend': '$response.header.X-Backend', 'overwrite:header.x-request': '$context.requestId', 'remove:header.x-backend-2': "''" }
    })
    const r = await post(url)
    expect(r.status).toBe(403)
    expect(r.headers['x-from-backend']).toBe('b1')
    expect(r.headers['x-request']).toBe(r.headers['apigw-requestid'])
    expect(r.headers['x-backend-2']).toBeUndefined()
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'E42' } })
  })

  it('§3.7 mappings of other statuses do not apply', async () => {
    const up = await backend()
    const url = await api(`${up.url}/status/200`, undefined, { '500': { 'overwrite:statuscode': '403' } })
    expect((await post(url)).status).toBe(200)
  })

  it.each([
    ['a collected (small) body', '/status/502'],
    ['a streamed (large) body', '/status/502/big']
  ])('§3.7 $response.body.{jsonpath} into a header and a status (%s)', async (_n, path) => {
    const up = await backend()
    const url = await api(`${up.url}${path}`, undefined, { '502': { 'overwrite:header.x-error-code': '$response.body.error.code', 'overwrite:statuscode': '400' } })
    const r = await post(url)
    expect(r.status).toBe(400)
    expect(r.headers['x-error-code']).toBe('E42')
    expect(JSON.parse(r.body)).toMatchObject({ error: { detail: 'nope' } })
  })
})

describe('HTTP API parameter mapping refused at construction (§3.7)', () => {
  it.each([
    ['a reserved header (Authorization)', { 'overwrite:header.Authorization': 'x' }, 'requestParameters["overwrite:header.Authorization"]: header "Authorization" is reserved'],
    ['a reserved header (x-amzn-*)', { 'append:header.x-amzn-trace': 'x' }, 'requestParameters["append:header.x-amzn-trace"]'],
    ['a reserved header (access-control-*)', { 'remove:header.Access-Control-Allow-Origin': "''" }, 'is reserved'],
    ['an unknown key form', { 'replace:header.x': 'x' }, 'requestParameters["replace:header.x"]: the key is not'],
    ['overwrite:statuscode on the request side', { 'overwrite:statuscode': '403' }, 'overwrite:statuscode is a response mapping'],
    ['recursive descent in body JSONPath', { 'overwrite:header.x': '$request.body..sku' }, 'no recursive descent'],
    ['an unknown source', { 'overwrite:header.x': '$request.cookie.x' }, 'not a source']
  ])('%s', (_n, requestParameters, message) => {
    expect(() =>
      createGateway({ protocol: 'HTTP', name: 'bad', routes: { 'GET /x': { integration: { type: 'HTTP_PROXY', uri: 'http://127.0.0.1:1/x', payloadFormatVersion: '1.0', requestParameters } } } })
    ).toThrowError(expect.objectContaining({ code: 'GW_INTEGRATIONS_UNSUPPORTED', message: expect.stringContaining(message) as string }) as Error)
  })

  it('a reserved header in responseParameters is refused with the status and key named', () => {
    expect(() =>
      createGateway({
        protocol: 'HTTP',
        name: 'bad',
        routes: { 'GET /x': { integration: { type: 'HTTP_PROXY', uri: 'http://127.0.0.1:1/x', payloadFormatVersion: '1.0', responseParameters: { '200': { 'overwrite:header.Content-Length': '1' } } } } }
      })
    ).toThrowError(expect.objectContaining({ message: expect.stringContaining('responseParameters["200"]["overwrite:header.Content-Length"]') as string }) as Error)
  })
})
