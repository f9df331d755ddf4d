/**
 * The one already-resolved promise that `compose()` and `runPipeline()` return
 * when every middleware finished synchronously. Adapters compare against it
 * (`out === SETTLED`) to write the response in the same tick, without
 * allocating a continuation (internal, not exported from the package).
 */
export const SETTLED: Promise<void> = Promise.resolve()
