import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { onTestFinished } from 'vitest'
import { silentLogger } from '@gw/core'
import { createGateway, type ApiDefinitionInput, type Gateway } from '@gw/gateway'

/** A real upstream on port 0: `/slow` answers after 1 s, everything else at once with the headers it received. */
export async function upstream(): Promise<{ url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = []
  const server: Server = createServer((req, res) => {
    seen.push(req.headers)
    const answer = (): void => {
      const body = JSON.stringify({ path: req.url })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body)
    }
    if (req.url?.startsWith('/slow') === true) setTimeout(answer, 1000).unref()
    else answer()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  )
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, seen }
}

export const mock = {
  type: 'MOCK' as const,
  requestTemplates: { 'application/json': '{"statusCode": 200}' },
  responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } } }
}

const lambdaUri = (fn: string): string => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${fn}/invocations`

/** In-process Lambdas: `bad` answers something that is not a proxy response (→ 502, §2.3). */
export const lambdas = { bad: (): Promise<unknown> => Promise.resolve('not a proxy response') }

/**
 * The scripted mix's API (REST `shop`, stage `prod`, detailed metrics on): `/ok` MOCK, `/limited` throttled at
 * burst 1, `/bad` a malformed Lambda answer (502), `/slow` an HTTP_PROXY timing out (504), `/items` an HTTP_PROXY
 * behind the stage cache (@gw/cache, which publishes the cacheLookupChannel events).
 */
export function shopApi(upstreamUrl: string, stage: Record<string, unknown> = {}): ApiDefinitionInput {
  return {
    protocol: 'REST',
    id: 'shopapi001',
    name: 'shop',
    stages: {
      prod: {
        // §7: the stage cache (@gw/cache) on, for /items only
        cacheClusterEnabled: true,
        methodSettings: {
          '*/*': { metricsEnabled: true, cachingEnabled: false },
          '/items/GET': { cachingEnabled: true },
          '/limited/GET': { throttlingRateLimit: 0.001, throttlingBurstLimit: 1 }
        },
        ...stage
      }
    },
    resources: {
      '/ok': { resourceMethods: { GET: { integration: mock } } },
      '/limited': { resourceMethods: { GET: { integration: mock } } },
      '/bad': { resourceMethods: { GET: { integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: lambdaUri('bad') } } } },
      '/slow': { resourceMethods: { GET: { integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${upstreamUrl}/slow`, timeoutInMillis: 50 } } } },
      '/items': { resourceMethods: { GET: { integration: { type: 'HTTP_PROXY', httpMethod: 'GET', uri: `${upstreamUrl}/items` } } } }
    }
  }
}

/** Serves a gateway on 127.0.0.1:0, closed after the test. */
export async function serveGateway(def: ApiDefinitionInput, options: Parameters<typeof createGateway>[1] = {}): Promise<{ url: string; gw: Gateway }> {
  const gw = createGateway(def, { logger: silentLogger, integrations: { lambda: lambdas }, ...options })
  onTestFinished(() => gw.close())
  const server = await gw.listen(0, '127.0.0.1')
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, gw }
}

/** The scripted mix: 200s, a 403 unknown path, a 429, a 502, a 504, one cache miss and two hits. Returns the statuses. */
export async function scriptedMix(base: string): Promise<number[]> {
  const paths = ['/ok', '/ok', '/ok', '/nope', '/limited', '/limited', '/bad', '/slow', '/items', '/items', '/items']
  const out: number[] = []
  for (const p of paths) {
    const res = await fetch(`${base}${p}`)
    await res.arrayBuffer()
    out.push(res.status)
  }
  return out
}

/** What the mix must produce: statuses in order. */
export const MIX_STATUSES = [200, 200, 200, 403, 200, 429, 502, 504, 200, 200, 200]
