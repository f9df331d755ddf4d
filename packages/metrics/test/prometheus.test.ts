import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { createMetrics } from '@gw/metrics'
import { MIX_STATUSES, scriptedMix, serveGateway, shopApi, upstream } from './support.js'

interface Sample {
  labels?: Record<string, string>
  value?: string
  buckets?: Record<string, string>
  count?: string | undefined
  sum?: string | undefined
}
interface Family {
  name: string
  type: string
  metrics: Sample[]
}

async function scrape(port: number): Promise<Map<string, Family>> {
  const res = await fetch(`http://127.0.0.1:${String(port)}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4')
  const text = await res.text()
  const families = new Map((parsePrometheusTextFormat(text) as Family[]).map((f) => [f.name, f]))
  // parse-prometheus-text-format folds the buckets of every labelled series of a histogram into one (its
  // flattening is for unlabelled histograms), so histograms are read a second time with their TYPE line set to
  // untyped: the parser then returns each _bucket/_sum/_count sample with its labels, which are regrouped here.
  for (const [name, family] of families) {
    if (family.type !== 'HISTOGRAM') continue
    const raw = parsePrometheusTextFormat(text.replace(`# TYPE ${name} histogram`, `# TYPE ${name} untyped`)) as Family[]
    const series = new Map<string, Sample>()
    const of = (labels: Record<string, string> | undefined): Sample => {
      const { le: _le, ...rest } = labels ?? {}
      let s = series.get(key(rest))
      if (s === undefined) series.set(key(rest), (s = { labels: rest, buckets: {} }))
      return s
    }
    for (const f of raw) {
      for (const m of f.metrics) {
        if (f.name === `${name}_bucket`) (of(m.labels).buckets as Record<string, string>)[m.labels?.le ?? ''] = m.value ?? ''
        else if (f.name === `${name}_sum`) of(m.labels).sum = m.value
        else if (f.name === `${name}_count`) of(m.labels).count = m.value
      }
    }
    families.set(name, { ...family, metrics: [...series.values()] })
  }
  return families
}

const key = (labels: Record<string, string> | undefined): string => JSON.stringify(Object.entries(labels ?? {}).sort())
const byLabels = (f: Family | undefined): Map<string, Sample> => new Map((f?.metrics ?? []).map((m) => [key(m.labels), m]))
const route = (resource: string, method = 'GET'): Record<string, string> => ({ api: 'shop', stage: 'prod', method, resource })

describe('Prometheus exposition after a scripted mix over real HTTP (aws-semantics §13.1)', () => {
  it('counts each label set exactly; histogram counts equal request counts; 10,000 unknown paths add no series', async () => {
    const up = await upstream()
    const metrics = createMetrics({ prometheus: true, executionLog: false })
    onTestFinished(() => metrics.close())
    const server = await metrics.listen(0)
    const port = (server.address() as AddressInfo).port
    const { url } = await serveGateway(shopApi(up.url))
    expect(await scriptedMix(`${url}/prod`)).toEqual(MIX_STATUSES)

    const families = await scrape(port)
    const requests = byLabels(families.get('gw_requests_total'))
    const expected: [Record<string, string>, number][] = [
      [{ ...route('/ok'), status: '200' }, 3],
      [{ ...route('(none)'), status: '403' }, 1],
      [{ ...route('/limited'), status: '200' }, 1],
      [{ ...route('/limited'), status: '429' }, 1],
      [{ ...route('/bad'), status: '502' }, 1],
      [{ ...route('/slow'), status: '504' }, 1],
      [{ ...route('/items'), status: '200' }, 3]
    ]
    expect(requests.size).toBe(expected.length)
    for (const [labels, value] of expected) expect([labels, Number(requests.get(key(labels))?.value)]).toEqual([labels, value])

    // Histograms: _count and the +Inf bucket equal the requests of the label set; buckets are cumulative.
    const latency = byLabels(families.get('gw_latency_seconds'))
    const perRoute: [string, number][] = [['/ok', 3], ['(none)', 1], ['/limited', 2], ['/bad', 1], ['/slow', 1], ['/items', 3]]
    for (const [resource, n] of perRoute) {
      const h = latency.get(key(route(resource)))
      expect([resource, Number(h?.count), Number(h?.buckets?.['+Inf'])]).toEqual([resource, n, n])
      const counts = Object.entries(h?.buckets ?? {})
        .sort(([a], [b]) => Number(a) - Number(b)) // '+Inf' parses as Infinity: last
        .map(([, v]) => Number(v))
      expect(counts).toHaveLength(13)
      expect(counts).toEqual([...counts].sort((a, b) => a - b))
    }
    const slow = latency.get(key(route('/slow')))
    expect(Number(slow?.sum)).toBeGreaterThanOrEqual(0.05) // the 50 ms integration timeout is inside Latency
    expect(Number(slow?.sum)).toBeLessThan(5) // in seconds, as exposed (observed in ms)
    // placed by its milliseconds against the bounds: above 25 ms, so not in the buckets up to 0.025 s
    expect([Number(slow?.buckets?.['0.005']), Number(slow?.buckets?.['0.025']), Number(slow?.buckets?.['+Inf'])]).toEqual([0, 0, 1])
    // IntegrationLatency: only requests that reached the integration (a 429 and cache hits never do; the 403 has no route).
    const integration = byLabels(families.get('gw_integration_latency_seconds'))
    expect(
      Object.fromEntries(['/ok', '/limited', '/bad', '/slow', '/items', '(none)'].map((r) => [r, Number(integration.get(key(route(r)))?.count ?? 0)]))
    ).toEqual({ '/ok': 3, '/limited': 1, '/bad': 1, '/slow': 1, '/items': 1, '(none)': 0 })
    expect(Number(byLabels(families.get('gw_cache_hits_total')).get(key(route('/items')))?.value)).toBe(2)
    expect(Number(byLabels(families.get('gw_cache_misses_total')).get(key(route('/items')))?.value)).toBe(1)
    expect(Number(byLabels(families.get('gw_throttled_total')).get(key(route('/limited')))?.value)).toBe(1)
    expect(families.get('gw_throttled_total')?.metrics).toHaveLength(1)
    expect(Number(byLabels(families.get('gw_data_processed_bytes_total')).get(key(route('/ok')))?.value)).toBe(3 * '{"ok":true}'.length)

    // Label cardinality: 10,000 distinct unknown paths share the one unmatched label set.
    const seriesBefore = metrics.seriesCount
    const linesBefore = (await metrics.scrape()).split('\n').length
    let next = 0
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < 10_000) {
          const i = next++
          const res = await fetch(`${url}/prod/unknown-${String(i)}/x${String(i * 7)}`)
          await res.arrayBuffer()
        }
      })
    )
    expect(metrics.seriesCount).toBe(seriesBefore)
    expect((await metrics.scrape()).split('\n').length).toBe(linesBefore)
    const after = byLabels((await scrape(port)).get('gw_requests_total'))
    expect(Number(after.get(key({ ...route('(none)'), status: '403' }))?.value)).toBe(10_001)
  }, 120_000)
})
