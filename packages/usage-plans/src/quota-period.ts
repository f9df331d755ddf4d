/** Quota period of a usage plan (§8.2). */
export type QuotaPeriodName = 'DAY' | 'WEEK' | 'MONTH'

/** One concrete period: id, start (inclusive) and end (exclusive), ms since epoch, UTC. */
export interface QuotaPeriodRange {
  readonly id: string
  readonly start: number
  readonly end: number
}

const DAY_MS = 86_400_000

/** `YYYY-MM-DD` of an instant, UTC. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10)
}

/**
 * The quota period containing `epochMs` (§8.2): calendar-aligned in UTC;
 * days start 00:00 UTC, weeks on Sunday 00:00 UTC (the old SDK's "offset 0
 * starts on Sunday"), months on the 1st.
 * @example
 * quotaPeriod('WEEK', Date.UTC(2026, 10, 28)).id // 'W2026-11-22'
 */
export function quotaPeriod(period: QuotaPeriodName, epochMs: number): QuotaPeriodRange {
  const dayStart = Math.floor(epochMs / DAY_MS) * DAY_MS
  switch (period) {
    case 'DAY':
      return { id: utcDay(dayStart), start: dayStart, end: dayStart + DAY_MS }
    case 'WEEK': {
      const start = dayStart - new Date(dayStart).getUTCDay() * DAY_MS
      return { id: `W${utcDay(start)}`, start, end: start + 7 * DAY_MS }
    }
    case 'MONTH': {
      const d = new Date(dayStart)
      const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
      return { id: utcDay(start).slice(0, 7), start, end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) }
    }
  }
}

/** Every `YYYY-MM-DD` from `start` to `end` inclusive. */
export function daysBetween(startMs: number, endMs: number): string[] {
  const days: string[] = []
  for (let t = startMs; t <= endMs; t += DAY_MS) days.push(utcDay(t))
  return days
}

/** Parses a `YYYY-MM-DD` date (UTC midnight); NaN when invalid. */
export function parseDay(day: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return Number.NaN
  const t = Date.parse(`${day}T00:00:00Z`)
  return Number.isNaN(t) || utcDay(t) !== day ? Number.NaN : t
}
