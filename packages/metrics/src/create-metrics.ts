import { createServer, type Server } from 'node:http'
import { Registry } from 'prom-client'
import {
  cacheLookupChannel,
  jsonLogger,
  parseOptions,
  phaseEndChannel,
  phaseStartChannel,
  requestEndChannel,
  requestStartChannel,
  storeErrorChannel,
  websocketMetricChannel,
  type ApiFlavour,
  type CacheLookupEvent,
  type RequestEndEvent,
  type StoreErrorEvent,
  type WebSocketMetricEvent
} from '@gw/core'
import type { Channel } from 'node:diagnostics_channel'
import type * as Otel from '@opentelemetry/api'
import { compileAccessLogFormat, type AccessLogRenderer } from './access-log.js'
import { awsMetricRecord } from './aws-metrics.js'
import { EmfSink } from './emf.js'
import { OtelMissing } from './errors.js'
import { logExecution } from './execution-log.js'
import { DEFAULT_LATENCY_BUCKETS } from './histogram.js'
import { LineWriter, type LineDestination } from './line-writer.js'
import { metricsOptionsSchema, type MetricsOptions } from './options.js'
import { PrometheusSink } from './prometheus.js'
import { peekStash, stashOf } from './request-stash.js'
import { SeriesTable } from './series.js'
import { Tracing } from './tracing.js'

/** What `createMetrics()` returns. */
export interface GatewayMetrics {
  /** The prom-client registry holding the gw families (merge it with yours: `Registry.merge([a, b])`); `undefined` with `prometheus: false`. */
  readonly registry: Registry | undefined
  /** `Content-Type` of `scrape()`. */
  readonly contentType: string
  /** The Prometheus text exposition of every family. */
  scrape(): Promise<string>
  /** Writes the EMF lines of the current interval now. */
  flushEmf(): void
  /** Resolves once tracing is subscribed (it loads `@opentelemetry/api`); rejects with GW_METRICS_OTEL_MISSING when it is absent. */
  readonly ready: Promise<void>
  /** Serves `GET {path}` (default `/metrics`) with `scrape()` on its own port (keep it off public interfaces). */
  listen(port?: number, host?: string, path?: string): Promise<Server>
  /** Number of request label sets so far (bounded by routes, never by raw paths). */
  readonly seriesCount: number
  /** Unsubscribes, writes the last EMF interval and the queued log lines, closes `listen()` servers and opened files. */
  close(): Promise<void>
}

function destinationOf(value: unknown): LineDestination {
  return (value ?? 'stdout') as LineDestination
}

/**
 * Subscribes to the gateway's observability channels (aws-semantics §13;
 * see @gw/core `channels.ts`) and exports what they carry: Prometheus
 * families, CloudWatch EMF lines, OpenTelemetry spans, `$context` access logs
 * and REST execution logs. Nothing is measured until this is called: the
 * gateway publishes only while someone subscribes.
 * @throws GwError GW_CONFIG_INVALID for bad options
 * @throws GwError GW_METRICS_ACCESS_LOG_FORMAT for a REST `accessLog.format` without a request id (§13.2)
 * @example
 * const metrics = createMetrics({ prometheus: true, emf: { intervalMs: 60_000 }, accessLog: { format: 'CLF' } })
 * await metrics.listen(9464) // GET http://127.0.0.1:9464/metrics
 */
