import { methodSettingEntry } from '@gw/core'

/** A rate/burst pair as the rest of @gw/throttler takes it. */
export interface ThrottleLimits {
  readonly rateLimit: number
  readonly burstLimit: number
}

/** REST stage `methodSettings` entry (only the throttling fields matter here, §8.1). */
export interface MethodSetting {
  throttlingRateLimit?: number
  throttlingBurstLimit?: number
  readonly [other: string]: unknown
}

/** HTTP API `defaultRouteSettings` / `routeSettings` entry, either casing (API vs CloudFormation). */
export interface RouteSetting {
  throttlingRateLimit?: number
  throttlingBurstLimit?: number
  ThrottlingRateLimit?: number
  ThrottlingBurstLimit?: number
  readonly [other: string]: unknown
}

/**
 * Effective stage per-method throttle of a REST method (aws-semantics §8.1
 * level 3): `methodSettings["{resourcePath}/{METHOD}"]`, falling back field by
 * field to `methodSettings["*\/*"]`. Keys may be written `/pets/GET`,
 * `pets/GET` or with the patch-path escape `~1pets/GET`; the root is `//GET`.
 * Call it once per method when building a pipeline, not per request.
 * @returns the limits, or `undefined` when neither entry throttles
 * @example
 * methodThrottle({ '*\/*': { throttlingRateLimit: 100, throttlingBurstLimit: 50 } }, '/pets', 'GET') // { rateLimit: 100, burstLimit: 50 }
 */
export function methodThrottle(methodSettings: Readonly<Record<string, MethodSetting>> | undefined, resourcePath: string, httpMethod: string): ThrottleLimits | undefined {
  if (methodSettings === undefined) return undefined
  const exact = methodSettingEntry(methodSettings, resourcePath, httpMethod)
  return pick(exact?.throttlingRateLimit, exact?.throttlingBurstLimit, methodSettings['*/*']?.throttlingRateLimit, methodSettings['*/*']?.throttlingBurstLimit)
}

/**
 * Effective route throttle of an HTTP API route (§8.1 "HTTP API"):
 * `routeSettings[routeKey]`, falling back field by field to
 * `defaultRouteSettings`. Call once per route.
 * @example
 * routeThrottle({ throttlingRateLimit: 10, throttlingBurstLimit: 5 }, {}, 'GET /pets') // { rateLimit: 10, burstLimit: 5 }
 */
export function routeThrottle(
  defaultRouteSettings: RouteSetting | undefined,
  routeSettings: Readonly<Record<string, RouteSetting>> | undefined,
  routeKey: string
): ThrottleLimits | undefined {
  const route = routeSettings?.[routeKey]
  return pick(
    route?.throttlingRateLimit ?? route?.ThrottlingRateLimit,
    route?.throttlingBurstLimit ?? route?.ThrottlingBurstLimit,
    defaultRouteSettings?.throttlingRateLimit ?? defaultRouteSettings?.ThrottlingRateLimit,
    defaultRouteSettings?.throttlingBurstLimit ?? defaultRouteSettings?.ThrottlingBurstLimit
  )
}

function pick(rate: number | undefined, burst: number | undefined, fallbackRate: number | undefined, fallbackBurst: number | undefined): ThrottleLimits | undefined {
  // AWS reports unset limits as -1; treat negatives as unset.
  const r = rate !== undefined && rate >= 0 ? rate : fallbackRate !== undefined && fallbackRate >= 0 ? fallbackRate : undefined
  const b = burst !== undefined && burst >= 0 ? burst : fallbackBurst !== undefined && fallbackBurst >= 0 ? fallbackBurst : undefined
  if (r === undefined && b === undefined) return undefined
  // One field alone: a rate without burst gets burst = max(1, ceil(rate)); a burst alone refills at its own size per second.
  return { rateLimit: r ?? Math.max(b ?? 0, 1), burstLimit: b ?? Math.max(1, Math.ceil(r ?? 1)) }
}
