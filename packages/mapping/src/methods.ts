import { ForeachHost, InputHost, UtilHost } from './host-objects.js'
import { NullObject, isPlainObject, javaEquals, javaList, javaString, ownValue, setOwn } from './java-values.js'
import { javaMatches, javaReplace, javaSplit } from './java-regex.js'
import { base64Decode, base64Encode, escapeJavaScript, urlDecode, urlEncode } from './util-functions.js'
import { compileJsonPath, evaluateJsonPath } from './json-path.js'

/** What `$input` needs from the render (§4.1). */
export interface InputSource {
  /** `$input.body` ('' already replaced by '{}'). */
  readonly body: string
  /** Parsed body, or `INVALID_JSON`. Lazy: parsed on first `json()`/`path()`. */
  json(): unknown
  readonly params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> }
}

/** Marker for a body that is not JSON. */
export const INVALID_JSON: unique symbol = Symbol('invalid json')

const str = (v: unknown): string | null => (typeof v === 'string' ? v : v === null || v === undefined ? null : javaString(v))
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null)

/**
 * Reads a property (`$x.name`). Data: own properties of plain objects only
 * (Velocity maps' `get(name)`), so `constructor`, `__proto__` and
 * `prototype` resolve to nothing. Host objects: their listed members.
 */
export function getProperty(target: unknown, name: string, input: InputSource): unknown {
  if (isPlainObject(target)) return ownValue(target, name)
  if (target instanceof InputHost) return name === 'body' ? input.body : undefined
  if (target instanceof ForeachHost) return foreachMember(target, name)
  return undefined
}

function foreachMember(f: ForeachHost, name: string): unknown {
  switch (name) {
    case 'index':
      return f.index
    case 'count':
      return f.count
    case 'hasNext':
      return f.hasNext
    case 'first':
      return f.first
    case 'last':
      return f.last
    default:
      return undefined
  }
}

/** Reads `$x[key]`: list index or map key. */
export function getIndex(target: unknown, key: unknown): unknown {
  if (Array.isArray(target)) {
    const i = int(key)
    return i !== null && i >= 0 && i < target.length ? (target[i] as unknown) : undefined
  }
  if (isPlainObject(target) && (typeof key === 'string' || typeof key === 'number')) return ownValue(target, String(key))
  return undefined
}

/**
 * Calls a whitelisted method. Anything not listed (`getClass`, `constructor`,
 * `toString` of host objects, …) returns undefined and renders nothing.
 */
export function callMethod(target: unknown, name: string, args: readonly unknown[], input: InputSource): unknown {
  if (typeof target === 'string') return stringMethod(target, name, args)
  if (Array.isArray(target)) return listMethod(target, name, args)
  if (isPlainObject(target)) return mapMethod(target, name, args)
  if (target instanceof InputHost) return inputMethod(name, args, input)
  if (target instanceof UtilHost) return utilMethod(target, name, args)
  if (target instanceof ForeachHost) return args.length === 0 ? foreachMember(target, name) : undefined
  if (typeof target === 'number' || typeof target === 'boolean') {
    if (name === 'toString' && args.length === 0) return javaString(target)
    if (typeof target === 'number' && (name === 'intValue' || name === 'longValue')) return Math.trunc(target)
    if (typeof target === 'number' && name === 'doubleValue') return target
  }
  return undefined
}

function stringMethod(s: string, name: string, args: readonly unknown[]): unknown {
  const a0 = args[0]
  const a1 = args[1]
  switch (name) {
    case 'length':
      return s.length
    case 'isEmpty':
      return s.length === 0
    case 'toString':
    case 'intern':
      return s
    case 'trim':
      return s.trim()
    case 'toLowerCase':
      return s.toLowerCase()
    case 'toUpperCase':
      return s.toUpperCase()
    case 'equals':
      return typeof a0 === 'string' && s === a0
    case 'equalsIgnoreCase':
      return typeof a0 === 'string' && s.toLowerCase() === a0.toLowerCase()
    case 'charAt': {
      const i = int(a0)
      return i !== null && i >= 0 && i < s.length ? s[i] : undefined
    }
    case 'substring': {
      const start = int(a0)
      const end = a1 === undefined ? s.length : int(a1)
      if (start === null || end === null || start < 0 || end > s.length || start > end) return undefined
      return s.slice(start, end)
    }
    case 'concat':
    case 'contains':
    case 'startsWith':
    case 'endsWith':
    case 'indexOf':
    case 'lastIndexOf':
    case 'matches':
    case 'split': {
      const arg = str(a0)
      if (arg === null) return undefined
      if (name === 'concat') return s + arg
      if (name === 'contains') return s.includes(arg)
      if (name === 'startsWith') return s.startsWith(arg)
      if (name === 'endsWith') return s.endsWith(arg)
      if (name === 'indexOf') return s.indexOf(arg, int(a1) ?? 0)
      if (name === 'lastIndexOf') return a1 === undefined ? s.lastIndexOf(arg) : s.lastIndexOf(arg, int(a1) ?? Infinity)
      if (name === 'matches') return javaMatches(s, arg) ?? undefined
      const parts = javaSplit(s, arg, int(a1) ?? 0)
      return parts === null ? undefined : javaList(parts)
    }
    case 'replace':
    case 'replaceAll':
    case 'replaceFirst': {
      const from = str(a0)
      const to = str(a1)
      if (from === null || to === null) return undefined
      if (name === 'replace') return s.replaceAll(from, () => to)
      return javaReplace(s, from, to, name === 'replaceAll') ?? undefined
    }
    default:
      return undefined
  }
}

