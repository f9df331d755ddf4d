import { defineError } from '@gw/core'

/** Stable error codes of @gw/store-redis. */
export type StoreRedisErrorCode = 'GW_STORE_UNAVAILABLE'

/**
 * Redis could not answer a management call (usage reports, UpdateUsage) or a
 * `failClosed` cache/key-value call. Request-path decisions never throw: they
 * follow `onStoreError`.
 */
export const StoreUnavailable = defineError('GW_STORE_UNAVAILABLE', 'the Redis store is unavailable; check REDIS_URL and that Redis is up', 503)
