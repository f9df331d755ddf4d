import { describe, expect, it, onTestFinished } from 'vitest'
import { apiNameDimension, createMetrics, type AwsMetricRecord } from '@gw/metrics'
import { MIX_STATUSES, scriptedMix, serveGateway, shopApi, upstream } from './support.js'

describe('the metrics hook: one CloudWatch datum per request with AWS names, units and dimensions (§13.1)', () => {
  it('REST: ApiName/Stage (+Method/Resource with metricsEnabled); gateway 403/429/504 counted like integration errors', async () => {
    const records: AwsMetricRecord[] = []
    const metrics = createMetrics({ prometheus: false, executionLog: false, onMetrics: (r) => records.push(r) })
    onTestFinished(() => metrics.close())
    const up = await upstream()
    const { url } = await serveGateway(shopApi(up.url))
    expect(await scriptedMix(`${url}/prod`)).toEqual(MIX_STATUSES)
    expect(records.map((r) => [r.values['4XXError'], r.values['5XXError']])).toEqual(MIX_STATUSES.map((s) => [s >= 400 && s < 500 ? 1 : 0, s >= 500 ? 1 : 0]))
    const ok = records[0]
    expect(ok).toMatchObject({
      namespace: 'AWS/ApiGateway',
      flavour: 'REST',
      dimensions: { ApiName: 'shop', Stage: 'prod', Method: 'GET', Resource: '/ok' },
      dimensionSets: [['ApiName'], ['ApiName', 'Stage'], ['ApiName', 'Method', 'Resource', 'Stage']],
      values: { Count: 1, '4XXError': 0, '5XXError': 0 }
    })
    expect(ok?.values.Latency).toBeGreaterThanOrEqual(ok?.values.IntegrationLatency ?? Infinity)
    // the unknown path has no method dimensions; the 429 never reached the integration
    expect(records[3]?.dimensionSets).toEqual([['ApiName'], ['ApiName', 'Stage']])
    expect(records[5]?.values.IntegrationLatency).toBeUndefined()
    expect(records.slice(8).map((r) => [r.values.CacheMissCount, r.values.CacheHitCount])).toEqual([[1, 0], [0, 1], [0, 1]])
  })

  it.each([
    ['ASCII kept', 'pets', 'abc', 'pets'],
    ['non-ASCII stripped', 'pëts-ü', 'abc', 'pts-'],
    ['all non-ASCII → the API id', 'ペット', 'abc123', 'abc123']
  ])('§13.1 ApiName: %s', (_name, name, id, expected) => {
    expect(apiNameDimension(name, id)).toBe(expected)
  })
})
