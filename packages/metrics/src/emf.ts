import type { RequestEndEvent, WebSocketMetricEvent } from '@gw/core'
import { AWS_METRIC_UNITS, AWS_NAMESPACE, type AwsMetricName } from './aws-metrics.js'
import type { LineWriter } from './line-writer.js'
import type { RequestStash } from './request-stash.js'
import type { Series } from './series.js'

/** Values kept per metric per line: an EMF metric value array holds at most 100 numbers. */
const MAX_VALUES = 100

/** A uniform sample of at most `MAX_VALUES` numbers (Algorithm R), rounded to 0.01 ms. */
class Reservoir {
  values: number[] = []
  seen = 0
  add(value: number): void {
    const v = Math.round(value * 100) / 100
    this.seen++
    if (this.values.length < MAX_VALUES) this.values.push(v)
    else {
      const j = Math.floor(Math.random() * this.seen)
      if (j < MAX_VALUES) this.values[j] = v
    }
  }
}

/** One EMF line's worth: a dimension-value combination and its sums over one flush interval. */
class EmfGroup {
  readonly dimensions: Record<string, string>
  readonly sets: string[][]
  readonly rest: boolean
  readonly websocket: boolean
  count = 0
  e4 = 0
  e5 = 0
  cacheHits = 0
  cacheMisses = 0
  cacheSeen = false
  bytes = 0
  readonly latency = new Reservoir()
  readonly integration = new Reservoir()
  readonly ws = new Map<string, number>()

  constructor(dimensions: Record<string, string>, sets: string[][], rest: boolean, websocket: boolean) {
    this.dimensions = dimensions
    this.sets = sets
    this.rest = rest
    this.websocket = websocket
  }

  get empty(): boolean {
    return this.count === 0 && this.ws.size === 0 && this.integration.seen === 0
  }
}

/**
 * CloudWatch Embedded Metric Format (aws-semantics §13.1): requests add to one
 * group per dimension-value combination (API and stage; plus method and
 * resource, or route, when detailed metrics are on); every flush interval
 * writes one JSON line per group that saw traffic, in namespace
 * `AWS/ApiGateway` with AWS's metric names, units and dimension sets.
 * Counts are sums over the interval (read them with the Sum statistic);
 * Latency and IntegrationLatency are a uniform sample of at most 100 values.
 * A line per combination is the fewest EMF allows: dimension and metric
 * values are root members, one value per name per line, and the dimension
 * sets of one combination already share its line.
 */
export class EmfSink {
  readonly #writer: LineWriter
  readonly #groups = new Map<string, EmfGroup>()
  readonly #timer: NodeJS.Timeout
  readonly #namespace: string

  constructor(writer: LineWriter, intervalMs: number, namespace: string = AWS_NAMESPACE) {
    this.#writer = writer
    this.#namespace = namespace
    this.#timer = setInterval(() => this.flush(), intervalMs)
    this.#timer.unref()
  }

  request(series: Series, event: RequestEndEvent, stash: RequestStash | undefined): void {
    let g = series.emf as EmfGroup | undefined
    if (g === undefined) series.emf = g = this.#groupOf(series)
    const status = event.ctx.status
    g.count++
    if (status >= 400 && status < 500) g.e4++
    else if (status >= 500) g.e5++
    g.latency.add(event.latencyMs)
    if (event.integrationLatencyMs !== undefined) g.integration.add(event.integrationLatencyMs)
    if (stash?.cacheHit !== undefined) {
      g.cacheSeen = true
      if (stash.cacheHit) g.cacheHits++
      else g.cacheMisses++
    }
    g.bytes += event.requestBytes + Math.max(0, event.responseBytes)
  }

