/**
 * The one already-resolved promise that `compose()` and `runPipeline()` return
 * when every middleware finished synchronously. Adapters compare against it
 * (`out === SETTLED`) to write the response in the same tick, without
 * allocating a continuation (internal, not exported from the package).
 */
export const SETTLED: Promise<void> = Promise.resolve()

/**
 * True when a middleware's result still has to be awaited: a promise other than the one `compose()` returns for a
 * chain that finished synchronously. Lets a wrapper finish in the same tick instead of adding a `.then()`.
 * @example
 * const out = pipeline(ctx, next)
 * if (isPending(out)) return out.then(() => after(ctx))
 * after(ctx)
 */
export function isPending(out: unknown): out is Promise<void> {
  return out instanceof Promise && out !== SETTLED
}
