import { Registry } from 'prom-client'
import type { RequestEndEvent, StoreErrorEvent, WebSocketMetricEvent } from '@gw/core'
import { HistogramCell } from './histogram.js'
import type { RequestStash } from './request-stash.js'
import type { Series } from './series.js'

/** What prom-client's `Registry` reads from a metric: its encoder does the text exposition format. */
interface PromValue {
  labels: Record<string, string | number>
  value: number
  metricName?: string
}
interface PromMetric {
  readonly name: string
  readonly help: string
  readonly type: 'counter' | 'histogram'
  readonly aggregator: 'sum'
  get(): Promise<{ name: string; help: string; type: 'counter' | 'histogram'; values: PromValue[]; aggregator: 'sum' }>
}

/** One status' request count on a series. */
interface StatusCount {
  readonly status: number
  n: number
}

/** Per-series state (hangs on `Series.prom`). */
class PromSeries {
  readonly labels: Record<string, string>
  /** status → count (a boxed count: a request costs one map lookup, not a get and a set) */
  readonly statuses = new Map<number, StatusCount>()
  /** The count of the status this series answered last: a route answers one status most of the time, so most requests skip the map. */
  last: StatusCount | undefined = undefined
  readonly latency: HistogramCell
  readonly integration: HistogramCell
  cacheHits = 0
  cacheMisses = 0
  bytes = 0
  throttled = 0
  quota = 0

  constructor(series: Series, buckets: number) {
    this.labels = { api: series.api, stage: series.stage, method: series.method, resource: series.resource }
    this.latency = new HistogramCell(buckets)
    this.integration = new HistogramCell(buckets)
  }
}

/** WebSocket per api/stage/route state. */
class WsSeries {
  readonly labels: Record<string, string>
  readonly counts = new Map<string, number>()
  readonly integration: HistogramCell
  constructor(labels: Record<string, string>, buckets: number) {
    this.labels = labels
    this.integration = new HistogramCell(buckets)
  }
}

/**
 * The Prometheus side of @gw/metrics. Requests update plain numbers on their
 * series (no label hashing per request, unlike prom-client's `inc(labels)`);
 * prom-client's `Registry` encodes the text exposition format at scrape time,
 * so its registry can be merged with the application's own (`Registry.merge`).
 */
export class PrometheusSink {
  readonly registry: Registry
  /** Bucket bounds in seconds, as exposed (`le`). */
  readonly #bounds: readonly number[]
  /** The same bounds in milliseconds: latencies arrive in ms and are placed without a division per request. */
  readonly #boundsMs: readonly number[]
  readonly #series: Series[]
  readonly #prom: PromSeries[] = []
  readonly #store = new Map<string, { labels: Record<string, string>; value: number }>()
  readonly #ws = new Map<string, WsSeries>()

