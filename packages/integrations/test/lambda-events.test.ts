import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { GatewayContext, type RequestSource } from '@gw/core'
import { eventV1, eventV2, type EventSettings } from '@gw/integrations'

const golden = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`golden/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>

function source(method: string, url: string, rawHeaders: string[], body: string | null, protocol: 'http' | 'https' = 'https'): RequestSource {
  const headers: Record<string, string> = {}
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const k = (rawHeaders[i] as string).toLowerCase()
    headers[k] = headers[k] === undefined ? (rawHeaders[i + 1] as string) : `${headers[k]}, ${rawHeaders[i + 1] as string}`
  }
  const buf = body === null ? Buffer.alloc(0) : Buffer.from(body)
  return {
    method, url, headers, rawHeaders, remoteAddress: '203.0.113.9', protocol,
    readBody: () => Promise.resolve(buf),
    stream: () => (body === null ? null : Readable.from([buf])),
    hasBody: body !== null,
    signal: new AbortController().signal
  }
}

const settings: EventSettings = { accountId: '123456789012', isBinary: (ct) => ct === 'image/png', traceId: 'Root=1-6745...' }

/** Compares field by field; `"<any string>"` in the golden file accepts any non-empty string. */
function compare(actual: unknown, expected: unknown, path: string): void {
  if (expected === '<any string>') {
    expect(typeof actual, path).toBe('string')
    expect((actual as string).length, path).toBeGreaterThan(0)
    return
  }
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    expect(actual, path).toBeTypeOf('object')
    expect(Object.keys(actual as object).sort(), `${path} keys`).toEqual(Object.keys(expected).sort())
    for (const [k, v] of Object.entries(expected)) compare((actual as Record<string, unknown>)[k], v, `${path}.${k}`)
    return
  }
  expect(actual, path).toEqual(expected)
}

describe('Lambda proxy events (§2.1, §2.2) against golden files built from the doc', () => {
  it('§2.1 payload 1.0, REST: every field of the doc example', () => {
    const ctx = new GatewayContext(
      source('GET', '/prod/items/42?tag=a&tag=b', ['Host', 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com', 'User-Agent', 'curl/8.5.0', 'x-amzn-requestid', 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef'], null),
      { requestTimeEpoch: 1795547038390 }
    )
    Object.assign(ctx, { apiId: 'a1b2c3d4e5', stage: 'prod', deploymentId: 'x1y2z3', resourceId: 'r4nd0m', resourcePath: '/items/{id}', pathParameters: { id: '42' }, path: '/items/42' })
    const event = eventV1(ctx, null, settings)
    const expected = golden('event-v1-rest.json')
    // the client's own x-amzn-requestid header is forwarded like any other header (§2.1: client headers kept)
    ;(expected['headers'] as Record<string, string>)['x-amzn-requestid'] = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef'
    ;(expected['multiValueHeaders'] as Record<string, string[]>)['x-amzn-requestid'] = ['c6af9ac6-7b61-11e6-9a41-93e8deadbeef']
    compare(event, expected, 'event')
  })

  it('§2.2 payload 2.0, HTTP API: lower-case joined headers, cookies split out, query joined, omitted fields', () => {
    const ctx = new GatewayContext(
      source('POST', '/pets/7?f=1&f=2&q=a%20b', ['Host', 'api.example.com', 'User-Agent', 'curl/8.5.0', 'Content-Type', 'application/json', 'X-Multi', 'one', 'x-multi', 'two', 'Cookie', 'c1=v1; c2=v2', 'Connection', 'keep-alive', 'Content-Length', '14'], '{"name":"rex"}'),
      { requestTimeEpoch: 1795547038390, flavour: 'HTTP' }
    )
    Object.assign(ctx, { apiId: 'a1b2c3d4e5', stage: '$default', routeKey: 'POST /pets/{id}', pathParameters: { id: '7' }, stageVariables: { env: 'test' } })
    compare(eventV2(ctx, Buffer.from('{"name":"rex"}'), settings), golden('event-v2-http.json'), 'event')
  })

  it.each([
    ['§2.1 no query → null query fields, no path params → null, §3.2 Connection/Content-Length discarded', 'REST' as const],
    ['§2.1 HTTP API 1.0 adds version "1.0"', 'HTTP' as const]
  ])('%s', (_n, flavour) => {
    const ctx = new GatewayContext(source('POST', '/x', ['Host', 'h', 'Connection', 'keep-alive', 'Content-Length', '2', 'X-GitHub-Event', 'push'], 'hi'), { flavour })
    const e = eventV1(ctx, Buffer.from('hi'), settings)
    expect(e['queryStringParameters']).toBeNull()
    expect(e['multiValueQueryStringParameters']).toBeNull()
    expect(e['pathParameters']).toBeNull()
    expect(e['stageVariables']).toBeNull()
    expect(Object.keys(e['headers'] as object)).not.toContain('Connection')
    expect(Object.keys(e['headers'] as object)).not.toContain('Content-Length')
    expect((e['headers'] as Record<string, string>)['X-GitHub-Event']).toBe('push') // §18.4 casing kept
    expect(e['version']).toBe(flavour === 'HTTP' ? '1.0' : undefined)
  })

  it.each([
    ['§17.2 REST binary content type → base64', 'REST' as const, 'image/png', true],
    ['§17.2 REST text → as is', 'REST' as const, 'text/plain', false],
    ['§17.3 HTTP API form body → base64', 'HTTP' as const, 'application/x-www-form-urlencoded', true],
    ['§17.3 HTTP API json → text', 'HTTP' as const, 'application/json', false]
  ])('%s', (_n, flavour, type, b64) => {
    const ctx = new GatewayContext(source('POST', '/x', ['Host', 'h', 'Content-Type', type], 'a=b'), { flavour })
    const e = flavour === 'HTTP' ? eventV2(ctx, Buffer.from('a=b'), settings) : eventV1(ctx, Buffer.from('a=b'), settings)
    expect(e['isBase64Encoded']).toBe(b64)
    expect(e['body']).toBe(b64 ? Buffer.from('a=b').toString('base64') : 'a=b')
  })

  it('§2.2 2.0 omits cookies, queryStringParameters, pathParameters, stageVariables, body when absent', () => {
    const ctx = new GatewayContext(source('GET', '/x', ['Host', 'h'], null), { flavour: 'HTTP' })
    const e = eventV2(ctx, null, settings)
    for (const k of ['cookies', 'queryStringParameters', 'pathParameters', 'stageVariables', 'body']) expect(k in e, k).toBe(false)
    expect(e['rawQueryString']).toBe('')
  })
})