export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const opts = parseOptions(metricsOptionsSchema, options, 'createMetrics')
  const logger = opts.logger ?? jsonLogger
  const table = new SeriesTable()
  const closers: (() => Promise<void> | void)[] = []
  const subscriptions: [Channel, (message: unknown, name: string | symbol) => void][] = []
  const on = (channel: Channel, fn: (message: unknown) => void): void => {
    channel.subscribe(fn)
    subscriptions.push([channel, fn])
  }

  let prom: PrometheusSink | undefined
  if (opts.prometheus !== false) {
    const p = opts.prometheus === true ? {} : opts.prometheus
    prom = new PrometheusSink(table.all, p.buckets ?? DEFAULT_LATENCY_BUCKETS, (p.registry as Registry | undefined) ?? new Registry())
  }

  let emf: EmfSink | undefined
  if (opts.emf !== false) {
    const e = opts.emf === true ? {} : opts.emf
    const writer = new LineWriter(destinationOf(e.destination))
    emf = new EmfSink(writer, e.intervalMs ?? 60_000, e.namespace)
    const sink = emf
    closers.push(() => {
      sink.close()
      return writer.close()
    })
  }

  // Renderers by flavour, then by format string: the stage's format is the same string every request, so this is
  // one hash lookup on a cached hash (no key joined per request).
  let access: { writer: LineWriter; format: string | undefined; renderers: Record<ApiFlavour, Map<string, AccessLogRenderer | null>> } | undefined
  if (opts.accessLog !== false) {
    const a = opts.accessLog === true ? {} : opts.accessLog
    // Checked at once (one line, §13.2); the REST request-id rule is checked per stage by createGateway() and, for
    // a REST request logged with this default, when first used (logged and skipped if it lacks one).
    if (a.format !== undefined) compileAccessLogFormat(a.format, 'HTTP')
    const writer = new LineWriter(destinationOf(a.destination), { flushBytes: a.flushBytes, flushDelayMs: a.flushDelayMs })
    access = { writer, format: a.format, renderers: { REST: new Map(), HTTP: new Map() } }
    closers.push(() => writer.close())
  }

  // The renderer used last: a gateway's stages mostly share one format, so most lines skip the map.
  let lastFormat: string | undefined
  let lastFlavour: ApiFlavour | undefined
  let lastRenderer: AccessLogRenderer | null = null
  const renderer = (format: string, flavour: ApiFlavour): AccessLogRenderer | null => {
    if (format === lastFormat && flavour === lastFlavour) return lastRenderer
    if (access === undefined) return null
    lastRenderer = lookupRenderer(access.renderers[flavour], format, flavour)
    lastFormat = format
    lastFlavour = flavour
    return lastRenderer
  }
  const lookupRenderer = (renderers: Map<string, AccessLogRenderer | null>, format: string, flavour: ApiFlavour): AccessLogRenderer | null => {
    let r = renderers.get(format)
    if (r === undefined) {
      try {
        r = compileAccessLogFormat(format, flavour)
      } catch (err) {
        logger.error({ event: 'gw.access_log_format', format, error: (err as Error).message })
        r = null
      }
      renderers.set(format, r)
    }
    return r
  }

  const execution = opts.executionLog
  const onMetrics = opts.onMetrics
  const needSeries = prom !== undefined || emf !== undefined

  on(requestEndChannel, (message) => {
    const event = message as RequestEndEvent
    const stash = peekStash(event.ctx)
    if (needSeries) {
      const series = table.lookup(event)
      prom?.request(series, event, stash)
      emf?.request(series, event, stash)
    }
    if (onMetrics !== undefined) onMetrics(awsMetricRecord(event, stash))
    if (execution && event.route !== undefined && event.route.loggingLevel !== 'OFF') logExecution(logger, event)
    if (access !== undefined) {
      const format = event.accessLogFormat ?? access.format
      if (format !== undefined) {
        const render = renderer(format, event.ctx.flavour)
        if (render !== null) access.writer.write(render(event, stash))
      }
    }
  })
  // No phase-end subscription: IntegrationLatency and the authorizer's time ride on the request-end event
  // (@gw/core `PhaseTimes`), so observed phases publish nothing unless tracing (below) subscribes.
  on(cacheLookupChannel, (message) => {
    const { ctx, hit } = message as CacheLookupEvent
    stashOf(ctx).cacheHit = hit
  })
  if (prom !== undefined || emf !== undefined) {
    on(websocketMetricChannel, (message) => {
      prom?.websocket(message as WebSocketMetricEvent)
      emf?.websocket(message as WebSocketMetricEvent)
    })
  }
  if (prom !== undefined) {
    const p = prom
    on(storeErrorChannel, (message) => p.storeError(message as StoreErrorEvent))
  }

  let ready: Promise<void> = Promise.resolve()
  if (opts.tracing !== false) {
    const t = opts.tracing === true ? {} : opts.tracing
    const load = t.api !== undefined ? Promise.resolve(t.api as typeof Otel) : (import('@opentelemetry/api') as Promise<typeof Otel>)
    ready = load.then(
      (api) => {
        const tracing = new Tracing(api, t.tracerName ?? '@gw/metrics')
        // Subscribed after the other subscribers: the request span ends after the metrics of its request are taken.
        on(requestStartChannel, tracing.onStart)
        on(phaseStartChannel, tracing.onPhaseStart)
        on(phaseEndChannel, tracing.onPhaseEnd)
        on(cacheLookupChannel, tracing.onCacheLookup)
        on(requestEndChannel, tracing.onEnd)
      },
      (err: unknown) => {
        throw OtelMissing(undefined, { cause: err })
      }
    )
    // Callers that never await `ready` must not see an unhandled rejection; those who do still get it.
    ready.catch(() => undefined)
  }

  const servers = new Set<Server>()
  const contentType = prom?.registry.contentType ?? 'text/plain; version=0.0.4; charset=utf-8'
  const scrape = (): Promise<string> => prom?.scrape() ?? Promise.resolve('')

  return {
    registry: prom?.registry,
    contentType,
    scrape,
    flushEmf: () => emf?.flush(),
    ready,
    get seriesCount() {
      return table.all.length
    },
    async listen(port = 9464, host = '127.0.0.1', path = '/metrics') {
      const server = createServer((req, res) => {
        const url = req.url ?? '/'
        const q = url.indexOf('?')
        if ((q === -1 ? url : url.slice(0, q)) !== path || (req.method !== 'GET' && req.method !== 'HEAD')) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found')
          return
        }
        scrape().then(
          (text) => res.writeHead(200, { 'content-type': contentType }).end(req.method === 'HEAD' ? undefined : text),
          () => res.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed')
        )
      })
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => resolve())
      })
      servers.add(server)
      return server
    },
    async close() {
      for (const [channel, fn] of subscriptions.splice(0)) channel.unsubscribe(fn)
      await Promise.all([...servers].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
      servers.clear()
      for (const close of closers.splice(0)) await close()
    }
  }
}