  constructor(all: Series[], bounds: readonly number[], registry: Registry) {
    this.#series = all
    this.#bounds = bounds
    this.#boundsMs = bounds.map((b) => b * 1000)
    this.registry = registry
    const each = (pick: (s: PromSeries) => number) => (): PromValue[] => this.#prom.filter((p) => pick(p) !== 0).map((p) => ({ labels: p.labels, value: pick(p) }))
    this.#counter('gw_requests_total', 'Requests answered (CloudWatch Count; 4XXError/5XXError are its status classes, aws-semantics §13.1).', () => {
      const out: PromValue[] = []
      for (const p of this.#prom) for (const [status, count] of p.statuses) out.push({ labels: { ...p.labels, status }, value: count.n })
      return out
    })
    this.#histogram('gw_latency_seconds', 'Request latency including authorizers and mapping (CloudWatch Latency, §13.1).', (p) => p.latency)
    this.#histogram('gw_integration_latency_seconds', 'Integration call latency (CloudWatch IntegrationLatency, §13.1).', (p) => p.integration)
    this.#counter('gw_cache_hits_total', 'Requests answered from the stage cache (CacheHitCount, §7).', each((p) => p.cacheHits))
    this.#counter('gw_cache_misses_total', 'Requests sent to the integration while caching was on (CacheMissCount, §7).', each((p) => p.cacheMisses))
    this.#counter('gw_data_processed_bytes_total', 'Request plus response payload bytes (HTTP API DataProcessed, §13.1).', each((p) => p.bytes))
    this.#counter('gw_throttled_total', 'Requests rejected 429 THROTTLED (§8.3).', each((p) => p.throttled))
    this.#counter('gw_quota_exceeded_total', 'Requests rejected 429 QUOTA_EXCEEDED (§8.2).', each((p) => p.quota))
    this.#counter('gw_store_errors_total', 'Failed shared-store (Redis) calls, decided by the store failure mode.', () => [...this.#store.values()].map((s) => ({ labels: s.labels, value: s.value })))
    this.#counter('gw_websocket_events_total', 'WebSocket API counts by CloudWatch metric name (ConnectCount, MessageCount, IntegrationError, ClientError, ExecutionError; §13.1).', () => {
      const out: PromValue[] = []
      for (const w of this.#ws.values()) for (const [metric, value] of w.counts) out.push({ labels: { ...w.labels, metric }, value })
      return out
    })
    this.#histogramOf('gw_websocket_integration_latency_seconds', 'WebSocket integration latency (§13.1).', () => [...this.#ws.values()].filter((w) => w.integration.count !== 0).map((w) => ({ labels: w.labels, cell: w.integration })))
  }

  /** Records one answered request on its series. */
  request(series: Series, event: RequestEndEvent, stash: RequestStash | undefined): void {
    let p = series.prom as PromSeries | undefined
    if (p === undefined) {
      series.prom = p = new PromSeries(series, this.#bounds.length)
      this.#prom.push(p)
    }
    const ctx = event.ctx
    const status = ctx.status
    let count = p.last
    if (count === undefined || count.status !== status) {
      count = p.statuses.get(status)
      if (count === undefined) p.statuses.set(status, (count = { status, n: 0 }))
      p.last = count
    }
    count.n++
    p.latency.observe(this.#boundsMs, event.latencyMs)
    if (event.integrationLatencyMs !== undefined) p.integration.observe(this.#boundsMs, event.integrationLatencyMs)
    if (stash !== undefined) {
      if (stash.cacheHit === true) p.cacheHits++
      else if (stash.cacheHit === false) p.cacheMisses++
    }
    p.bytes += event.requestBytes + Math.max(0, event.responseBytes)
    const type = ctx.error?.type
    if (type === 'THROTTLED') p.throttled++
    else if (type === 'QUOTA_EXCEEDED') p.quota++
  }

  storeError(event: StoreErrorEvent): void {
    const key = `${event.store}\n${event.operation}`
    const s = this.#store.get(key)
    if (s === undefined) this.#store.set(key, { labels: { store: event.store, operation: event.operation }, value: 1 })
    else s.value++
  }

  websocket(event: WebSocketMetricEvent): void {
    const route = event.detailedMetrics === true && event.route !== undefined ? event.route : ''
    const key = `${event.apiId}\n${event.stage}\n${route}`
    let w = this.#ws.get(key)
    if (w === undefined) this.#ws.set(key, (w = new WsSeries({ api: event.apiId, stage: event.stage, route }, this.#bounds.length)))
    if (event.metric === 'IntegrationLatency') w.integration.observe(this.#boundsMs, event.value)
    else w.counts.set(event.metric, (w.counts.get(event.metric) ?? 0) + event.value)
  }

  /** The text exposition format (prom-client's encoder). */
  scrape(): Promise<string> {
    return this.registry.metrics()
  }

  /** Number of request series (bounded: routes × statuses, never raw paths). */
  get seriesCount(): number {
    return this.#series.length
  }

  #counter(name: string, help: string, values: () => PromValue[]): void {
    const metric: PromMetric = { name, help, type: 'counter', aggregator: 'sum', get: () => Promise.resolve({ name, help, type: 'counter', values: values(), aggregator: 'sum' }) }
    this.registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0])
  }

  #histogram(name: string, help: string, pick: (p: PromSeries) => HistogramCell): void {
    this.#histogramOf(name, help, () => this.#prom.filter((p) => pick(p).count !== 0).map((p) => ({ labels: p.labels, cell: pick(p) })))
  }

  #histogramOf(name: string, help: string, cells: () => { labels: Record<string, string>; cell: HistogramCell }[]): void {
    const bounds = this.#bounds
    const values = (): PromValue[] => {
      const out: PromValue[] = []
      for (const { labels, cell } of cells()) {
        let cumulative = 0
        for (let i = 0; i < bounds.length; i++) {
          cumulative += cell.counts[i] as number
          out.push({ labels: { ...labels, le: bounds[i] as number }, value: cumulative, metricName: `${name}_bucket` })
        }
        out.push({ labels: { ...labels, le: '+Inf' }, value: cell.count, metricName: `${name}_bucket` })
        out.push({ labels, value: cell.sum / 1000, metricName: `${name}_sum` })
        out.push({ labels, value: cell.count, metricName: `${name}_count` })
      }
      return out
    }
    const metric: PromMetric = { name, help, type: 'histogram', aggregator: 'sum', get: () => Promise.resolve({ name, help, type: 'histogram', values: values(), aggregator: 'sum' }) }
    this.registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0])
  }
}
