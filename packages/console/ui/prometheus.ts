// Reads @gw/metrics' Prometheus text (gw_requests_total, gw_latency_seconds histogram, cache hit / miss counters,
// aws-semantics §13.1) into per-stage and per-route totals, and turns two scrapes into rates and percentiles.

/** Totals of one group (a stage, or one route of a stage) at one scrape. */
export interface Totals {
  requests: number
  status4xx: number
  status5xx: number
  cacheHits: number
  cacheMisses: number
  /** Cumulative latency histogram: upper bound (seconds) → count. */
  buckets: Map<number, number>
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

const empty = (): Totals => ({ requests: 0, status4xx: 0, status5xx: 0, cacheHits: 0, cacheMisses: 0, buckets: new Map() })

/** Group keys of a sample: its stage (`api/stage`) and, with detailed metrics, its route (`api/stage METHOD /path`). */
function groupsOf(labels: Record<string, string>): string[] {
  if (labels.api === undefined || labels.stage === undefined) return []
  const stage = `${labels.api}/${labels.stage}`
  return labels.resource === undefined || labels.resource === '' ? [stage] : [stage, `${stage} ${labels.method ?? ''} ${labels.resource}`]
}

/** Parses one scrape into totals per group. */
export function parseScrape(text: string): Map<string, Totals> {
  const out = new Map<string, Totals>()
  const at = (key: string): Totals => {
    let t = out.get(key)
    if (t === undefined) out.set(key, (t = empty()))
    return t
  }
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = LINE.exec(line)
    if (m === null) continue
    const [, name = '', rawLabels = '', rawValue = ''] = m
    const value = Number(rawValue)
    if (!Number.isFinite(value)) continue
    const labels: Record<string, string> = {}
    for (const l of rawLabels.matchAll(LABEL)) labels[l[1] ?? ''] = (l[2] ?? '').replace(/\\(.)/g, '$1')
    for (const key of groupsOf(labels)) {
      const t = at(key)
      if (name === 'gw_requests_total') {
        t.requests += value
        if (labels.status?.startsWith('4') === true) t.status4xx += value
        if (labels.status?.startsWith('5') === true) t.status5xx += value
      } else if (name === 'gw_cache_hits_total') t.cacheHits += value
      else if (name === 'gw_cache_misses_total') t.cacheMisses += value
      else if (name === 'gw_latency_seconds_bucket') {
        const le = labels.le === '+Inf' ? Infinity : Number(labels.le)
        t.buckets.set(le, (t.buckets.get(le) ?? 0) + value)
      }
    }
  }
  return out
}

/** One point of the live charts, from two scrapes `seconds` apart. */
export interface Point {
  rate: number
  p50: number | null
  p99: number | null
  rate4xx: number
  rate5xx: number
  cacheHitRatio: number | null
}

/** The latency quantile (ms) of the requests between two histograms, interpolated inside its bucket. */
function quantile(now: Map<number, number>, before: Map<number, number> | undefined, q: number): number | null {
  const bounds = [...now.keys()].sort((a, b) => a - b)
  const counts = bounds.map((b) => (now.get(b) ?? 0) - (before?.get(b) ?? 0))
  const total = counts.at(-1) ?? 0
  if (total <= 0) return null
  const target = q * total
  let lower = 0
  let below = 0
  for (let i = 0; i < bounds.length; i++) {
    const upper = bounds[i] ?? 0
    const count = counts[i] ?? 0
    if (count >= target) {
      if (!Number.isFinite(upper)) return lower * 1000
      const inBucket = count - below
      return (lower + (inBucket <= 0 ? 0 : ((target - below) / inBucket) * (upper - lower))) * 1000
    }
    lower = upper
    below = count
  }
  return lower * 1000
}

/** Rates per second, p50 / p99 (ms), 4XX / 5XX as % of requests and the cache hit ratio (%) between two scrapes. */
export function pointBetween(now: Totals, before: Totals | undefined, seconds: number): Point {
  const d = (a: number, b: number | undefined): number => Math.max(0, a - (b ?? 0))
  const requests = d(now.requests, before?.requests)
  const hits = d(now.cacheHits, before?.cacheHits)
  const misses = d(now.cacheMisses, before?.cacheMisses)
  return {
    rate: requests / seconds,
    p50: quantile(now.buckets, before?.buckets, 0.5),
    p99: quantile(now.buckets, before?.buckets, 0.99),
    rate4xx: requests === 0 ? 0 : (d(now.status4xx, before?.status4xx) / requests) * 100,
    rate5xx: requests === 0 ? 0 : (d(now.status5xx, before?.status5xx) / requests) * 100,
    cacheHitRatio: hits + misses === 0 ? null : (hits / (hits + misses)) * 100
  }
}
