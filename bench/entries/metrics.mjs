// Metrics micro benchmark (docs/benchmarks.md "## metrics"): the cost of recording one answered request in Prometheus
// form. Ours: a request-end event (IntegrationLatency on it) published on @gw/core's channel, taken by createMetrics()'s Prometheus sink
// (numbers bumped on a per-route series; prom-client encodes at scrape). Peer: prom-client alone, the usual
// way (counter.inc(labels) + two histogram.observe(labels, v), label objects hashed per call).
import { createRequire } from 'node:module'
import { Readable } from 'node:stream'
import { GatewayContext, requestEndChannel } from '../../packages/core/dist/index.js'
import { createMetrics } from '../../packages/metrics/dist/index.js'

// prom-client is @gw/metrics' dependency (pnpm keeps it under that package), the same copy our sink uses.
const promClient = createRequire(new URL('../../packages/metrics/package.json', import.meta.url))('prom-client')

const ROUTES = 16

function contexts () {
  const source = { method: 'GET', url: '/api/hello', headers: {}, rawHeaders: [], remoteAddress: '127.0.0.1', protocol: 'http', readBody: async () => Buffer.alloc(0), stream: () => Readable.from([]), hasBody: false, signal: new AbortController().signal }
  return Array.from({ length: ROUTES }, (_, r) => {
    const ctx = new GatewayContext(source)
    ctx.apiId = 'bench'
    ctx.stage = 'api'
    ctx.resourcePath = `/items${r}/{id}`
    ctx.body = '{"hello":"world","id":42,"tags":["a","b"],"ok":true}'
    return ctx
  })
}

export async function tasks () {
  const ctxs = contexts()
  const routes = ctxs.map((ctx) => Object.freeze({ method: 'GET', resource: ctx.resourcePath, routeKey: `GET ${ctx.resourcePath}`, detailedMetrics: true, loggingLevel: 'OFF', dataTraceEnabled: false }))
  const events = ctxs.map((ctx, r) => ({ ctx, apiName: 'bench', route: routes[r], accessLogFormat: undefined, latencyMs: 1.25, requestBytes: 0, responseBytes: 53, integrationLatencyMs: 0.5, authorizerLatencyMs: undefined }))
  createMetrics({ prometheus: true, executionLog: false })

  const registry = new promClient.Registry()
  const labelNames = ['api', 'stage', 'method', 'resource']
  const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
  const requests = new promClient.Counter({ name: 'peer_requests_total', help: 'x', labelNames: [...labelNames, 'status'], registers: [registry] })
  const latency = new promClient.Histogram({ name: 'peer_latency_seconds', help: 'x', labelNames, buckets, registers: [registry] })
  const integration = new promClient.Histogram({ name: 'peer_integration_latency_seconds', help: 'x', labelNames, buckets, registers: [registry] })
  const bytes = new promClient.Counter({ name: 'peer_bytes_total', help: 'x', labelNames, registers: [registry] })
  let i = 0
  let j = 0
  return [
    {
      group: 'metrics: record one request',
      name: 'prom-client alone: counter.inc + 2 histogram.observe + counter.inc (labels objects)',
      ref: true,
      fn: () => {
        const ctx = ctxs[i++ & (ROUTES - 1)]
        const labels = { api: 'bench', stage: ctx.stage, method: ctx.method, resource: ctx.resourcePath }
        requests.inc({ ...labels, status: ctx.status })
        latency.observe(labels, 0.00125)
        integration.observe(labels, 0.0005)
        bytes.inc(labels, 53)
      }
    },
    {
      group: 'metrics: record one request',
      name: 'ours: request-end event (IntegrationLatency on it) → createMetrics() Prometheus sink',
      fn: () => {
        const k = j++ & (ROUTES - 1)
        requestEndChannel.publish(events[k])
      }
    }
  ]
}