  websocket(event: WebSocketMetricEvent): void {
    const detailed = event.detailedMetrics === true && event.route !== undefined
    const key = `WS\n${event.apiId}\n${event.stage}\n${detailed ? (event.route) : ''}`
    let g = this.#groups.get(key)
    if (g === undefined) {
      const dimensions: Record<string, string> = { ApiId: event.apiId, Stage: event.stage }
      const sets = [['ApiId'], ['ApiId', 'Stage']]
      if (detailed) {
        dimensions.Route = event.route
        sets.push(['ApiId', 'Stage', 'Route'])
      }
      this.#groups.set(key, (g = new EmfGroup(dimensions, sets, false, true)))
    }
    if (event.metric === 'IntegrationLatency') g.integration.add(event.value)
    else g.ws.set(event.metric, (g.ws.get(event.metric) ?? 0) + event.value)
  }

  #groupOf(series: Series): EmfGroup {
    const rest = series.flavour === 'REST'
    const apiKey = rest ? 'ApiName' : 'ApiId'
    const detailed = series.detailed && series.hasStage
    const key = `${series.flavour}\n${series.api}\n${series.hasStage ? series.stage : ''}\n${detailed ? `${series.method}\n${series.resource}\n${series.routeKey}` : ''}`
    let g = this.#groups.get(key)
    if (g !== undefined) return g
    const dimensions: Record<string, string> = { [apiKey]: series.api }
    const sets = [[apiKey]]
    if (series.hasStage) {
      dimensions.Stage = series.stage
      sets.push([apiKey, 'Stage'])
    }
    if (detailed) {
      if (rest) {
        dimensions.Method = series.method
        dimensions.Resource = series.resource
        sets.push([apiKey, 'Method', 'Resource', 'Stage'])
      } else {
        dimensions.Route = series.routeKey
        sets.push([apiKey, 'Stage', 'Route'])
      }
    }
    this.#groups.set(key, (g = new EmfGroup(dimensions, sets, rest, false)))
    return g
  }

  /** Writes one line per group that saw traffic since the last flush, then starts the next interval. */
  flush(now: number = Date.now()): void {
    for (const g of this.#groups.values()) {
      if (g.empty) continue
      const line = this.#line(g, now)
      this.#reset(g)
      this.#writer.write(JSON.stringify(line))
    }
    // An interval's lines are one batch already: written now, not after the access-log batch delay.
    this.#writer.flush()
  }

  #line(g: EmfGroup, timestamp: number): Record<string, unknown> {
    const values: [AwsMetricName, number | number[]][] = []
    if (g.websocket) {
      for (const [name, value] of g.ws) values.push([name as AwsMetricName, value])
    } else {
      values.push(['Count', g.count])
      values.push(g.rest ? ['4XXError', g.e4] : ['4xx', g.e4])
      values.push(g.rest ? ['5XXError', g.e5] : ['5xx', g.e5])
      if (g.rest && g.cacheSeen) values.push(['CacheHitCount', g.cacheHits], ['CacheMissCount', g.cacheMisses])
      if (g.latency.values.length !== 0) values.push(['Latency', g.latency.values])
      if (!g.rest) values.push(['DataProcessed', g.bytes])
    }
    if (g.integration.values.length !== 0) values.push(['IntegrationLatency', g.integration.values])
    const line: Record<string, unknown> = {
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [{ Namespace: this.#namespace, Dimensions: g.sets, Metrics: values.map(([name]) => ({ Name: name, Unit: AWS_METRIC_UNITS[name] })) }]
      },
      ...g.dimensions
    }
    for (const [name, value] of values) line[name] = value
    return line
  }

  #reset(g: EmfGroup): void {
    g.count = g.e4 = g.e5 = g.cacheHits = g.cacheMisses = g.bytes = 0
    g.cacheSeen = false
    g.latency.values = []
    g.latency.seen = 0
    g.integration.values = []
    g.integration.seen = 0
    g.ws.clear()
  }

  /** Stops the interval timer after a last flush. */
  close(): void {
    clearInterval(this.#timer)
    this.flush()
  }
}
