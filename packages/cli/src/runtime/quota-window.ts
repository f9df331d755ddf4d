import type { QuotaWindow } from '@gw/core'

const DAY_MS = 86_400_000

/**
 * The current quota period of a usage plan (§8.2): UTC day, ISO week starting Monday, or calendar month,
 * as the id the QuotaStore counts under, with a TTL that outlives the period.
 */
export function quotaWindow(key: string, limit: number, period: 'DAY' | 'WEEK' | 'MONTH', now: number): QuotaWindow {
  const date = new Date(now)
  const day = date.toISOString().slice(0, 10)
  if (period === 'DAY') return { key, limit, day, period: day, ttlMs: 2 * DAY_MS }
  if (period === 'MONTH') return { key, limit, day, period: day.slice(0, 7), ttlMs: 32 * DAY_MS }
  const monday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - ((date.getUTCDay() + 6) % 7)))
  return { key, limit, day, period: `W${monday.toISOString().slice(0, 10)}`, ttlMs: 8 * DAY_MS }
}

/** Every UTC day from `start` to `end` inclusive (`YYYY-MM-DD`), at most 366 (GetUsage, §9.3). */
export function daysBetween(start: string, end: string): string[] {
  const days: string[] = []
  let t = Date.parse(`${start}T00:00:00Z`)
  const last = Date.parse(`${end}T00:00:00Z`)
  while (t <= last && days.length < 366) {
    days.push(new Date(t).toISOString().slice(0, 10))
    t += DAY_MS
  }
  return days
}
