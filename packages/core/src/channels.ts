import { channel } from 'node:diagnostics_channel'
import type { GatewayContext } from './context.js'

/** Message of `cacheLookupChannel`: one per request to a method whose caching is on (aws-semantics §7, §13.1). */
export interface CacheLookupEvent {
  /** The request's context (stage, resource path, method are read from it). */
  readonly ctx: GatewayContext
  /** true: answered from the cache (CacheHitCount); false: the integration was called (CacheMissCount). */
  readonly hit: boolean
}

/** Published by @gw/cache once per lookup, only while `cacheLookupChannel.hasSubscribers` (no cost otherwise); @gw/metrics subscribes. */
export const cacheLookupChannel = channel('gw:cache:lookup')

/*
 * The channels below carry what aws-semantics §13 measures. Every publisher
 * checks `hasSubscribers` first, as undici does, so a gateway without metrics,
 * logs or tracing pays one boolean read per event point and allocates nothing.
 * Subscribers (@gw/metrics) must not throw and must not hold `ctx` after the
 * request-end event: a context is garbage once its response is written.
 *
 * Order for one request: requestStart → phaseStart/phaseEnd (authorizer,
 * cache, integration; cacheLookup inside the cache phase) → requestEnd. The
 * phase times are also on the request-end event (`PhaseTimes`), so metrics
 * need no phase subscription.
 */

/** Message of `requestStartChannel`: a request entered a gateway (before stage selection, §0.1 step 1). */
export interface RequestStartEvent {
  readonly ctx: GatewayContext<object>
}

/** Published by @gw/gateway when a request enters `createGateway().handler`. @gw/metrics starts the request span here. */
export const requestStartChannel = channel('gw:request:start')

/** Execution-log level of a REST method (§6.1 `loggingLevel`; WebSocket route settings too, §6.2). */
export type ExecutionLoggingLevel = 'OFF' | 'ERROR' | 'INFO'

/**
 * What the metrics of one method (REST) or route (HTTP) need, compiled once
 * per method per stage from `methodSettings` (§6.1) / `routeSettings` (§6.2).
 */
export interface RouteMetricSettings {
  /** The method as defined (`GET`, or `ANY`): the `Method` dimension (§13.1). */
  readonly method: string
  /** REST resource path (`/pets/{id}`) or HTTP route path; `$default` for the HTTP default route. The `Resource` dimension. */
  readonly resource: string
  /** `GET /pets/{id}` or `$default`: the HTTP API `Route` dimension. */
  readonly routeKey: string
  /** REST `metricsEnabled` / HTTP `detailedMetricsEnabled`: adds the per-method/per-route dimension set (§13.1). */
  readonly detailedMetrics: boolean
  /** REST `loggingLevel` (§6.1). HTTP routes are always `OFF` (HTTP APIs have no execution logs). */
  readonly loggingLevel: ExecutionLoggingLevel
  /** REST `dataTraceEnabled` (§6.1): execution logs carry request/response headers (secrets masked). */
  readonly dataTraceEnabled: boolean
}

/**
 * Message of `requestEndChannel`: one per request a gateway answered,
 * gateway-generated errors included (403 unknown path, 429, 504 count as
 * AWS counts them, §13.1).
 */
export interface RequestEndEvent {
  /** The answered context: `status`, `error`, `stage`, `resourcePath`, `routeKey`, `apiId` are final. */
  readonly ctx: GatewayContext<object>
  /** The API's name: REST `ApiName` dimension (HTTP APIs use `ctx.apiId` as `ApiId`). */
  readonly apiName: string
  /** The matched method/route's settings; `undefined` when nothing matched (unknown stage or path). */
  readonly route: RouteMetricSettings | undefined
  /** The stage's `accessLogSettings.format` (a template or a preset name: CLF, JSON, XML, CSV), if any (§13.2). */
  readonly accessLogFormat: string | undefined
  /** `Latency` in ms: from entering the gateway to the response being ready, authorizers and mapping included (§13.1). */
  readonly latencyMs: number
  /** Request body bytes (`content-length`; 0 without one). */
  readonly requestBytes: number
  /** Response body bytes when known (string/Buffer body or `content-length`), else -1 (a stream of unknown length). */
  readonly responseBytes: number
  /** `IntegrationLatency` in ms (§13.1): the `integration` phase as `observePhase()` timed it; `undefined` when no integration ran (a 429, a cache hit). */
  readonly integrationLatencyMs: number | undefined
  /** `$context.authorizer.latency` in ms (§13.3): the `authorizer` phase; `undefined` when none ran. */
  readonly authorizerLatencyMs: number | undefined
}

