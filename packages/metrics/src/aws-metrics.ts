import type { ApiFlavour, RequestEndEvent, WebSocketMetricName } from '@gw/core'
import type { RequestStash } from './request-stash.js'

/** CloudWatch namespace of every API Gateway metric (aws-semantics §13.1). */
export const AWS_NAMESPACE = 'AWS/ApiGateway'

/** REST API metric names (§13.1). */
export type RestMetricName = 'Count' | '4XXError' | '5XXError' | 'CacheHitCount' | 'CacheMissCount' | 'Latency' | 'IntegrationLatency'
/** HTTP API metric names (§13.1: lower-case `4xx` / `5xx`). */
export type HttpMetricName = 'Count' | '4xx' | '5xx' | 'Latency' | 'IntegrationLatency' | 'DataProcessed'
/** Every API Gateway metric name, WebSocket's included. */
export type AwsMetricName = RestMetricName | HttpMetricName | WebSocketMetricName
/** CloudWatch units of those metrics. */
export type AwsMetricUnit = 'Count' | 'Milliseconds' | 'Bytes'

/** The unit of each metric, as CloudWatch publishes it (§13.1). */
export const AWS_METRIC_UNITS: Readonly<Record<AwsMetricName, AwsMetricUnit>> = Object.freeze({
  Count: 'Count',
  '4XXError': 'Count',
  '5XXError': 'Count',
  CacheHitCount: 'Count',
  CacheMissCount: 'Count',
  Latency: 'Milliseconds',
  IntegrationLatency: 'Milliseconds',
  '4xx': 'Count',
  '5xx': 'Count',
  DataProcessed: 'Bytes',
  ConnectCount: 'Count',
  MessageCount: 'Count',
  IntegrationError: 'Count',
  ClientError: 'Count',
  ExecutionError: 'Count'
})

/** One request's (or WebSocket event's) CloudWatch datum: dimension values, the dimension sets it rolls up into, and the values (§13.1). */
export interface AwsMetricRecord {
  readonly namespace: typeof AWS_NAMESPACE
  readonly flavour: ApiFlavour | 'WEBSOCKET'
  /** `ApiName` (REST) or `ApiId` (HTTP, WebSocket), `Stage`, and `Method` + `Resource` (REST) or `Route` with detailed metrics. */
  readonly dimensions: Readonly<Record<string, string>>
  /** E.g. `[['ApiName'], ['ApiName', 'Stage'], ['ApiName', 'Method', 'Resource', 'Stage']]`. */
  readonly dimensionSets: readonly (readonly string[])[]
  readonly values: Readonly<Partial<Record<AwsMetricName, number>>>
}

/** Dimension values are at most 255 characters (§13.1). */
export function dimensionValue(value: string): string {
  return value.length <= 255 ? value : value.slice(0, 255)
}

/** §13.1: non-ASCII characters are stripped from `ApiName`; a name with none left becomes the API id. */
export function apiNameDimension(name: string, apiId: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const ascii = name.replace(/[^\x00-\x7f]/g, '')
  return dimensionValue(ascii.length === 0 ? (apiId ?? name) : ascii)
}

/** REST: `ApiName`; HTTP: `ApiId` (§13.1). */
export function apiDimension(flavour: ApiFlavour, event: Pick<RequestEndEvent, 'apiName' | 'ctx'>): string {
  return flavour === 'HTTP' ? dimensionValue(event.ctx.apiId ?? event.apiName) : apiNameDimension(event.apiName, event.ctx.apiId)
}

/**
 * The metrics hook (§13.1): the CloudWatch datum of one answered request with
 * AWS's names, units and dimensions. Gateway-generated errors count like
 * integration ones (a 403 for an unknown path is a `4XXError`, a 504 a
 * `5XXError`); `Method`/`Resource` (REST) or `Route` (HTTP) only appear when
 * the method's detailed metrics are on.
 * @example
 * createMetrics({ onMetrics: (r) => console.log(r.dimensions, r.values) })
 */
export function awsMetricRecord(event: RequestEndEvent, stash: RequestStash | undefined): AwsMetricRecord {
  const ctx = event.ctx
  const flavour = ctx.flavour
  const status = ctx.status
  const route = event.route
  const api = apiDimension(flavour, event)
  const apiKey = flavour === 'HTTP' ? 'ApiId' : 'ApiName'
  const dimensions: Record<string, string> = { [apiKey]: api }
  const sets: string[][] = [[apiKey]]
  if (ctx.stage !== undefined) {
    dimensions.Stage = dimensionValue(ctx.stage)
    sets.push([apiKey, 'Stage'])
    if (route?.detailedMetrics === true) {
      if (flavour === 'HTTP') {
        dimensions.Route = dimensionValue(route.routeKey)
        sets.push([apiKey, 'Stage', 'Route'])
      } else {
        dimensions.Method = route.method
        dimensions.Resource = dimensionValue(route.resource)
        sets.push([apiKey, 'Method', 'Resource', 'Stage'])
      }
    }
  }
  const values: Partial<Record<AwsMetricName, number>> = { Count: 1 }
  const e4 = status >= 400 && status < 500 ? 1 : 0
  const e5 = status >= 500 ? 1 : 0
  if (flavour === 'HTTP') {
    values['4xx'] = e4
    values['5xx'] = e5
  } else {
    values['4XXError'] = e4
    values['5XXError'] = e5
  }
  values.Latency = event.latencyMs
  if (event.integrationLatencyMs !== undefined) values.IntegrationLatency = event.integrationLatencyMs
  if (flavour === 'HTTP') values.DataProcessed = event.requestBytes + Math.max(0, event.responseBytes)
  else if (stash?.cacheHit !== undefined) {
    values.CacheHitCount = stash.cacheHit ? 1 : 0
    values.CacheMissCount = stash.cacheHit ? 0 : 1
  }
  return { namespace: AWS_NAMESPACE, flavour, dimensions, dimensionSets: sets, values }
}
