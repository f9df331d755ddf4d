import { PassThrough } from 'node:stream'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { LogEvent, Logger, RequestEndEvent } from '@gw/core'
import { compileAccessLogFormat, createMetrics } from '@gw/metrics'
import { createGateway } from '@gw/gateway'
import { createUsagePlans } from '@gw/usage-plans'
import { mock, serveGateway } from './support.js'

const TIME = /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/
const REQUEST_ID = '0b5e4c5e-59b6-4a7b-9a6c-6a1f0b1d2e3f'

/** The line a request wrote: lines are batched, so it arrives once the batch delay (100 ms by default) has passed. */
async function oneLine(out: PassThrough): Promise<string> {
  const text = await new Promise<string>((resolve) => out.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8'))))
  const lines = text.split('\n').filter((l) => l !== '')
  expect(lines).toHaveLength(1)
  return lines[0] as string
}

/** Sends GET {path} with a known request id; returns the line written and the ids the response carried. */
async function logged(protocol: 'REST' | 'HTTP', format: string, path: string): Promise<{ line: string; extended: string; requestId: string; time: string }> {
  const out = new PassThrough()
  const metrics = createMetrics({ prometheus: false, executionLog: false, accessLog: { destination: out } })
  onTestFinished(() => metrics.close())
  const def =
    protocol === 'REST'
      ? { protocol, name: 'shop', stages: { prod: { accessLogSettings: { format } } }, resources: { '/pets/{id}': { resourceMethods: { GET: { integration: mock } } } } }
      : { protocol, name: 'shop', stages: { prod: { accessLogSettings: { format } } }, routes: { 'GET /pets/{id}': { integration: mock } } }
  const { url } = await serveGateway(def)
  const res = await fetch(`${url}/prod${path}`, { headers: { 'x-amzn-requestid': REQUEST_ID } })
  await res.arrayBuffer()
  const line = await oneLine(out)
  const time = /\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000/.exec(line)?.[0] ?? ''
  expect(time).toMatch(TIME)
  const requestId = protocol === 'REST' ? REQUEST_ID : (res.headers.get('apigw-requestid') ?? '')
  return { line, extended: res.headers.get('x-amz-apigw-id') ?? requestId, requestId, time }
}

describe('access logs (aws-semantics §13.2): each preset gives the documented line for a known request', () => {
  it.each([
    ['REST CLF', 'REST', 'CLF', (r: { extended: string; time: string }) => `127.0.0.1 - - [${r.time}] "GET /pets/{id} HTTP/1.1" 200 11 ${REQUEST_ID} ${r.extended}`],
    [
      'REST JSON',
      'REST',
      'JSON',
      (r: { extended: string; time: string }) =>
        `{ "requestId":"${REQUEST_ID}", "extendedRequestId":"${r.extended}", "ip": "127.0.0.1", "caller":"-", "user":"-", "requestTime":"${r.time}", "httpMethod":"GET", "resourcePath":"/pets/{id}", "status":"200", "protocol":"HTTP/1.1", "responseLength":"11" }`
    ],
    [
      'REST XML',
      'REST',
      'XML',
      (r: { extended: string; time: string }) =>
        `<request id="${REQUEST_ID}"> <extendedRequestId>${r.extended}</extendedRequestId> <ip>127.0.0.1</ip> <caller>-</caller> <user>-</user> <requestTime>${r.time}</requestTime> <httpMethod>GET</httpMethod> <resourcePath>/pets/{id}</resourcePath> <status>200</status> <protocol>HTTP/1.1</protocol> <responseLength>11</responseLength> </request>`
    ],
    ['REST CSV', 'REST', 'CSV', (r: { extended: string; time: string }) => `127.0.0.1,-,-,${r.time},GET,/pets/{id},HTTP/1.1,200,11,${REQUEST_ID},${r.extended}`]
  ] as const)('%s', async (_name, protocol, format, expected) => {
    const r = await logged(protocol, format, '/pets/7')
    expect(r.line).toBe(expected(r))
  })

  it.each([
    ['HTTP CLF', 'CLF', (r: { requestId: string; time: string }) => `127.0.0.1 - - [${r.time}] "GET GET /pets/{id} HTTP/1.1" 200 11 ${r.requestId}`],
    [
      'HTTP JSON',
      'JSON',
      (r: { requestId: string; time: string }) =>
        `{ "requestId":"${r.requestId}", "ip": "127.0.0.1", "requestTime":"${r.time}", "httpMethod":"GET","routeKey":"GET /pets/{id}", "status":"200","protocol":"HTTP/1.1", "responseLength":"11" }`
    ],
    [
      'HTTP XML',
      'XML',
      (r: { requestId: string; time: string }) =>
        `<request id="${r.requestId}"> <ip>127.0.0.1</ip> <requestTime>${r.time}</requestTime> <httpMethod>GET</httpMethod> <routeKey>GET /pets/{id}</routeKey> <status>200</status> <protocol>HTTP/1.1</protocol> <responseLength>11</responseLength> </request>`
    ],
    ['HTTP CSV', 'CSV', (r: { requestId: string; time: string }) => `127.0.0.1,${r.time},GET,GET /pets/{id},HTTP/1.1,200,11,${r.requestId}`]
  ] as const)('%s', async (_name, format, expected) => {
    const r = await logged('HTTP', format, '/pets/7')
    expect(r.requestId).toMatch(/^[A-Za-z0-9+/=]{16}$/)
    expect(r.line).toBe(expected(r))
  })

  it('a custom template: missing values are "-", an unknown path has no resource, the 403 is logged with its error', async () => {
    const r = await logged('REST', '$context.requestId [$context.requestTime] $context.status $context.resourcePath $context.error.responseType $context.identity.apiKeyId $context.authorizer.principalId $context.responseLatency', '/nope')
    expect(r.line).toMatch(new RegExp(`^${REQUEST_ID} \\[${r.time.replace(/[+/]/g, '\\$&')}\\] 403 - MISSING_AUTHENTICATION_TOKEN - - \\d+$`))
  })

  it('a renderer that reuses the start of its last line renders each line as written out (values changing anywhere, missing, repeated)', () => {
    const format = '[$context.requestTime] $context.httpMethod $context.resourcePath $context.status $context.identity.caller $context.requestId $context.extendedRequestId'
    const render = compileAccessLogFormat(format, 'HTTP')
    const ctx = (requestId: string, method: string, status: number, epoch: number, resourcePath: string | undefined, caller?: string) =>
      ({ requestId, extendedRequestId: `x${requestId}`, method, status, requestTimeEpoch: epoch, resourcePath, identity: caller === undefined ? undefined : { caller } }) as unknown as RequestEndEvent['ctx']
    const t0 = Date.UTC(2026, 11, 6, 22, 33, 0)
    const cases: [RequestEndEvent['ctx'], string][] = [
      [ctx('a', 'GET', 200, t0, '/p'), '[06/Dec/2026:22:33:00 +0000] GET /p 200 - a xa'],
      [ctx('b', 'GET', 200, t0 + 10, '/p'), '[06/Dec/2026:22:33:00 +0000] GET /p 200 - b xb'],
      [ctx('b', 'GET', 404, t0 + 20, '/p'), '[06/Dec/2026:22:33:00 +0000] GET /p 404 - b xb'],
      [ctx('c', 'POST', 404, t0 + 30, '/p'), '[06/Dec/2026:22:33:00 +0000] POST /p 404 - c xc'],
      [ctx('c', 'POST', 404, t0 + 1000, '/p'), '[06/Dec/2026:22:33:01 +0000] POST /p 404 - c xc'],
      [ctx('d', 'POST', 404, t0 + 1000, undefined, 'me'), '[06/Dec/2026:22:33:01 +0000] POST - 404 me d xd'],
      [ctx('d', 'POST', 404, t0 + 1000, '/q', 'me'), '[06/Dec/2026:22:33:01 +0000] POST /q 404 me d xd'],
      [ctx('e', 'GET', 200, t0, '/p'), '[06/Dec/2026:22:33:00 +0000] GET /p 200 - e xe']
    ]
    for (const [c, line] of cases) expect(render({ ctx: c, responseBytes: 0 } as unknown as RequestEndEvent, undefined)).toBe(line)
    expect(compileAccessLogFormat('no variables', 'HTTP')({ ctx: cases[0]?.[0], responseBytes: 0 } as unknown as RequestEndEvent, undefined)).toBe('no variables')
  })

  it('the renderer compares values before their text: a missing first value renders "-" on the first line, and equal numbers reuse the prefix', () => {
    const render = compileAccessLogFormat('$context.resourcePath $context.status $context.responseLength $context.requestId', 'HTTP')
    const line = (resourcePath: string | undefined, status: number, responseBytes: number, requestId: string) =>
      render({ ctx: { resourcePath, status, requestId }, responseBytes } as unknown as RequestEndEvent, undefined)
    expect(line(undefined, 200, 12, 'a')).toBe('- 200 12 a')
    expect(line(undefined, 200, 12, 'b')).toBe('- 200 12 b')
    expect(line('/p', 200, 12, 'c')).toBe('/p 200 12 c')
    expect(line('/p', 200, -1, 'd')).toBe('/p 200 - d')
    expect(line('/p', 502, -1, 'e')).toBe('/p 502 - e')
    expect(line('/p', 502, 0, 'f')).toBe('/p 502 0 f')
    // from the request id on nothing is reused: the values after it are joined on every line
    const idFirst = compileAccessLogFormat('$context.requestId $context.status $context.resourcePath', 'REST')
    const byId = (requestId: string, status: number, resourcePath: string | undefined) =>
      idFirst({ ctx: { requestId, status, resourcePath }, responseBytes: 0 } as unknown as RequestEndEvent, undefined)
    expect(byId('a', 200, '/p')).toBe('a 200 /p')
    expect(byId('a', 200, '/p')).toBe('a 200 /p')
    expect(byId('b', 404, undefined)).toBe('b 404 -')
    expect(byId('b', 200, '/p')).toBe('b 200 /p')
  })

  it('a fallback variable holding an object is never reused as unchanged: the same object with new content renders anew', () => {
    // `$context.authorizer` has no direct reader: it comes from contextVariables(), which hands out ctx.authorizer itself
    const render = compileAccessLogFormat('$context.authorizer $context.status $context.requestId', 'REST')
    const authorizer: Record<string, unknown> = { principalId: 'alice' }
    const ctx = { requestId: 'r1', status: 200, method: 'GET', path: '/p', headers: {}, state: {}, authorizer } as unknown as RequestEndEvent['ctx']
    const line = () => render({ ctx, responseBytes: 0 } as unknown as RequestEndEvent, undefined)
    expect(line()).toBe('{"principalId":"alice"} 200 r1')
    authorizer.principalId = 'bob'
    expect(line()).toBe('{"principalId":"bob"} 200 r1')
    // primitives of direct readers that repeat reuse their prefix and still render the same text
    expect(line()).toBe('{"principalId":"bob"} 200 r1')
  })

  it('§13.2 REST formats without $context.requestId or $context.extendedRequestId are refused at start; HTTP ones are not', () => {
    expect(() => compileAccessLogFormat('$context.status', 'REST')).toThrow(expect.objectContaining({ code: 'GW_METRICS_ACCESS_LOG_FORMAT' }))
    expect(() => compileAccessLogFormat('$context.requestId\n$context.status', 'HTTP')).toThrow(/single line/)
    expect(compileAccessLogFormat('$context.status', 'HTTP')).toBeTypeOf('function')
    expect(() => createGateway({ protocol: 'REST', name: 'x', stages: { s: { accessLogSettings: { format: '$context.status' } } } })).toThrow(/requestId/)
  })

  it('API key values and authorization headers never reach access or execution logs in clear (INFO + dataTraceEnabled)', async () => {
    const out = new PassThrough()
    const events: LogEvent[] = []
    const logger: Logger = { error: (e) => events.push(e), warn: (e) => events.push(e), info: (e) => events.push(e) }
    const metrics = createMetrics({ prometheus: false, logger, accessLog: { destination: out } })
    onTestFinished(() => metrics.close())
    const plans = createUsagePlans({ usagePlans: [{ id: 'p', name: 'p', apiStages: [{ apiId: 'gwlocalapi', stage: 'prod' }] }] })
    const { id, value: key } = plans.createApiKey({ name: 'k1', usagePlanIds: ['p'] })
    const { url } = await serveGateway(
      {
        protocol: 'REST',
        name: 'shop',
        stages: { prod: { methodSettings: { '*/*': { loggingLevel: 'INFO', dataTraceEnabled: true } }, accessLogSettings: { format: '$context.requestId $context.identity.apiKey $context.identity.apiKeyId' } } },
        resources: { '/pets': { resourceMethods: { GET: { apiKeyRequired: true, integration: mock } } } }
      },
      { usagePlans: plans }
    )
    const res = await fetch(`${url}/prod/pets`, { headers: { 'x-api-key': key, authorization: 'Bearer secret-token-value-123456' } })
    expect(res.status).toBe(200)
    const line = await oneLine(out)
    expect(line.endsWith(` ****************${key.slice(-4)} ${id}`)).toBe(true)
    const exec = events.find((e) => e.event === 'gw.execution')
    expect(exec).toMatchObject({ status: 200, method: 'GET', resource: '/pets', apiKeyId: id, logGroup: 'API-Gateway-Execution-Logs_gwlocalapi/prod', responseBody: '{"ok":true}' })
    const text = JSON.stringify(events) + line
    expect(text).not.toContain(key)
    expect(text).not.toContain('secret-token-value')
    expect((exec?.requestHeaders as Record<string, string>)['x-api-key']).toBe(`****************${key.slice(-4)}`)
  })
})
