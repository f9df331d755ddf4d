import { methodSettingEntry, type ExecutionLoggingLevel, type RouteMetricSettings } from '@gw/core'
import type { HttpStageDefinition, MethodSetting, RestStageDefinition } from './definition.js'
import type { SlotInput } from './slots.js'

/**
 * What metrics, execution logs and tracing need of one method (REST) or route
 * (HTTP) on one stage, compiled once when the stage's pipeline is built:
 * REST `metricsEnabled` / `loggingLevel` / `dataTraceEnabled` from the
 * method's `methodSettings` entry, field by field over `*\/*` (§6.1); HTTP
 * `detailedMetricsEnabled` from `routeSettings[routeKey]` over
 * `defaultRouteSettings` (§6.2).
 */
export function routeMetricSettings(input: SlotInput): RouteMetricSettings {
  if (input.flavour === 'REST') {
    const all = (input.stage as RestStageDefinition).methodSettings as Readonly<Record<string, MethodSetting>>
    const exact = methodSettingEntry(all, input.resourcePath, input.httpMethod)
    const star = all['*/*']
    return Object.freeze({
      method: input.httpMethod,
      resource: input.resourcePath,
      routeKey: input.routeKey,
      detailedMetrics: exact?.metricsEnabled ?? star?.metricsEnabled ?? false,
      loggingLevel: (exact?.loggingLevel ?? star?.loggingLevel ?? 'OFF') satisfies ExecutionLoggingLevel,
      dataTraceEnabled: exact?.dataTraceEnabled ?? star?.dataTraceEnabled ?? false
    })
  }
  const stage = input.stage as HttpStageDefinition
  return Object.freeze({
    method: input.httpMethod,
    resource: input.resourcePath,
    routeKey: input.routeKey,
    detailedMetrics: stage.routeSettings[input.routeKey]?.detailedMetricsEnabled ?? stage.defaultRouteSettings?.detailedMetricsEnabled ?? false,
    loggingLevel: 'OFF',
    dataTraceEnabled: false
  })
}

/** The key `routeMetricSettings` are found under at request time: `GET /pets/{id}` (REST tries the request method, then `ANY`), or the HTTP route key. */
export function routeLookupKey(method: string, resource: string): string {
  return `${method} ${resource}`
}
