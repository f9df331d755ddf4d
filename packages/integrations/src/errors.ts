import { defineError } from '@gw/core'

/** Codes of @gw/integrations: configuration mistakes found at construction. */
export type IntegrationsErrorCode = 'GW_INTEGRATIONS_UNSUPPORTED'

/** A definition asks for something this package does not do (named in the message). */
export const IntegrationUnsupported = defineError('GW_INTEGRATIONS_UNSUPPORTED', 'unsupported integration definition')