function listMethod(list: unknown[], name: string, args: readonly unknown[]): unknown {
  switch (name) {
    case 'size':
      return list.length
    case 'isEmpty':
      return list.length === 0
    case 'get':
      return getIndex(list, args[0])
    case 'contains':
      return list.some((v) => javaEquals(v, args[0]))
    case 'indexOf':
      return list.findIndex((v) => javaEquals(v, args[0]))
    case 'add':
      if (args.length !== 1) return undefined
      list.push(args[0])
      return true
    case 'toString':
      return javaString(list)
    default:
      return undefined
  }
}

function mapMethod(map: Record<string, unknown>, name: string, args: readonly unknown[]): unknown {
  const key = str(args[0])
  switch (name) {
    case 'size':
      return Object.keys(map).length
    case 'isEmpty':
      return Object.keys(map).length === 0
    case 'get':
      return key === null ? undefined : ownValue(map, key)
    case 'containsKey':
      return key !== null && Object.prototype.hasOwnProperty.call(map, key)
    case 'keySet':
      return javaList(Object.keys(map))
    case 'values':
      return javaList(Object.values(map))
    case 'put': {
      if (key === null || args.length !== 2) return undefined
      const previous = ownValue(map, key)
      setOwn(map, key, args[1])
      return previous
    }
    case 'toString':
      return javaString(map)
    default:
      return undefined
  }
}

function jsonPathValue(input: InputSource, path: unknown): unknown {
  const compiled = compileJsonPath(path === undefined ? '$' : (str(path) ?? '$'))
  if (compiled === null) return undefined
  const root = input.json()
  if (root === INVALID_JSON) return undefined
  return evaluateJsonPath(compiled, root)
}

function inputMethod(name: string, args: readonly unknown[], input: InputSource): unknown {
  switch (name) {
    case 'body':
    case 'getBody':
      return input.body
    case 'json': {
      // §4.1: a JSON string; missing path or non-JSON body → "" (an empty JSON string literal).
      const value = jsonPathValue(input, args[0])
      return value === undefined ? '""' : JSON.stringify(value)
    }
    case 'path':
      return jsonPathValue(input, args[0])
    case 'params': {
      const p = input.params
      if (args.length === 0) {
        const all = new NullObject()
        all.path = p.path
        all.querystring = p.querystring
        all.header = p.header
        return all
      }
      // §4.1: path, then querystring, then header; '' when absent.
      const key = str(args[0])
      if (key === null) return ''
      return ownValue(p.path, key) ?? ownValue(p.querystring, key) ?? headerValue(p.header, key) ?? ''
    }
    default:
      return undefined
  }
}

function headerValue(headers: Record<string, string>, name: string): unknown {
  const exact = ownValue(headers, name)
  if (exact !== undefined) return exact
  const lower = name.toLowerCase()
  for (const key of Object.keys(headers)) if (key.toLowerCase() === lower) return headers[key]
  return undefined
}

function utilMethod(util: UtilHost, name: string, args: readonly unknown[]): unknown {
  if (args.length !== 1) return undefined
  const arg = args[0]
  if (name === 'toJson' && util.extensions) return arg === undefined ? 'null' : JSON.stringify(arg)
  const s = str(arg)
  switch (name) {
    case 'escapeJavaScript':
      return escapeJavaScript(s) ?? undefined
    case 'parseJson':
      if (s === null) return undefined
      try {
        return JSON.parse(s) as unknown
      } catch {
        return undefined
      }
    case 'urlEncode':
      return s === null ? undefined : urlEncode(s)
    case 'urlDecode':
      return s === null ? undefined : (urlDecode(s) ?? undefined)
    case 'base64Encode':
      return s === null ? undefined : base64Encode(s)
    case 'base64Decode':
      return s === null ? undefined : base64Decode(s)
    default:
      return undefined
  }
}
