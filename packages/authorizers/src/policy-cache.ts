import { LRUCache } from 'lru-cache'
import { compilePolicy, type CompileResult, type CompiledPolicy } from './policy.js'

/** Policy texts kept compiled: a bound, so callers that return ever new policy texts cannot grow memory. */
const MAX_POLICY_TEXTS = 1024

/**
 * Compiles each IAM policy (aws-semantics §10.8) once, for the callers that evaluate a caller's identity policy on
 * every request (the SigV4 authorizer, the cache invalidation check of §7): policies given as JSON text in a bounded
 * LRU, policy objects in a WeakMap (they belong to the credentials provider and go with it).
 * @returns a function giving the compiled policy, or `null` when there is none or it does not compile
 * @example
 * const policyOf = createPolicyCache()
 * const policy = policyOf(creds.policy) // null: no policy, so nothing is allowed
 */
export function createPolicyCache(): (policy: unknown) => CompiledPolicy | null {
  const byText = new LRUCache<string, CompileResult>({ max: MAX_POLICY_TEXTS })
  const byObject = new WeakMap<object, CompiledPolicy | null>()
  return function policyOf(policy) {
    if (policy === undefined || policy === null) return null
    if (typeof policy === 'string') {
      let r = byText.get(policy)
      if (r === undefined) {
        r = compilePolicy(policy)
        byText.set(policy, r)
      }
      return r.ok ? r.policy : null
    }
    // A number or boolean is no policy; compilePolicy says so, and it cannot be a WeakMap key.
    if (typeof policy !== 'object') return null
    let c = byObject.get(policy)
    if (c === undefined) {
      const r = compilePolicy(policy)
      c = r.ok ? r.policy : null
      byObject.set(policy, c)
    }
    return c
  }
}
