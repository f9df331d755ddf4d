import { resolve } from 'node:path'
import type { Logger } from '@gw/core'
import { compileAccessLogFormat, createMetrics, type GatewayMetrics, type LineDestination, type MetricsOptions } from '@gw/metrics'
import type { GwConfig } from '../config-schema.js'
import { CliConfigInvalid } from '../errors.js'

/** What the `metrics` section started: the collector, and where Prometheus is served. */
export interface ServedMetrics {
  readonly metrics: GatewayMetrics
  /** `http://host:port/path` of the Prometheus endpoint on its own port, if any. */
  readonly url: string | undefined
  /** Path under `management.path` (behind the admin token) when Prometheus has no port of its own. */
  readonly managementPath: string | undefined
}

function destination(value: string, dir: string): LineDestination {
  return value === 'stdout' || value === 'stderr' ? value : { path: resolve(dir, value) }
}

/**
 * Applies the `metrics` section of gw.config.yaml (aws-semantics §13) with @gw/metrics: nothing is subscribed (so
 * requests pay nothing) unless an exporter is on. Prometheus is never served on the API listener: on its own port,
 * or under the management API behind the admin token.
 * @throws GwError GW_CLI_CONFIG_INVALID for Prometheus without a port nor the management API, or a bad access log format
 */
export async function startMetrics(config: GwConfig, file: string, dir: string, logger: Logger, listen = true): Promise<ServedMetrics | undefined> {
  const m = config.metrics
  const format = m.accessLog?.format ?? m.accessLogFormat
  const prometheus = m.prometheus === false ? undefined : m.prometheus === true ? { host: '127.0.0.1' } : m.prometheus
  const emf = m.emf === undefined || m.emf === false ? undefined : m.emf === true ? { destination: 'stdout', intervalSeconds: 60 } : m.emf
  const otel = m.otel === undefined || m.otel === false ? undefined : m.otel === true ? {} : m.otel
  if (prometheus === undefined && format === undefined && emf === undefined && otel === undefined && !m.executionLogs) return undefined
  if (prometheus !== undefined && prometheus.port === undefined && !config.management.enabled)
    throw CliConfigInvalid(`${file}: metrics.prometheus: give it a port of its own ({ port: 9464 }) or enable management (the admin token guards ${config.management.path}${m.path}); /metrics is never public`)
  if (format !== undefined) {
    try {
      compileAccessLogFormat(format, 'HTTP') // one line; the REST request-id rule is checked per stage by createGateway()
    } catch (err) {
      throw CliConfigInvalid(`${file}: metrics.accessLog.format: ${(err as Error).message}`, { cause: err })
    }
  }
  if (!listen) return undefined // gw validate: the checks above are all it needs
  const options: MetricsOptions = { prometheus: prometheus !== undefined, executionLog: m.executionLogs, logger }
  if (format !== undefined) options.accessLog = { format, destination: destination(m.accessLog?.destination ?? 'stdout', dir), flushBytes: m.accessLog?.flushBytes, flushDelayMs: m.accessLog?.flushDelayMs }
  if (emf !== undefined) options.emf = { destination: destination(emf.destination, dir), intervalMs: emf.intervalSeconds * 1000 }
  if (otel !== undefined) options.tracing = otel.tracerName === undefined ? true : { tracerName: otel.tracerName }
  const metrics = createMetrics(options)
  try {
    await metrics.ready
  } catch (err) {
    await metrics.close()
    throw CliConfigInvalid(`${file}: metrics.otel: ${(err as Error).message}`, { cause: err })
  }
  let url: string | undefined
  const path = prometheus?.path ?? m.path
  if (prometheus?.port !== undefined) {
    const server = await metrics.listen(prometheus.port, prometheus.host, path)
    const address = server.address()
    const port = typeof address === 'object' && address !== null ? address.port : prometheus.port
    url = `http://${prometheus.host.includes(':') ? `[${prometheus.host}]` : prometheus.host}:${String(port)}${path}`
  }
  return { metrics, url, managementPath: prometheus !== undefined && prometheus.port === undefined ? path : undefined }
}
