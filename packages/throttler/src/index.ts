// @gw/throttler public surface: every export named here (no `export *`).
export { throttler } from './throttler.js'
export { ACCOUNT_DEFAULT_THROTTLE } from './options.js'
export type { ThrottlerOptions, ThrottleLevel, ThrottleKeyOption } from './options.js'
export { throttleKey } from './keys.js'
export type { ThrottleKeyFunction, ThrottleKeyName } from './keys.js'
export { methodThrottle, routeThrottle } from './method-settings.js'
export type { ThrottleLimits, MethodSetting, RouteSetting } from './method-settings.js'
export { rateLimitPolicy, writeRateLimitHeaders } from './rate-limit-headers.js'
