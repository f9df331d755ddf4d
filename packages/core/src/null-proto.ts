/**
 * Constructor of prototype-less dictionaries that stay in V8's fast mode:
 * `new NullProto()` has no inherited keys (`__proto__`, `constructor`,
 * `toString` are absent) like `Object.create(null)`, but it is not created as
 * a hash-table object, so per-request headers and state are cheap to write and
 * iterate (the find-my-way / Node `EmptyObject` idiom). Shared by every package that builds
 * per-request dictionaries (router params, mapping maps, proxied headers).
 * @example
 * const headers = new NullProto() as Record<string, string>
 */
export const NullProto = function NullProto(this: object) {} as unknown as new () => Record<string, never>
NullProto.prototype = Object.freeze(Object.create(null) as object) as Record<string, never>

/**
 * `target[key] = value` that keeps `__proto__` an ordinary own key on an
 * ordinary object (as `JSON.parse` does), instead of calling the inherited
 * `__proto__` setter that swaps the prototype and loses the value. For
 * dictionaries built from client data that must stay plain objects (Lambda
 * events handed to user code).
 * @example
 * setOwn(query, '__proto__', 'x') // Object.keys(query) → ['__proto__']
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
  else target[key] = value
}
