/**
 * A frozen deep copy: a deployment's snapshot can be changed by nobody, so the
 * definition object a caller keeps editing never leaks into served traffic (§6.1).
 */
export function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value))
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}
