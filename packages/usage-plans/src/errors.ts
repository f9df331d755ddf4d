import { defineError } from '@gw/core'

/** Stable error codes of @gw/usage-plans (management calls; requests get gateway responses). */
export type UsagePlansErrorCode =
  | 'GW_USAGE_NOT_FOUND'
  | 'GW_USAGE_CONFLICT'
  | 'GW_USAGE_LIMIT_EXCEEDED'
  | 'GW_USAGE_BAD_REQUEST'

/** No API key or usage plan with that id (AWS NotFoundException). */
export const UsageNotFound = defineError('GW_USAGE_NOT_FOUND', 'not found', 404)
/** Duplicate key value or id, or a key already in another plan for the same api stage (§9.1, AWS ConflictException). */
export const UsageConflict = defineError('GW_USAGE_CONFLICT', 'conflict', 409)
/** A §9.1 / §15 limit would be passed (10,000 keys, 300 plans, 10 plans per key, 20 method throttles per stage). */
export const UsageLimitExceeded = defineError('GW_USAGE_LIMIT_EXCEEDED', 'limit exceeded', 429)
/** Bad dates, patch operations or paging position. */
export const UsageBadRequest = defineError('GW_USAGE_BAD_REQUEST', 'bad request', 400)
