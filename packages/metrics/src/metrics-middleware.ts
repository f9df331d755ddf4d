import { z } from 'zod'
import {
  handlePipelineError,
  jsonLogger,
  monotonicMs,
  parseOptions,
  requestEndChannel,
  requestStartChannel,
  type GatewayContext,
  type Logger,
  type Middleware,
  type Next,
  type PhaseTimes,
  type RequestEndEvent,
  textByteLength,
  type RouteMetricSettings
} from '@gw/core'

const schema = z
  .object({
    apiName: z.string().min(1).default('app'),
    stage: z.string().min(1).optional(),
    accessLogFormat: z.string().min(1).optional(),
    detailedMetrics: z.boolean().default(true),
    logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as Logger).error === 'function', 'a Logger').optional()
  })
  .strict()

/** Options of the `metrics()` middleware. */
export interface MetricsMiddlewareOptions {
  /** `ApiName` (REST) / `ApiId` (HTTP flavour) of what this pipeline serves. @default 'app' */
  apiName?: string
  /** `Stage` dimension for requests no stage resolver named (sets `ctx.stage` when unset). @default none */
  stage?: string
  /** Access log format of this pipeline (template or CLF/JSON/XML/CSV); else `createMetrics({ accessLog: { format } })`. */
  accessLogFormat?: string
  /** Per-route dimensions (`Method`/`Resource`, `Route`) when a router set `ctx.resourcePath`. @default true */
  detailedMetrics?: boolean
  /** Logs errors the rest of the pipeline threw (they are answered 500 here, so they are counted). @default jsonLogger */
  logger?: Logger
}

/**
 * The gateway's request events for any pipeline, so `createMetrics()` can
 * count, log and trace an Express, Koa, Fastify or Hono app that uses @gw
 * middleware without `createGateway()`: it times the rest of the pipeline
 * (Latency, §13.1) and publishes request start/end. Route labels come from
 * `ctx.resourcePath` (set by @gw/router), so raw paths never become labels.
 * Requests an adapter hands back to the host (`fallthrough`) are not counted:
 * the host answered them. Put it first; do not wrap a `createGateway()`
 * handler with it (the gateway publishes its own).
 * @throws GwError GW_CONFIG_INVALID for bad options
 * @example
 * app.use(expressAdapter(compose([metrics({ apiName: 'shop', stage: 'prod' }), throttler({ rateLimit: 100, burstLimit: 200 })]), { fallthrough: true }))
 */
export function metrics(options: MetricsMiddlewareOptions = {}): Middleware<object> {
  const opts = parseOptions(schema, options, 'metrics')
  const logger = opts.logger ?? jsonLogger
  // One frozen settings object per method + template: series are found by identity, and they stay bounded.
  const routes = new Map<string, RouteMetricSettings>()
  const routeOf = (ctx: GatewayContext<object>): RouteMetricSettings | undefined => {
    const resource = ctx.resourcePath
    if (resource === undefined) return undefined
    const method = ctx.routeKey === undefined ? ctx.method : ctx.routeKey === '$default' ? 'ANY' : ctx.routeKey.slice(0, ctx.routeKey.indexOf(' '))
    const key = `${method} ${resource}`
    let r = routes.get(key)
    if (r === undefined) {
      r = Object.freeze({ method, resource, routeKey: ctx.routeKey ?? key, detailedMetrics: opts.detailedMetrics, loggingLevel: 'OFF' as const, dataTraceEnabled: false })
      routes.set(key, r)
    }
    return r
  }
  const end = (ctx: GatewayContext<object>, start: number, times: PhaseTimes): void => {
    // Not answered here (no route, or the chain ran out with nothing set): the host framework answers, not us.
    if (ctx.noRoute || (ctx.error === undefined && ctx.body === null && ctx.status === 200) || !requestEndChannel.hasSubscribers) return
    const event: RequestEndEvent = {
      ctx,
      apiName: opts.apiName,
      route: routeOf(ctx),
      accessLogFormat: opts.accessLogFormat,
      latencyMs: monotonicMs() - start,
      requestBytes: Number(ctx.headers['content-length'] ?? 0) || 0,
      responseBytes: typeof ctx.body === 'string' ? textByteLength(ctx.body) : ctx.body instanceof Uint8Array ? ctx.body.byteLength : ctx.body === null ? 0 : -1,
      integrationLatencyMs: times.integrationLatencyMs,
      authorizerLatencyMs: times.authorizerLatencyMs
    }
    requestEndChannel.publish(event)
  }
  return function metricsMiddleware(ctx: GatewayContext<object>, next: Next): Promise<void> | void {
    if (!requestEndChannel.hasSubscribers && !requestStartChannel.hasSubscribers) return next()
    const start = monotonicMs()
    if (opts.stage !== undefined) ctx.stage ??= opts.stage
    ctx.apiId ??= opts.apiName
    // observePhase() steps of the chain write IntegrationLatency / the authorizer's time here (§13.1).
    const times: PhaseTimes = { integrationLatencyMs: undefined, authorizerLatencyMs: undefined }
    ctx.phaseTimes = times
    if (requestStartChannel.hasSubscribers) requestStartChannel.publish({ ctx })
    return next().then(
      () => end(ctx, start, times),
      (err: unknown) => {
        handlePipelineError(ctx, err, logger)
        end(ctx, start, times)
      }
    )
  }
}
