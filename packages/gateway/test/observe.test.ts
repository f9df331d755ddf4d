import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, expect, it, onTestFinished } from 'vitest'
import { Readable } from 'node:stream'
import { GatewayContext, type PhaseEndEvent, type RequestEndEvent } from '@gw/core'
import { apiDefinitionSchema, createGateway } from '@gw/gateway'
import { mock, start } from './serve.js'

/** Collects a channel's messages for the test's lifetime. */
function collect<T>(name: string): T[] {
  const seen: T[] = []
  const fn = (message: unknown): void => {
    seen.push(message as T)
  }
  subscribe(name, fn)
  onTestFinished(() => {
    unsubscribe(name, fn)
  })
  return seen
}

describe('createGateway publishes §13 events only to subscribers', () => {
  it('request end: status, route settings (§6.1 metricsEnabled over */*), Latency ≥ IntegrationLatency, unknown path without a route', async () => {
    const ends = collect<RequestEndEvent>('gw:request:end')
    const phases = collect<PhaseEndEvent>('gw:phase:end')
    const url = await start({
      protocol: 'REST',
      name: 'pets',
      stages: {
        prod: {
          methodSettings: { '*/*': { metricsEnabled: false, loggingLevel: 'ERROR' }, '/pets/GET': { metricsEnabled: true } },
          accessLogSettings: { format: 'CLF' }
        }
      },
      resources: { '/pets': { resourceMethods: { GET: { integration: mock } } }, '/pets/{id}': { resourceMethods: { ANY: { integration: mock } } } }
    })
    expect((await fetch(`${url}/prod/pets`)).status).toBe(200)
    expect((await fetch(`${url}/prod/pets/7`, { method: 'DELETE' })).status).toBe(200)
    expect((await fetch(`${url}/prod/nope`)).status).toBe(403)
    expect(ends.map((e) => [e.ctx.status, e.route?.method, e.route?.resource, e.route?.detailedMetrics, e.route?.loggingLevel])).toEqual([
      [200, 'GET', '/pets', true, 'ERROR'],
      [200, 'ANY', '/pets/{id}', false, 'ERROR'],
      [403, undefined, undefined, undefined, undefined]
    ])
    expect(ends.every((e) => e.apiName === 'pets' && e.accessLogFormat === 'CLF' && e.responseBytes > 0)).toBe(true)
    const integration = phases.filter((p) => p.phase === 'integration')
    expect(integration.map((p) => p.ctx)).toEqual([ends[0]?.ctx, ends[1]?.ctx])
    expect(ends[0]?.latencyMs).toBeGreaterThanOrEqual(integration[0]?.durationMs ?? Infinity)
  })

  it('Latency counts from the request\'s arrival (its context was made), not from when the gateway took it (§13.1)', async () => {
    const ends = collect<RequestEndEvent>('gw:request:end')
    const gw = createGateway({ protocol: 'REST', name: 'pets', stages: { prod: {} }, resources: { '/pets': { resourceMethods: { GET: { integration: mock } } } } })
    const source = { method: 'GET', url: '/prod/pets', headers: {}, rawHeaders: [], remoteAddress: '127.0.0.1', protocol: 'http' as const, readBody: async () => Buffer.alloc(0), stream: () => Readable.from([]), hasBody: false, signal: new AbortController().signal }
    const ctx = new GatewayContext(source)
    await new Promise((resolve) => setTimeout(resolve, 40))
    await gw.handler(ctx, () => Promise.resolve())
    expect(ctx.status).toBe(200)
    expect(ends.map((e) => e.ctx)).toEqual([ctx])
    // timers may fire a millisecond early on some platforms
    expect(ends[0]?.latencyMs).toBeGreaterThanOrEqual(39)
  })

  it('HTTP API route settings: detailedMetricsEnabled per route over defaultRouteSettings (§6.2)', async () => {
    const ends = collect<RequestEndEvent>('gw:request:end')
    const url = await start({
      protocol: 'HTTP',
      name: 'h',
      stages: { $default: { defaultRouteSettings: { detailedMetricsEnabled: true }, routeSettings: { 'GET /b': { detailedMetricsEnabled: false } } } },
      routes: { 'GET /a': { integration: mock }, 'GET /b': { integration: mock } }
    })
    await fetch(`${url}/a`)
    await fetch(`${url}/b`)
    expect(ends.map((e) => [e.route?.routeKey, e.route?.detailedMetrics])).toEqual([
      ['GET /a', true],
      ['GET /b', false]
    ])
  })

  it.each([
    ['REST template without a request id', 'REST', '$context.status', false],
    ['REST template with $context.extendedRequestId', 'REST', '$context.extendedRequestId $context.status', true],
    ['REST preset name', 'REST', 'JSON', true],
    ['REST two lines', 'REST', '$context.requestId\n$context.status', false],
    ['HTTP template without a request id', 'HTTP', '$context.status', true]
  ])('§13.2 access log format: %s', (_name, protocol, format, ok) => {
    const stage = { accessLogSettings: { format } }
    const r = apiDefinitionSchema.safeParse(protocol === 'REST' ? { protocol, name: 'x', stages: { s: stage } } : { protocol, name: 'x', stages: { s: stage } })
    expect(r.success).toBe(ok)
  })
})
