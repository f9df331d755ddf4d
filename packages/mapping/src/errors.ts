import { defineError } from '@gw/core'

/** Every stable error code of @gw/mapping. */
export type MappingErrorCode = 'GW_MAPPING_TEMPLATE_INVALID' | 'GW_MAPPING_TEMPLATE_TOO_LARGE' | 'GW_MAPPING_RENDER_LIMIT' | 'GW_MAPPING_OVERRIDE_TWICE' | 'GW_MAPPING_MODEL_INVALID'

/** A mapping template does not parse as VTL (thrown by `compileTemplate`). */
export const TemplateInvalid = defineError('GW_MAPPING_TEMPLATE_INVALID', 'mapping template is not valid VTL')
/** A mapping template is larger than AWS's 300 KB limit (§4, §15). */
export const TemplateTooLarge = defineError('GW_MAPPING_TEMPLATE_TOO_LARGE', 'mapping template exceeds 300 KB (aws-semantics §15)')
/**
 * A render hit an iteration, recursion, size or time limit. Used as the
 * `cause` of the GatewayError API_CONFIGURATION_ERROR (500) the render throws.
 */
export const RenderLimit = defineError('GW_MAPPING_RENDER_LIMIT', 'mapping template exceeded a render limit')
/** A template set the same `$context.requestOverride/responseOverride` target twice (§4.7). */
export const OverrideTwice = defineError('GW_MAPPING_OVERRIDE_TWICE', 'an override target may be set only once per template (aws-semantics §4.7)')
/** A request model is not a valid JSON Schema draft 4 (thrown by `createRequestValidator`). */
export const ModelInvalid = defineError('GW_MAPPING_MODEL_INVALID', 'request model is not a valid JSON Schema draft 4')
