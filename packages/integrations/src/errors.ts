import { defineError } from '@gw/core'

/** Codes of @gw/integrations: configuration mistakes found at construction. */
export type IntegrationsErrorCode = 'GW_INTEGRATIONS_UNSUPPORTED' | 'GW_INTEGRATIONS_TEMPLATE' | 'GW_INTEGRATIONS_LAMBDA'

/** A definition asks for something this package does not do (named in the message). */
export const IntegrationUnsupported = defineError('GW_INTEGRATIONS_UNSUPPORTED', 'unsupported integration definition')
/** A mapping template needs a template engine (pass `options.templates`, @gw/mapping). */
export const TemplateUnavailable = defineError('GW_INTEGRATIONS_TEMPLATE', 'mapping templates with VTL need options.templates (@gw/mapping)')
/** A Lambda function cannot be resolved (no in-process handler and no remote endpoint). */
export const LambdaUnresolved = defineError('GW_INTEGRATIONS_LAMBDA', 'no handler for this Lambda function: pass options.lambda')
