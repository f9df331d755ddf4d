/** Small readers for template values (after intrinsics, numbers may be strings: `!Ref RateParam`). */

/** A number from a number or numeric string, else undefined. */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value)
  return undefined
}

/** A string from a string, number or boolean, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined
}

/** A boolean from true/false or 'true'/'false', else undefined. */
export function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value
  if (value === 'true' || value === 'false') return value === 'true'
  return undefined
}

/** A list of strings from a list or one string, else undefined. */
export function strings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.map(String)
  return undefined
}

/** `ThrottlingRateLimit` → `throttlingRateLimit` (CloudFormation's names → the API's). */
export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1)
}

/** Every key lower-firsted, values converted by `convert` (undefined drops the key). */
export function lowerKeys(record: Record<string, unknown>, convert: (key: string, value: unknown) => unknown = (_k, v) => v): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(record)) {
    const converted = convert(k, v)
    if (converted !== undefined) out[lowerFirst(k)] = converted
  }
  return out
}

/** `'GET,POST'` (a CloudFormation CORS value is a quoted mapping expression) → `GET,POST`. */
export function unquote(value: string): string {
  return value.length >= 2 && value.startsWith("'") && value.endsWith("'") ? value.slice(1, -1) : value
}
