/**
 * Prototype-less dictionaries that still get fast properties (find-my-way's
 * `lib/null-object.js`): `new NullObject()` has no `__proto__` accessor and no
 * inherited keys, and is cheaper to build than `Object.create(null)`.
 */
export const NullObject = function NullObject(this: object) {} as unknown as new () => Record<string, string>
NullObject.prototype = Object.create(null) as object
