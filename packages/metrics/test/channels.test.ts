import { PassThrough } from 'node:stream'
import { describe, expect, it, onTestFinished } from 'vitest'
import { storeErrorChannel, websocketMetricChannel, type StoreErrorEvent, type WebSocketMetricEvent } from '@gw/core'
import { createMetrics } from '@gw/metrics'

describe('documented events from other packages (@gw/core channels.ts)', () => {
  it('WebSocket data (§13.1, published by @gw/websocket) → Prometheus and an EMF line with ApiId/Stage/Route', async () => {
    const out = new PassThrough()
    const metrics = createMetrics({ executionLog: false, emf: { destination: out, intervalMs: 3_600_000 } })
    onTestFinished(() => metrics.close())
    const send = (e: WebSocketMetricEvent): void => void websocketMetricChannel.publish(e)
    const base = { apiId: 'wsapi00001', stage: 'prod', route: 'sendMessage', detailedMetrics: true } as const
    send({ ...base, route: '$connect', metric: 'ConnectCount', value: 1 })
    send({ ...base, metric: 'MessageCount', value: 1 })
    send({ ...base, metric: 'MessageCount', value: 1 })
    send({ ...base, metric: 'IntegrationLatency', value: 12 })
    send({ ...base, metric: 'ClientError', value: 1 })
    const text = await metrics.scrape()
    expect(text).toContain('gw_websocket_events_total{api="wsapi00001",stage="prod",route="sendMessage",metric="MessageCount"} 2')
    expect(text).toContain('gw_websocket_events_total{api="wsapi00001",stage="prod",route="$connect",metric="ConnectCount"} 1')
    expect(text).toContain('gw_websocket_integration_latency_seconds_count{api="wsapi00001",stage="prod",route="sendMessage"} 1')
    metrics.flushEmf()
    await new Promise((resolve) => setImmediate(resolve))
    const lines = ((out.read() as Buffer | null)?.toString('utf8') ?? '').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    const msg = lines.find((l) => l.Route === 'sendMessage')
    expect(msg).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'AWS/ApiGateway', Dimensions: [['ApiId'], ['ApiId', 'Stage'], ['ApiId', 'Stage', 'Route']] }] },
      ApiId: 'wsapi00001',
      Stage: 'prod',
      MessageCount: 2,
      ClientError: 1,
      IntegrationLatency: [12]
    })
  })

  it('store errors (published by @gw/store-redis per failed call) → gw_store_errors_total', async () => {
    const metrics = createMetrics({ executionLog: false })
    onTestFinished(() => metrics.close())
    const e: StoreErrorEvent = { store: 'redis', operation: 'RedisRateLimitStore', error: new Error('ECONNREFUSED') }
    storeErrorChannel.publish(e)
    storeErrorChannel.publish(e)
    expect(await metrics.scrape()).toContain('gw_store_errors_total{store="redis",operation="RedisRateLimitStore"} 2')
  })

  it('close() unsubscribes: a closed collector counts nothing more', async () => {
    const metrics = createMetrics({ executionLog: false })
    await metrics.close()
    storeErrorChannel.publish({ store: 'redis', operation: 'x', error: null })
    expect(await metrics.scrape()).not.toContain('operation="x"')
  })
})
