import type { Invoker } from './lambda-invoke.js'

/** How long a Lambda authorizer may run before the request fails with 500 (§10.2, §10.4). */
const AUTHORIZER_TIMEOUT_MS = 10_000

/**
 * The `invoke(event)` a Lambda authorizer of @gw/authorizers takes (§10.2–§10.5,
 * and `$connect` §14.3): runs `fn` through `invoker` (in-process handler or the
 * remote Invoke API) and returns the function's answer parsed. A function
 * error arrives as its `{ errorMessage }` payload (the authorizer maps
 * `Unauthorized` → 401, anything else → 500); a timeout or a failed
 * invocation rejects (→ 500).
 * @example
 * const invoke = lambdaAuthorizerInvoke('auth', compileInvoker(options).forFunction('auth')!)
 * lambdaAuthorizer({ type: 'REQUEST', invoke, identitySource: ['method.request.header.Authorization'] })
 */
export function lambdaAuthorizerInvoke(fn: string, invoker: Invoker): (event: Record<string, unknown>, options?: { signal?: AbortSignal }) => Promise<unknown> {
  return async (event, options) => {
    options?.signal?.throwIfAborted()
    const out = await invoker(fn, event, AUTHORIZER_TIMEOUT_MS)
    if (out.kind !== 'ok') throw new Error(`authorizer ${fn}: ${out.kind}`)
    return JSON.parse(out.payload) as unknown
  }
}
