import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { silentLogger } from '@gw/core'
import { serve } from '@gw/cli'

const KEY = 'limited-key-0123456789abcdef'
const TOKEN = 'admin-token-0123456789'
const mock = `
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: '200'
            responseTemplates:
              application/json: '{"ok":true}'`

/** The scripted mix's API as an OpenAPI file: MOCK, a key-guarded throttled method, a bad Lambda, a timing-out proxy, a proxied list. */
const openapi = (upstream: string): string => `openapi: 3.0.1
info: { title: shop, version: '1' }
paths:
  /ok:
    get:
      responses: { '200': { description: ok } }${mock}
  /limited:
    get:
      security: [{ api_key: [] }]
      responses: { '200': { description: ok } }${mock}
  /bad:
    get:
      responses: { '200': { description: ok } }
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:bad/invocations
  /slow:
    get:
      responses: { '200': { description: ok } }
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: '${upstream}/slow', timeoutInMillis: 50 }
  /items:
    get:
      responses: { '200': { description: ok } }
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: '${upstream}/items' }
components:
  securitySchemes:
    api_key: { type: apiKey, name: x-api-key, in: header }
`

const config = (metrics: string): string => `apis:
  - name: shop
    openapi: ./shop.yaml
    stages:
      prod:
        # §7: the stage cache on /items only (@gw/cache publishes the lookups); per-method switches (§6.1)
        cacheClusterEnabled: true
        methodSettings:
          '*/*': { cachingEnabled: false }
          /items/GET: { cachingEnabled: true }
usagePlans:
  - name: limited
    apiStages:
      - api: shop
        stage: prod
        throttle:
          /limited/GET: { rateLimit: 0.001, burstLimit: 1 }
apiKeys:
  - name: k
    valueFromEnv: SHOP_KEY
    usagePlans: [limited]
lambdas:
  bad: ./bad.mjs#handler
server: { port: 0 }
management: { enabled: true, tokenFromEnv: ADMIN_TOKEN }
${metrics}
`

