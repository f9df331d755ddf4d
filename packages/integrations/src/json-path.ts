const SEGMENT = /([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]/g

/** Splits `a.b[0].c` (or `$.a.b`) into keys once, at construction. */
export function compileJsonPath(path: string): readonly (string | number)[] {
  const p = path.startsWith('$') ? path.slice(1) : path
  const keys: (string | number)[] = []
  for (const m of p.matchAll(SEGMENT)) keys.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3] ?? ''))
  return keys
}

/** Reads compiled keys from a parsed JSON value; `undefined` when absent. */
export function readJsonPath(value: unknown, keys: readonly (string | number)[]): unknown {
  let v = value
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string | number, unknown>)[k]
  }
  return v
}

/** A JSON value as a mapping source produces it: strings bare, everything else JSON text (§3.7). */
export function stringifyMapped(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/**
 * Body parse rule of §3.7: parsed only when it starts with `{`, `[`, `"` or
 * `'`; anything else counts as `{}`. Returns `INVALID` for bad JSON.
 */
export function parseMappingBody(body: string): unknown {
  const t = body.trimStart()
  const c = t.charCodeAt(0)
  if (c !== 123 && c !== 91 && c !== 34 && c !== 39) return {}
  try {
    return JSON.parse(t) as unknown
  } catch {
    return INVALID
  }
}

/** Marker for an unparseable JSON body. */
export const INVALID: unique symbol = Symbol('invalid-json')
