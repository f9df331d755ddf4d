import { methodSettingEntry, type ExecutionLoggingLevel, type GatewayContext, type RouteMetricSettings } from '@gw/core'
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

/**
 * The `routeMetricSettings` of one stage pipeline, found for an observed
 * request without joining a key string per request: REST by resource path,
 * then the request's method, else `ANY`; HTTP by route key (§13.1).
 */
export class RouteMetricIndex {
  /** REST: resource path → method → settings. */
  readonly #resources = new Map<string, Map<string, RouteMetricSettings>>()
  /** HTTP: route key → settings. */
  readonly #routes = new Map<string, RouteMetricSettings>()

  add(input: SlotInput): void {
    const settings = routeMetricSettings(input)
    this.#lastResource = undefined
    if (input.flavour === 'HTTP') {
      this.#routes.set(input.routeKey, settings)
      return
    }
    let methods = this.#resources.get(input.resourcePath)
    if (methods === undefined) this.#resources.set(input.resourcePath, (methods = new Map<string, RouteMetricSettings>()))
    methods.set(input.httpMethod, settings)
  }

  /** The last REST lookup (resource path, method, its settings): a stage's requests mostly repeat one method, found by === before two map lookups. */
  #lastResource: string | undefined = undefined
  #lastMethod: string | undefined = undefined
  #lastSettings: RouteMetricSettings | undefined = undefined

  /** The settings of the method/route `ctx` matched (`ctx.resourcePath` set), if it is one of this pipeline's. */
  find(ctx: GatewayContext<object>, resource: string): RouteMetricSettings | undefined {
    if (ctx.flavour === 'HTTP') return this.#routes.get(ctx.routeKey ?? '')
    const method = ctx.method
    if (resource === this.#lastResource && method === this.#lastMethod) return this.#lastSettings
    const methods = this.#resources.get(resource)
    const settings = methods === undefined ? undefined : (methods.get(method) ?? methods.get('ANY'))
    this.#lastResource = resource
    this.#lastMethod = method
    this.#lastSettings = settings
    return settings
  }
}
