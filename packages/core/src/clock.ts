import { performance } from 'node:perf_hooks'

const hrtime = typeof process === 'object' && typeof process.hrtime === 'function' ? process.hrtime : undefined

/**
 * Milliseconds on the monotonic clock that `performance.now()` reads (libuv's high-resolution time), with
 * sub-microsecond resolution, for durations only: the origin is arbitrary, so subtract two readings of this
 * function, never a `performance.now()` value. Request and phase latencies (aws-semantics §13.1 Latency,
 * IntegrationLatency) are read with it: Node's `performance.now()` checks its receiver through a wrapped validator on
 * every call, and `process.hrtime()` reads the same clock without it (about a third fewer instructions per
 * reading, issue #18). Where `process.hrtime` is missing (a runtime without it) this is `performance.now()`.
 */
export const monotonicMs: () => number =
  hrtime === undefined
    ? () => performance.now()
    : () => {
        const t = hrtime()
        return t[0] * 1e3 + t[1] / 1e6
      }

/** Wall-clock milliseconds minus `monotonicMs()`, taken at the last re-sync; `epochMs()` adds the monotonic reading to it. */
let epochOffset = 0
/** `monotonicMs()` value from which `epochMs()` takes `Date.now()` again. */
let resyncAt = -Infinity
/** How long `epochMs()` follows the monotonic clock before it re-reads the wall clock (so a stepped clock is followed within this). */
const RESYNC_MS = 1000

/**
 * Integer milliseconds since the Unix epoch, as `Date.now()` gives them, for
 * request arrival times (`$context.requestTimeEpoch`, §13.3). `Date.now()` is a
 * V8 runtime call that allocates its result; on a busy gateway it cost about
 * 0.35 µs per request, several times a monotonic reading (issue #21). This adds
 * the monotonic clock to the wall clock taken at most a second earlier, so it
 * follows a stepped or slewed system clock within a second and agrees with
 * `Date.now()` to the millisecond meanwhile.
 */
export function epochMs(): number {
  return epochMsAt(monotonicMs())
}

/** `epochMs()` for a `monotonicMs()` reading the caller already took (one clock reading serves both). */
export function epochMsAt(now: number): number {
  if (now >= resyncAt) {
    epochOffset = Date.now() - now
    resyncAt = now + RESYNC_MS
  }
  return Math.floor(epochOffset + now)
}
