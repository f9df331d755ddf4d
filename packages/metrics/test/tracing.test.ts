import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { propagation, trace, SpanKind } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { createMetrics } from '@gw/metrics'
import { lambdas, serveGateway, upstream } from './support.js'

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
beforeAll(() => {
  trace.setGlobalTracerProvider(provider)
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
})
afterAll(async () => {
  await provider.shutdown()
  trace.disable()
  propagation.disable()
})

/** An in-process TOKEN authorizer that allows "allow" (§10.2). */
const tokenFn = (event: unknown): Promise<unknown> => {
  const e = event as { authorizationToken: string; methodArn: string }
  if (e.authorizationToken !== 'allow') return Promise.reject(new Error('Unauthorized'))
  return Promise.resolve({ principalId: 'u1', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: e.methodArn }] } })
}

describe('OpenTelemetry spans through @opentelemetry/api (SDK in-memory exporter)', () => {
  it('request (SERVER, child of the client traceparent) → authorizer, cache lookup, integration (CLIENT); the integration span reaches the upstream as traceparent; X-Amzn-Trace-Id kept', async () => {
    exporter.reset()
    const up = await upstream()
    const metrics = createMetrics({ prometheus: false, executionLog: false, tracing: true })
    onTestFinished(() => metrics.close())
    await metrics.ready
    const { url } = await serveGateway(
      {
        protocol: 'REST',
        name: 'shop',
        stages: { prod: {} },
        authorizers: {
          tok: {
            type: 'TOKEN',
            authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:tokenFn/invocations',
            identitySource: 'method.request.header.Authorization',
            authorizerResultTtlInSeconds: 0
          }
        },
        resources: { '/items/{id}': { resourceMethods: { GET: { authorizationType: 'CUSTOM', authorizerId: 'tok', integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${up.url}/items` } } } } }
      },
      { integrations: { lambda: { ...lambdas, tokenFn } }, slots: { cache: () => null } }
    )
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const clientSpan = '00f067aa0ba902b7'
    const res = await fetch(`${url}/prod/items/7`, { headers: { authorization: 'allow', traceparent: `00-${traceId}-${clientSpan}-01` } })
    expect(res.status).toBe(200)
    await res.arrayBuffer()
    await new Promise((resolve) => setTimeout(resolve, 20))

    const spans = exporter.getFinishedSpans()
    const server = spans.find((s) => s.kind === SpanKind.SERVER)
    const authorizer = spans.find((s) => s.name === 'authorizer')
    const integration = spans.find((s) => s.kind === SpanKind.CLIENT)
    expect(spans).toHaveLength(3)
    expect(server?.name).toBe('GET /items/{id}')
    expect(server?.spanContext().traceId).toBe(traceId)
    expect(server?.parentSpanContext?.spanId).toBe(clientSpan)
    expect(server?.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/items/{id}', 'http.response.status_code': 200, 'url.path': '/prod/items/7', 'client.address': '127.0.0.1', 'aws.api_gateway.stage': 'prod' })
    for (const child of [authorizer, integration]) {
      expect(child?.spanContext().traceId).toBe(traceId)
      expect(child?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId)
    }
    expect(authorizer?.kind).toBe(SpanKind.INTERNAL)
    expect(integration?.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200 })
    // §3.2: the upstream sees the integration span as its parent, and API Gateway's own trace header
    const seen = up.seen.at(-1)
    expect(seen?.traceparent).toBe(`00-${traceId}-${integration?.spanContext().spanId ?? ''}-01`)
    expect(seen?.['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/)
  })

  it('HTTP (non-proxy) integrations get the integration span as traceparent too; without a tracer the client traceparent passes unchanged', async () => {
    exporter.reset()
    const up = await upstream()
    const http = { type: 'HTTP' as const, httpMethod: 'GET', uri: `${up.url}/items`, responses: { default: { statusCode: '200' } } }
    const def = { protocol: 'REST' as const, name: 'shop', stages: { prod: {} }, resources: { '/h': { resourceMethods: { GET: { integration: http } } } } }
    const client = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    const { url } = await serveGateway(def)
    // no collector subscribed yet: the client's header reaches the upstream as sent
    await (await fetch(`${url}/prod/h`, { headers: { traceparent: client } })).arrayBuffer()
    expect(up.seen.at(-1)?.traceparent).toBe(client)
    const metrics = createMetrics({ prometheus: false, executionLog: false, tracing: true })
    onTestFinished(() => metrics.close())
    await metrics.ready
    await (await fetch(`${url}/prod/h`, { headers: { traceparent: client } })).arrayBuffer()
    await new Promise((resolve) => setTimeout(resolve, 20))
    const integration = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CLIENT)
    expect(up.seen.at(-1)?.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${integration?.spanContext().spanId ?? 'none'}-01`)
  })

  it('a cache lookup span carries the hit; no client traceparent → a new trace; 5xx marks the request span as an error', async () => {
    exporter.reset()
    const up = await upstream()
    const metrics = createMetrics({ prometheus: false, executionLog: false, tracing: true })
    onTestFinished(() => metrics.close())
    await metrics.ready
    const { shopApi } = await import('./support.js')
    const { url } = await serveGateway(shopApi(up.url))
    for (const p of ['/items', '/items', '/bad']) await (await fetch(`${url}/prod${p}`)).arrayBuffer()
    await new Promise((resolve) => setTimeout(resolve, 20))
    const spans = exporter.getFinishedSpans()
    const lookups = spans.filter((s) => s.name === 'cache lookup')
    expect(lookups.map((s) => s.attributes['gw.cache.hit'])).toEqual([false, true])
    const servers = spans.filter((s) => s.kind === SpanKind.SERVER)
    expect(servers.map((s) => [s.name, s.attributes['http.response.status_code'], s.status.code, s.parentSpanContext])).toEqual([
      ['GET /items', 200, 0, undefined],
      ['GET /items', 200, 0, undefined],
      ['GET /bad', 502, 2, undefined]
    ])
    expect(new Set(servers.map((s) => s.spanContext().traceId)).size).toBe(3)
  })
})
