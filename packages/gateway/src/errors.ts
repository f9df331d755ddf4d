import { defineError } from '@gw/core'

/** Error codes of @gw/gateway. */
export type GatewayErrorCode = 'GW_GATEWAY_UNSUPPORTED'

/**
 * The definition asks for a feature no slot provides (an authorizer, a
 * validator, a non-MOCK integration without its factory). Raised at
 * construction, never at request time: the gateway refuses to serve a method
 * with its protection or behaviour silently missing.
 */
export const GatewayUnsupported = defineError('GW_GATEWAY_UNSUPPORTED', 'the definition needs a slot that is not configured')
