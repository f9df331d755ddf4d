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
