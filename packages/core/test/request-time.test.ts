import { describe, expect, it, vi } from 'vitest'
import { formatRequestTime } from '@gw/core'

// §13.3: $context.requestTime is CLF `dd/MMM/yyyy:HH:mm:ss +0000` in UTC. It is formatted once per second of the
// clock and remembered, so these cases walk forwards, back and within one second to catch a stale text.
describe('formatRequestTime (§13.3)', () => {
  it('formats UTC CLF text, and a remembered second never leaks into another', () => {
    const t = Date.UTC(2026, 11, 6, 9, 5, 7, 0)
    expect(formatRequestTime(t)).toBe('06/Dec/2026:09:05:07 +0000')
    expect(formatRequestTime(t + 999)).toBe('06/Dec/2026:09:05:07 +0000')
    expect(formatRequestTime(t + 1000)).toBe('06/Dec/2026:09:05:08 +0000')
    expect(formatRequestTime(t - 1)).toBe('06/Dec/2026:09:05:06 +0000')
    expect(formatRequestTime(Date.UTC(2027, 0, 1, 0, 0, 0, 500))).toBe('01/Jan/2027:00:00:00 +0000')
    expect(formatRequestTime(t)).toBe('06/Dec/2026:09:05:07 +0000')
    expect(formatRequestTime(-500)).toBe('31/Dec/1969:23:59:59 +0000')
    expect(formatRequestTime(0)).toBe('01/Jan/1970:00:00:00 +0000')
  })
})

// §13.3 $context.requestTimeEpoch: the arrival time in integer epoch milliseconds, read from the monotonic clock
// anchored to the wall clock at most a second earlier (epochMs) instead of a Date.now() call per request.
describe('epochMs (request arrival times, §13.3)', () => {
  it('agrees with Date.now() to the millisecond, and so does a context\'s requestTimeEpoch', async () => {
    const { epochMs, GatewayContext } = await import('@gw/core')
    const { Readable } = await import('node:stream')
    const source = { method: 'GET', url: '/', headers: {}, rawHeaders: [], remoteAddress: '127.0.0.1', protocol: 'http' as const, readBody: async () => Buffer.alloc(0), stream: () => Readable.from([]), hasBody: false, signal: new AbortController().signal }
    const off: number[] = []
    for (let i = 0; i < 40; i++) {
      const before = Date.now()
      const t = epochMs()
      const ctx = new GatewayContext(source)
      const after = Date.now()
      expect(Number.isInteger(t)).toBe(true)
      // one millisecond of slack: the anchor's Date.now() truncates, the monotonic clock does not
      if (t < before - 1 || t > after + 1) off.push(t - before)
      if (ctx.requestTimeEpoch < before - 1 || ctx.requestTimeEpoch > after + 1) off.push(ctx.requestTimeEpoch - before)
      await new Promise((resolve) => setTimeout(resolve, 30))
    }
    expect(off).toEqual([])
  })

  it('a context reads the monotonic clock once on arrival: arrivedAtMs lies between two readings around it, and Latency counts from it', async () => {
    const { GatewayContext, monotonicMs } = await import('@gw/core')
    const { Readable } = await import('node:stream')
    const source = { method: 'GET', url: '/', headers: {}, rawHeaders: [], remoteAddress: '127.0.0.1', protocol: 'http' as const, readBody: async () => Buffer.alloc(0), stream: () => Readable.from([]), hasBody: false, signal: new AbortController().signal }
    const before = monotonicMs()
    const ctx = new GatewayContext(source)
    const after = monotonicMs()
    expect(ctx.arrivedAtMs).toBeGreaterThanOrEqual(before)
    expect(ctx.arrivedAtMs).toBeLessThanOrEqual(after)
    // a given arrival epoch (WebSocket, tests) keeps the monotonic arrival reading
    const given = new GatewayContext(source, { requestTimeEpoch: 1_000 })
    expect(given.requestTimeEpoch).toBe(1_000)
    expect(given.arrivedAtMs).toBeGreaterThanOrEqual(after)
  })

  it('follows a stepped system clock within a second', async () => {
    const { epochMs } = await import('@gw/core')
    const real = Date.now.bind(Date)
    const step = 3_600_000
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => real() + step)
    try {
      const start = real()
      let t = epochMs()
      // until the next re-sync it may still be on the old clock; within 1.2 s it must be on the new one
      while (Math.abs(t - (real() + step)) > 2 && real() - start < 1200) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        t = epochMs()
      }
      expect(Math.abs(t - (real() + step))).toBeLessThanOrEqual(2)
    } finally {
      spy.mockRestore()
    }
    // and back: the clock stepped back is followed too
    const start = Date.now()
    let t = epochMs()
    while (Math.abs(t - Date.now()) > 2 && Date.now() - start < 1200) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      t = epochMs()
    }
    expect(Math.abs(t - Date.now())).toBeLessThanOrEqual(2)
  })
})
