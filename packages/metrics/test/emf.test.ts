import { readFileSync } from 'node:fs'
import { PassThrough } from 'node:stream'
import { describe, expect, it, onTestFinished } from 'vitest'
import { Ajv } from 'ajv'
import { createMetrics } from '@gw/metrics'
import { MIX_STATUSES, scriptedMix, serveGateway, shopApi, upstream } from './support.js'

const schema = JSON.parse(readFileSync(new URL('./fixtures/emf.schema.json', import.meta.url), 'utf8')) as object
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema)

/** What JSON Schema cannot express (spec "Target members"): each dimension key and metric name is a root member of the right type. */
function checkTargets(line: Record<string, unknown>): void {
  const aws = line._aws as { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] }
  for (const d of aws.CloudWatchMetrics) {
    for (const set of d.Dimensions) for (const k of set) expect([k, typeof line[k]]).toEqual([k, 'string'])
    for (const m of d.Metrics) {
      const v = line[m.Name]
      const ok = typeof v === 'number' || (Array.isArray(v) && v.length >= 1 && v.length <= 100 && v.every((x) => typeof x === 'number'))
      expect([m.Name, ok]).toEqual([m.Name, true])
    }
  }
}

async function lines(stream: PassThrough): Promise<Record<string, unknown>[]> {
  await new Promise((resolve) => setImmediate(resolve))
  const text = (stream.read() as Buffer | null)?.toString('utf8') ?? ''
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

describe('CloudWatch EMF (aws-semantics §13.1)', () => {
  it('REST: one aggregated line per dimension-value set per interval, valid against the EMF schema, AWS names and units', async () => {
    const up = await upstream()
    const out = new PassThrough()
    const metrics = createMetrics({ prometheus: false, executionLog: false, emf: { destination: out, intervalMs: 3_600_000 } })
    onTestFinished(() => metrics.close())
    // metricsEnabled only on /items and /ok: the others roll up into the stage line
    const { url } = await serveGateway(shopApi(up.url, { methodSettings: { '*/*': { cachingEnabled: false }, '/items/GET': { metricsEnabled: true, cachingEnabled: true }, '/ok/GET': { metricsEnabled: true }, '/limited/GET': { throttlingRateLimit: 0.001, throttlingBurstLimit: 1 } } }))
    expect(await scriptedMix(`${url}/prod`)).toEqual(MIX_STATUSES)
    metrics.flushEmf()
    const got = await lines(out)
    for (const line of got) {
      expect(validate(line), JSON.stringify(validate.errors)).toBe(true)
      checkTargets(line)
    }
    const by = (method: string | undefined, resource: string | undefined) => got.find((l) => l.Method === method && l.Resource === resource)
    const stage = by(undefined, undefined)
    const items = by('GET', '/items')
    const ok = by('GET', '/ok')
    expect(got).toHaveLength(3)
    expect(stage?._aws).toMatchObject({
      CloudWatchMetrics: [
        {
          Namespace: 'AWS/ApiGateway',
          Dimensions: [['ApiName'], ['ApiName', 'Stage']],
          Metrics: [
            { Name: 'Count', Unit: 'Count' },
            { Name: '4XXError', Unit: 'Count' },
            { Name: '5XXError', Unit: 'Count' },
            { Name: 'Latency', Unit: 'Milliseconds' },
            { Name: 'IntegrationLatency', Unit: 'Milliseconds' }
          ]
        }
      ]
    })
    // stage line: 403 unknown path, 200 + 429 /limited, 502 /bad, 504 /slow
    expect({ ApiName: stage?.ApiName, Stage: stage?.Stage, Count: stage?.Count, e4: stage?.['4XXError'], e5: stage?.['5XXError'], n: (stage?.Latency as number[]).length, i: (stage?.IntegrationLatency as number[]).length }).toEqual({
      ApiName: 'shop',
      Stage: 'prod',
      Count: 5,
      e4: 2,
      e5: 2,
      n: 5,
      i: 3
    })
    expect((items?._aws as { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]).toMatchObject({
      Dimensions: [['ApiName'], ['ApiName', 'Stage'], ['ApiName', 'Method', 'Resource', 'Stage']],
      Metrics: [{ Name: 'Count' }, { Name: '4XXError' }, { Name: '5XXError' }, { Name: 'CacheHitCount' }, { Name: 'CacheMissCount' }, { Name: 'Latency' }, { Name: 'IntegrationLatency' }]
    })
    expect([items?.Count, items?.CacheHitCount, items?.CacheMissCount, (items?.IntegrationLatency as number[]).length]).toEqual([3, 2, 1, 1])
    expect([ok?.Count, ok?.['4XXError'], ok?.['5XXError'], ok?.CacheHitCount]).toEqual([3, 0, 0, undefined])
    // the next interval starts empty: nothing to write
    metrics.flushEmf()
    expect(await lines(out)).toEqual([])
  })

  it('HTTP API: ApiId, lower-case 4xx/5xx, DataProcessed, Route only with detailedMetricsEnabled (§6.2)', async () => {
    const out = new PassThrough()
    const metrics = createMetrics({ prometheus: false, executionLog: false, emf: { destination: out, intervalMs: 3_600_000 } })
    onTestFinished(() => metrics.close())
    const mock = { type: 'MOCK' as const, requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } } } }
    const { url } = await serveGateway({
      protocol: 'HTTP',
      id: 'httpapi001',
      name: 'h',
      stages: { $default: { routeSettings: { 'GET /a': { detailedMetricsEnabled: true } } } },
      routes: { 'GET /a': { integration: mock }, 'GET /b': { integration: mock } }
    })
    for (const p of ['/a', '/a', '/b', '/zzz']) await (await fetch(url + p)).arrayBuffer()
    metrics.flushEmf()
    const got = await lines(out)
    for (const line of got) {
      expect(validate(line), JSON.stringify(validate.errors)).toBe(true)
      checkTargets(line)
    }
    const a = got.find((l) => l.Route === 'GET /a')
    const rest = got.find((l) => l.Route === undefined)
    expect((a?._aws as { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] }).CloudWatchMetrics[0]).toEqual({
      Namespace: 'AWS/ApiGateway',
      Dimensions: [['ApiId'], ['ApiId', 'Stage'], ['ApiId', 'Stage', 'Route']],
      Metrics: [
        { Name: 'Count', Unit: 'Count' },
        { Name: '4xx', Unit: 'Count' },
        { Name: '5xx', Unit: 'Count' },
        { Name: 'Latency', Unit: 'Milliseconds' },
        { Name: 'DataProcessed', Unit: 'Bytes' },
        { Name: 'IntegrationLatency', Unit: 'Milliseconds' }
      ]
    })
    expect([a?.ApiId, a?.Stage, a?.Count, a?.DataProcessed]).toEqual(['httpapi001', '$default', 2, 2 * '{"ok":true}'.length])
    // /b (no detailed metrics) and the 404 share the stage line
    expect([rest?.Count, rest?.['4xx'], rest?.['5xx']]).toEqual([2, 1, 0])
  })
})
