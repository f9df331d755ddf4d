/** Small readers for untyped document values: each returns `undefined` instead of throwing. */

/** `value` when it is a plain object. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}

/** `value` when it is a string (numbers are stringified: YAML reads `200` as a number). */
export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  return undefined
}

/** `value` when it is an array of strings. */
export function asStringArray(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined
  const out: string[] = []
  for (const item of value) {
    if (typeof item !== 'string') return undefined
    out.push(item)
  }
  return out
}

/** `value` when it is a string → string map (numbers stringified). */
export function asStringMap(value: unknown): Record<string, string> | undefined {
  const record = asRecord(value)
  if (record === undefined) return undefined
  const out: Record<string, string> = {}
  for (const [key, item] of Object.entries(record)) {
    const text = asString(item)
    if (text === undefined) return undefined
    out[key] = text
  }
  return out
}

/** Sets `target[key] = value` only when `value` is defined (exactOptionalPropertyTypes-friendly). */
export function setDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value
}