async function setUp(metrics: string): Promise<{ dir: string; gw: Awaited<ReturnType<typeof serve>> }> {
  const upstream = createServer((req, res) => {
    const body = JSON.stringify({ path: req.url })
    const answer = (): void => void res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
    if (req.url === '/slow') setTimeout(answer, 1000).unref()
    else answer()
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => (upstream.closeAllConnections(), upstream.close(() => resolve()))))
  const dir = mkdtempSync(join(tmpdir(), 'gw-metrics-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'shop.yaml'), openapi(`http://127.0.0.1:${String((upstream.address() as AddressInfo).port)}`))
  writeFileSync(join(dir, 'bad.mjs'), "export const handler = async () => 'not a proxy response'\n")
  writeFileSync(join(dir, 'gw.config.yaml'), config(metrics))
  const gw = await serve({ config: join(dir, 'gw.config.yaml'), port: 0, env: { SHOP_KEY: KEY, ADMIN_TOKEN: TOKEN }, logger: silentLogger })
  onTestFinished(() => gw.close())
  return { dir, gw }
}

async function mix(base: string): Promise<number[]> {
  const out: number[] = []
  for (const [path, headers] of [
    ['/ok', {}],
    ['/ok', {}],
    ['/ok', {}],
    ['/nope', {}],
    ['/limited', { 'x-api-key': KEY }],
    ['/limited', { 'x-api-key': KEY }],
    ['/bad', {}],
    ['/slow', {}],
    ['/items', {}],
    ['/items', {}],
    ['/items', {}]
  ] as const) {
    const res = await fetch(base + path, { headers })
    await res.arrayBuffer()
    out.push(res.status)
  }
  return out
}

const statusOf = (text: string): Map<string, number> => {
  const family = (parsePrometheusTextFormat(text) as { name: string; metrics: { labels?: Record<string, string>; value?: string }[] }[]).find((f) => f.name === 'gw_requests_total')
  return new Map((family?.metrics ?? []).map((m) => [`${m.labels?.resource ?? ''} ${m.labels?.status ?? ''}`, Number(m.value)]))
}

describe('gw serve applies the metrics section (aws-semantics §13)', () => {
  it('Prometheus on its own port, EMF and access log files, detailed metrics for every method; the scripted mix counted exactly', async () => {
    const { dir, gw } = await setUp(`metrics:
  prometheus: { port: 0 }
  detailedMetrics: true
  accessLog: { format: CLF, destination: access.log }
  emf: { destination: emf.log, intervalSeconds: 3600 }`)
    expect(await mix(`${gw.urls[0] ?? ''}`)).toEqual([200, 200, 200, 403, 200, 429, 502, 504, 200, 200, 200])
    expect(gw.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    const res = await fetch(gw.metricsUrl ?? '')
    const text = await res.text()
    expect(Object.fromEntries(statusOf(text))).toEqual({ '/ok 200': 3, '(none) 403': 1, '/limited 200': 1, '/limited 429': 1, '/bad 502': 1, '/slow 504': 1, '/items 200': 3 })
    expect(text).toContain('gw_throttled_total{api="shop",stage="prod",method="GET",resource="/limited"} 1')
    expect(text).toContain('gw_cache_hits_total{api="shop",stage="prod",method="GET",resource="/items"} 2')
    expect(text).toContain('gw_cache_misses_total{api="shop",stage="prod",method="GET",resource="/items"} 1')
    expect(text).toContain('gw_latency_seconds_count{api="shop",stage="prod",method="GET",resource="/ok"} 3')
    // the API listener does not serve /metrics
    expect((await fetch(`${gw.urls[0] ?? ''}/metrics`)).status).toBe(403)
    await gw.close()
    const access = readFileSync(join(dir, 'access.log'), 'utf8').trim().split('\n')
    expect(access).toHaveLength(12) // the mix, then the refused GET /metrics on the API listener
    expect(access[11]).toMatch(/"GET - HTTP\/1\.1" 403 /)
    expect(access[0]).toMatch(/^127\.0\.0\.1 - - \[[^\]]+\] "GET \/ok HTTP\/1\.1" 200 11 [0-9a-f-]{36} \S+$/)
    expect(access[3]).toMatch(/"GET - HTTP\/1\.1" 403 42 /)
    const emf = readFileSync(join(dir, 'emf.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(emf.map((l) => [l.Resource ?? '-', l.Count]).sort()).toEqual([['-', 2], ['/bad', 1], ['/items', 3], ['/limited', 2], ['/ok', 3], ['/slow', 1]])
  })

  it('without a port, /metrics is served only under the management path with the admin token', async () => {
    const { gw } = await setUp('metrics:\n  prometheus: true')
    await (await fetch(`${gw.urls[0] ?? ''}/ok`)).arrayBuffer()
    const origin = new URL(gw.urls[0] ?? '').origin
    expect((await fetch(`${origin}/_gw/metrics`)).status).toBe(403)
    const res = await fetch(`${origin}/_gw/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4')
    expect(await res.text()).toContain('gw_requests_total{api="shop",stage="prod",method="GET",resource="/ok",status="200"} 1')
  })

  it.each([
    ['Prometheus with neither a port nor management', 'metrics:\n  prometheus: true', /never public/, false],
    ['a REST access log format without a request id (§13.2)', 'metrics:\n  accessLog: { format: "$context.status" }', /requestId/, true]
  ])('refuses at start: %s', async (_name, metrics, message, management) => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-metrics-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'shop.yaml'), openapi('http://127.0.0.1:9'))
    writeFileSync(join(dir, 'bad.mjs'), 'export const handler = async () => null\n')
    writeFileSync(join(dir, 'gw.config.yaml'), config(metrics).replace('management: { enabled: true, tokenFromEnv: ADMIN_TOKEN }', management ? 'management: { enabled: true, tokenFromEnv: ADMIN_TOKEN }' : ''))
    await expect(serve({ config: join(dir, 'gw.config.yaml'), port: 0, env: { SHOP_KEY: KEY, ADMIN_TOKEN: TOKEN }, logger: silentLogger })).rejects.toThrow(message)
  })
})
