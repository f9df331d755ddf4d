import type { GatewayContext } from '@gw/core'

/**
 * What @gw/metrics learns about a request before its end event: the cache outcome (§13.1) and spans. Phase times
 * are not here: they ride on the request-end event (`PhaseTimes`), so an uncached, untraced request has no stash.
 */
export interface RequestStash {
  /** Cache lookup outcome (`cacheLookupChannel`), `undefined` when caching is off for the method. */
  cacheHit: boolean | undefined
  /** Open spans of the request (set by the tracer only). */
  spans: unknown
}

const kStash = Symbol('@gw/metrics.stash')

/** Whether any request got a stash yet: until one does (no cached method, no tracing), `peekStash` reads no symbol key off `ctx.state`. */
let stashed = false

/** The stash of `ctx`, created on first use (only for observed requests: a subscriber runs). */
export function stashOf(ctx: GatewayContext<object>): RequestStash {
  const state = ctx.state as Record<symbol, RequestStash | undefined>
  let stash = state[kStash]
  if (stash === undefined) {
    state[kStash] = stash = { cacheHit: undefined, spans: undefined }
    stashed = true
  }
  return stash
}

/** The stash of `ctx` if something was stashed, without creating one. */
export function peekStash(ctx: GatewayContext<object>): RequestStash | undefined {
  return stashed ? (ctx.state as Record<symbol, RequestStash | undefined>)[kStash] : undefined
}
