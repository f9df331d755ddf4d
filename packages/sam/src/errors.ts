import { defineError } from '@gw/core'

/** Stable error codes of @gw/sam. */
export type SamErrorCode = 'GW_SAM_INVALID'

/**
 * A SAM template or serverless.yml cannot be translated: the message names the file (and line), the logical id
 * (or function) and the property. Status 400, so the CLI exits 2 like for an invalid gw.config.yaml.
 */
export const SamInvalid = defineError('GW_SAM_INVALID', 'invalid SAM template or serverless.yml', 400)
