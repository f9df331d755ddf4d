import { defineError } from '@gw/core'

/** Stable error codes of @gw/openapi. */
export type OpenApiErrorCode = 'GW_OPENAPI_INVALID' | 'GW_OPENAPI_REF'

/**
 * The document is not usable: not YAML/JSON, not OpenAPI 3.x / Swagger 2.0, or a field API Gateway needs is
 * malformed (§16.1). The message names the file, the JSON pointer and, when the parser gives it, the line.
 */
export const OpenApiInvalid = defineError('GW_OPENAPI_INVALID', 'invalid OpenAPI document', 400)

/** A `$ref` cannot be resolved (missing file, missing pointer target, remote URL, or a reference cycle). */
export const OpenApiRef = defineError('GW_OPENAPI_REF', 'unresolvable $ref', 400)
