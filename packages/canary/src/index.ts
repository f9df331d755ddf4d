// @gw/canary public surface: every export named here (no `export *`).
export { createCanary } from './canary.js'
export type { Canary, CanaryOptions, CanaryDecision, CanaryRollbackEvent } from './canary.js'
export { CanaryHealth } from './canary-health.js'
export { stickyPoint, cookieValue } from './sticky-hash.js'
export { CanaryNotAvailable } from './errors.js'
export type { CanaryErrorCode } from './errors.js'
