import { useEffect, useRef, useState } from 'preact/hooks'
import { api, request } from '../api.js'
import { Card, Chart, Status, useLoad } from '../components.js'
import { parseScrape, pointBetween, type Point, type Totals } from '../prometheus.js'

const INTERVAL_MS = 5000
const KEEP = 60

interface MetricsConfig {
  metrics?: { prometheus?: boolean | { port?: number; path?: string }; path?: string }
}

/** Where the console can read Prometheus: under the management path, when metrics have no port of their own. */
function metricsPath(config: MetricsConfig): string | undefined {
  const m = config.metrics
  const p = m?.prometheus
  if (p === undefined || p === false) return undefined
  if (typeof p === 'object' && p.port !== undefined) return undefined
  return (typeof p === 'object' ? p.path : undefined) ?? m?.path ?? '/metrics'
}

/** Live metrics per stage and per route, from @gw/metrics' Prometheus text, every 5 seconds. */
export function MetricsPage(): preact.JSX.Element {
  const config = useLoad(() => api<MetricsConfig>('GET', '/config'), [])
  const path = config.data === undefined ? undefined : metricsPath(config.data)
  const [history, setHistory] = useState<{ t: number[]; points: Map<string, Point[]> }>({ t: [], points: new Map() })
  const [error, setError] = useState<string | undefined>(undefined)
  const [group, setGroup] = useState('')
  const last = useRef<{ at: number; totals: Map<string, Totals> } | undefined>(undefined)
  useEffect(() => {
    if (path === undefined) return
    let live = true
    const scrape = async (): Promise<void> => {
      try {
        const text = await (await request('GET', path, { accept: 'text/plain' })).text()
        const at = Date.now()
        const totals = parseScrape(text)
        const before = last.current
        last.current = { at, totals }
        setError(undefined)
        if (before === undefined || !live) return
        const seconds = Math.max(0.001, (at - before.at) / 1000)
        setHistory((h) => {
          const points = new Map<string, Point[]>()
          for (const [key, now] of totals) {
            const series = [...(h.points.get(key) ?? Array<Point>(h.t.length).fill({ rate: 0, p50: null, p99: null, rate4xx: 0, rate5xx: 0, cacheHitRatio: null })), pointBetween(now, before.totals.get(key), seconds)]
            points.set(key, series.slice(-KEEP))
          }
          return { t: [...h.t, at / 1000].slice(-KEEP), points }
        })
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err))
      }
    }
    void scrape()
    const timer = setInterval(() => void scrape(), INTERVAL_MS)
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [path])
  const groups = [...history.points.keys()].sort()
  const current = group !== '' && history.points.has(group) ? group : groups[0]
  const points = current === undefined ? [] : (history.points.get(current) ?? [])
  return (
    <>
      <h1>Live metrics</h1>
      <Status value={config} what="the config" />
      {config.data !== undefined && path === undefined ? (
        <p class="muted">
          Prometheus metrics are not served under the management path. Set <code>metrics.prometheus: true</code> (without a port of its own) in gw.config.yaml to see live charts here; <code>metrics.detailedMetrics: true</code> adds one chart per route.
        </p>
      ) : null}
      {error === undefined ? null : (
        <p class="error" role="alert">
          Could not read the metrics: {error}
        </p>
      )}
      {path !== undefined && groups.length === 0 && error === undefined ? <p class="muted" aria-live="polite">Waiting for two scrapes (every 5 s) and the first requests…</p> : null}
      {current === undefined ? null : (
        <>
          <div class="row">
            <label for="metrics-group">Stage or route</label>
            <select id="metrics-group" value={current} onChange={(e) => setGroup((e.target as HTMLSelectElement).value)}>
              {groups.map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </div>
          <div class="grid">
            <Card title="Requests per second">
              <Chart title="Request rate" unit="req/s" x={history.t} series={[{ label: 'requests/s', values: points.map((p) => p.rate) }]} />
            </Card>
            <Card title="Latency">
              <Chart title="Latency p50 / p99" unit="ms" x={history.t} series={[{ label: 'p50', values: points.map((p) => p.p50) }, { label: 'p99', values: points.map((p) => p.p99) }]} />
            </Card>
            <Card title="Errors">
              <Chart title="4XX / 5XX share" unit="%" x={history.t} series={[{ label: '4XX %', values: points.map((p) => p.rate4xx) }, { label: '5XX %', values: points.map((p) => p.rate5xx) }]} />
            </Card>
            <Card title="Cache">
              <Chart title="Cache hit ratio" unit="%" x={history.t} series={[{ label: 'hit %', values: points.map((p) => p.cacheHitRatio) }]} />
            </Card>
          </div>
        </>
      )}
    </>
  )
}
