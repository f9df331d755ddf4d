import { defineError } from '@gw/core'

/** Error codes of @gw/canary. */
export type CanaryErrorCode = 'GW_CANARY_NOT_AVAILABLE'

/** Promote or delete on a stage without a canary: AWS's 400 (§6.4). */
export const CanaryNotAvailable = defineError('GW_CANARY_NOT_AVAILABLE', 'Promotion not available. Canary does not exist.', 400)
