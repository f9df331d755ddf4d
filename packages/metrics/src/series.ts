import type { ApiFlavour, RequestEndEvent, RouteMetricSettings } from '@gw/core'
import { apiDimension, dimensionValue } from './aws-metrics.js'

/** Label value of `resource` (and of `stage` for an unknown stage) when nothing matched: every unknown path shares it. */
export const UNMATCHED = '(none)'

/** Methods kept as label values; anything else a client sends is `OTHER`, so labels stay bounded. */
const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'])

/**
 * One bounded label set of the request metrics: an API stage's method/route
 * (its template, never the raw path), or the one "unmatched" set per API,
 * stage and method. Sinks hang their per-series state on it, so a request
 * costs one lookup, not one string join per sink.
 */
export interface Series {
  readonly flavour: ApiFlavour
  /** REST `ApiName` / HTTP `ApiId`. */
  readonly api: string
  /** Stage name, or `(none)` for an unknown stage. */
  readonly stage: string
  readonly hasStage: boolean
  /** Method as defined (`ANY` stays `ANY`); the request's (bounded) for unmatched requests. */
  readonly method: string
  /** Resource path / route path template, or `(none)`. */
  readonly resource: string
  /** HTTP route key (`GET /pets`), for the `Route` dimension. */
  readonly routeKey: string
  /** §13.1 detailed metrics (REST `metricsEnabled`, HTTP `detailedMetricsEnabled`). */
  readonly detailed: boolean
  /** Prometheus sink state. */
  prom: unknown
  /** EMF sink state. */
  emf: unknown
}

/** Finds the series of a request: matched ones by their (frozen, per-stage) route settings object, unmatched ones by api/stage/method. */
export class SeriesTable {
  readonly #routes = new WeakMap<RouteMetricSettings, Series>()
  readonly #unmatched = new Map<string, Series>()
  /** The route looked up last and its series: a stage's requests mostly hit one route again, found by === before the WeakMap. */
  #lastRoute: RouteMetricSettings | undefined = undefined
  #lastSeries: Series | undefined = undefined
  /** Every series, for scrapes. */
  readonly all: Series[] = []

  lookup(event: RequestEndEvent): Series {
    const route = event.route
    if (route !== undefined) {
      if (route === this.#lastRoute) return this.#lastSeries as Series
      let s = this.#routes.get(route)
      if (s === undefined) this.#routes.set(route, (s = this.#add(event, route.method, route.resource, route.routeKey, route.detailedMetrics)))
      this.#lastRoute = route
      this.#lastSeries = s
      return s
    }
    const ctx = event.ctx
    const method = KNOWN_METHODS.has(ctx.method) ? ctx.method : 'OTHER'
    const key = `${ctx.flavour}\n${event.apiName}\n${ctx.apiId ?? ''}\n${ctx.stage ?? ''}\n${method}`
    let s = this.#unmatched.get(key)
    if (s === undefined) this.#unmatched.set(key, (s = this.#add(event, method, UNMATCHED, UNMATCHED, false)))
    return s
  }

  #add(event: RequestEndEvent, method: string, resource: string, routeKey: string, detailed: boolean): Series {
    const ctx = event.ctx
    const stage = ctx.stage
    // A second deployment of the same route reuses the label set (same labels, one series).
    const existing = this.all.find((s) => s.flavour === ctx.flavour && s.api === apiDimension(ctx.flavour, event) && s.stage === (stage ?? UNMATCHED) && s.method === method && s.resource === resource && s.detailed === detailed)
    if (existing !== undefined) return existing
    const s: Series = {
      flavour: ctx.flavour,
      api: apiDimension(ctx.flavour, event),
      stage: stage === undefined ? UNMATCHED : dimensionValue(stage),
      hasStage: stage !== undefined,
      method,
      resource: dimensionValue(resource),
      routeKey: dimensionValue(routeKey),
      detailed,
      prom: undefined,
      emf: undefined
    }
    this.all.push(s)
    return s
  }
}
