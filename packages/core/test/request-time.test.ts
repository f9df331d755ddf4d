import { describe, expect, it } from 'vitest'
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
