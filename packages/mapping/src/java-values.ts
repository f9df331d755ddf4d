/**
 * Java-object semantics of values inside a VTL render (aws-semantics §4):
 * how values print (`toString`), compare (`==`) and test (`#if`). Values are
 * JSON data (strings, numbers, booleans, null, arrays, plain objects),
 * template-made lists and maps, and the host objects of host-objects.ts.
 */
import { NullProto } from '@gw/core'

/** Lists made by the template (`[$a, $b]`, `split`, `keySet`) print as Java `ArrayList`: `[a, b]`. */
const javaLists = new WeakSet<unknown[]>()

/** Marks an array as a template-made Java list (prints `[a, b]`, not JSON). */
export function javaList<T>(items: T[]): T[] {
  javaLists.add(items)
  return items
}

/**
 * Prototype-less dictionary with a fast (non-dictionary-mode) shape: @gw/core's
 * `NullProto`, typed for template values.
 */
export const NullObject = NullProto as unknown as new () => Record<string, unknown>

/** A plain data object: JSON object, template map or NullObject. Other objects are opaque to templates. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === NullObject.prototype || proto === null
}

/** Own, enumerable data of a plain object (never the prototype chain: `constructor`, `__proto__` are unreachable). */
export function ownValue(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined
}

/** Stores a key as an own property even when it is `__proto__` (no prototype change): @gw/core's, one definition. */
export { setOwn } from '@gw/core'

/** A Java `Double`/`Integer` print. */
function numberString(n: number): string {
  return Number.isFinite(n) ? String(n) : n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN'
}

/**
 * Java `toString()` of a value as VTL prints it (§4.1, §4.2, §18.22):
 * null → '' at top level ('null' inside a map or list), JSON objects and
 * template maps as `{k=v, k2=v2}`, JSON arrays as compact JSON, template
 * lists as `[a, b]`, scalars raw.
 */
export function javaString(value: unknown, nested = false): string {
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
      return numberString(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'undefined':
      return nested ? 'null' : ''
    case 'object': {
      if (value === null) return nested ? 'null' : ''
      if (Array.isArray(value)) {
        if (javaLists.has(value)) return `[${value.map((v) => javaString(v, true)).join(', ')}]`
        return JSON.stringify(value)
      }
      if (isPlainObject(value)) {
        let out = '{'
        let first = true
        for (const key of Object.keys(value)) {
          const v = value[key]
          out += `${first ? '' : ', '}${key}=${Array.isArray(v) && !javaLists.has(v) ? JSON.stringify(v) : javaString(v, true)}`
          first = false
        }
        return `${out}}`
      }
      return ''
    }
    case 'bigint':
    case 'function':
    case 'symbol':
      return ''
  }
}

/** Velocity truthiness: only null and `false` are false (Velocity 1.7: an empty string or list is true). */
export function truthy(value: unknown): boolean {
  return value !== null && value !== undefined && value !== false
}

/**
 * Velocity `==`: numbers numerically, same-type scalars by value, anything
 * else by `toString()`, where null prints as '' (so `$null == ""` holds, §4.2 [V]).
 */
export function javaEquals(a: unknown, b: unknown): boolean {
  const an = a === undefined ? null : a
  const bn = b === undefined ? null : b
  if (an === bn) return true
  if (typeof an === 'number' && typeof bn === 'number') return an === bn
  if (an === null && bn === null) return true
  return javaString(an) === javaString(bn)
}