/**
 * Where `observePhase()` writes the phase times of an observed request: the
 * publisher of `requestEndChannel` (the gateway, `metrics()`) puts one on
 * `ctx.phaseTimes` before the chain runs and passes the times on in
 * its request-end event. IntegrationLatency thus rides on the one request-end
 * message instead of a phase-end message (an event object, a publish and a
 * subscriber call) per phase per request; phase messages are published only
 * for their own subscribers (tracing).
 */
export interface PhaseTimes {
  integrationLatencyMs: number | undefined
  authorizerLatencyMs: number | undefined
}

/** Published by @gw/gateway once the response of a request is on `ctx`. @gw/metrics counts, logs and ends the span here. */
export const requestEndChannel = channel('gw:request:end')

/** A timed step of a method's chain (§0.1): the authorizer, the cache lookup, the integration call. */
export type PhaseName = 'authorizer' | 'cache' | 'integration'

/** Message of `phaseStartChannel`. */
export interface PhaseStartEvent {
  readonly ctx: GatewayContext<object>
  readonly phase: PhaseName
}

/**
 * Message of `phaseEndChannel`. For the `integration` phase `durationMs` is
 * `IntegrationLatency` (§13.1); `error` is what the step threw, if it threw.
 */
export interface PhaseEndEvent {
  readonly ctx: GatewayContext<object>
  readonly phase: PhaseName
  readonly durationMs: number
  readonly error: unknown
}

/** Published by `observePhase()` when a phase starts. A tracer may add headers (W3C `traceparent`) to `ctx.headers` here: HTTP integrations forward them. */
export const phaseStartChannel = channel('gw:phase:start')
/** Published by `observePhase()` when a phase ends: the step called `next()`, returned or threw. */
export const phaseEndChannel = channel('gw:phase:end')

/** The WebSocket API metric names of §13.1 (Count metrics count 1 per event; `IntegrationLatency` is in ms). */
export type WebSocketMetricName = 'ConnectCount' | 'MessageCount' | 'IntegrationError' | 'ClientError' | 'ExecutionError' | 'IntegrationLatency'

/** Message of `websocketMetricChannel`: one datum of a WebSocket API (§13.1, §14). */
export interface WebSocketMetricEvent {
  /** `ApiId` dimension. */
  readonly apiId: string
  /** `Stage` dimension. */
  readonly stage: string
  /** `Route` dimension (`$connect`, `$default`, `sendMessage`); only used when `detailedMetrics` is true. */
  readonly route: string | undefined
  /** The route's `detailedMetricsEnabled` (§6.2). @default false */
  readonly detailedMetrics?: boolean
  readonly metric: WebSocketMetricName
  /** 1 for the count metrics; milliseconds for `IntegrationLatency`. */
  readonly value: number
}

/** Published by @gw/websocket per datum, only while `hasSubscribers`; @gw/metrics exports it as Prometheus and EMF. */
export const websocketMetricChannel = channel('gw:websocket:metric')

/** Message of `storeErrorChannel`: a shared store (Redis) call failed and the store's failure mode decided (DESIGN "failOpen, failClosed or local"). */
export interface StoreErrorEvent {
  /** `redis`, … */
  readonly store: string
  /** What failed: `rateLimit`, `quota`, `cache`, `keyValue`, `connection`. */
  readonly operation: string
  readonly error: unknown
}

/** Published by store implementations (@gw/store-redis) per failed call, only while `hasSubscribers`; counted as `gw_store_errors_total`. */
export const storeErrorChannel = channel('gw:store:error')
