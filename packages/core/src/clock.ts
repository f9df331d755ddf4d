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
