import type { ErrorObject } from 'ajv'

/**
 * Renders ajv errors in the wording of the validator API Gateway uses
 * (fge json-schema-validator), for `$context.error.validationErrorString`
 * (§5.2 [I-text]): `[object has missing required properties (["name"])]`.
 */
export function validationErrorString(errors: readonly ErrorObject[]): string {
  const parts: string[] = []
  const missing = new Map<string, string[]>()
  for (const err of errors) {
    if (err.keyword === 'required') {
      const list = missing.get(err.instancePath) ?? []
      list.push(String((err.params as { missingProperty?: unknown }).missingProperty))
      if (!missing.has(err.instancePath)) {
        missing.set(err.instancePath, list)
        parts.push(`\u0000required${err.instancePath}`)
      }
      continue
    }
    parts.push(message(err))
  }
  return `[${parts
    .map((p) => {
      if (!p.startsWith('\u0000required')) return p
      const names = (missing.get(p.slice(9)) ?? []).sort()
      return `object has missing required properties (${JSON.stringify(names)})`
    })
    .join(', ')}]`
}

function message(err: ErrorObject): string {
  const p = err.params as Record<string, unknown>
  const data: unknown = err.data
  switch (err.keyword) {
    case 'type': {
      const allowed = Array.isArray(p.type) ? p.type : String(p.type).split(',')
      return `instance type (${jsonType(data)}) does not match any allowed primitive type (allowed: ${JSON.stringify(allowed)})`
    }
    case 'minimum':
      return `numeric instance is lower than the required minimum (minimum: ${String(p.limit)}, found: ${String(data)})`
    case 'maximum':
      return `numeric instance is greater than the required maximum (maximum: ${String(p.limit)}, found: ${String(data)})`
    case 'minLength':
      return `string ${JSON.stringify(data)} is too short (length: ${String(typeof data === 'string' ? data.length : 0)}, required minimum: ${String(p.limit)})`
    case 'maxLength':
      return `string ${JSON.stringify(data)} is too long (length: ${String(typeof data === 'string' ? data.length : 0)}, maximum allowed: ${String(p.limit)})`
    case 'enum':
      return `instance value (${JSON.stringify(data)}) not found in enum (possible values: ${JSON.stringify(p.allowedValues)})`
    case 'pattern':
      return `ECMA 262 regex ${JSON.stringify(p.pattern)} does not match input string ${JSON.stringify(data)}`
    case 'additionalProperties':
      return `object instance has properties which are not allowed by the schema: ${JSON.stringify([p.additionalProperty])}`
    case 'minItems':
      return `array is too short: must have at least ${String(p.limit)} elements but instance has ${String(Array.isArray(data) ? data.length : 0)} elements`
    case 'maxItems':
      return `array is too long: must have at most ${String(p.limit)} elements but instance has ${String(Array.isArray(data) ? data.length : 0)} elements`
    case 'format':
      return `string ${JSON.stringify(data)} is invalid against requested format ${JSON.stringify(p.format)}`
    default:
      return `${err.instancePath === '' ? 'instance' : err.instancePath} ${err.message ?? 'is invalid'}`
  }
}

function jsonType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}
