import { defineError } from '@gw/core'

/** Error codes of @gw/stages. */
export type StagesErrorCode = 'GW_STAGES_BAD_REQUEST' | 'GW_STAGES_NOT_FOUND'

/** A management call AWS answers with 400 BadRequestException; the message is AWS's (§6.1, §6.4). */
export const StagesBadRequest = defineError('GW_STAGES_BAD_REQUEST', 'Invalid request', 400)
/** A management call naming an unknown stage or deployment (404 NotFoundException). */
export const StagesNotFound = defineError('GW_STAGES_NOT_FOUND', 'Invalid stage identifier specified', 404)
