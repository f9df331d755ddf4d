import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { MemoryRateLimitStore } from '@gw/core'
import { handler, lambdaIntegration, mockIntegration, open, serveApi, type TestEvent } from './support.js'

// Rates of 0.001/s: a bucket refills one token in 1000 s, so what a test sees is the burst alone (§8.1: buckets
// start full, one token per request), never the clock.
const SLOW = 0.001

/** A raw upgrade request: the status, headers and body a refused `$connect` answers with (§14.3, §12.4). */
function upgrade(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' } })
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('upgrade', (res, socket) => {
      socket.destroy()
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' })
    })
    req.on('error', reject)
    req.end()
  })
}

const TOO_MANY = (connectionId: string): RegExp => new RegExp(`^\\{"message": "Too Many Requests", "connectionId":"${connectionId.replace(/[+/]/g, '\\$&')}", "requestId":"[A-Za-z0-9+/]{15}="\\}$`)

describe('WebSocket throttles (§8.1)', () => {
  it('route throttles: routeSettings per route over defaultRouteSettings; a throttled message gets the Too Many Requests frame (§12.4 shape), never reaches the integration, and the connection stays open', async () => {
    const calls: string[] = []
    const { wsOrigin } = await serveApi(
      {
        protocolType: 'WEBSOCKET',
        name: 'throttled',
        routeSelectionExpression: '$request.body.action',
        routes: [
          { routeKey: 'whoami', target: 'integrations/who', routeResponseSelectionExpression: '$default' },
          { routeKey: 'hot', target: 'integrations/fn', routeResponseSelectionExpression: '$default' },
          { routeKey: 'free', target: 'integrations/fn', routeResponseSelectionExpression: '$default' },
          { routeKey: '$default', target: 'integrations/fn', routeResponseSelectionExpression: '$default' }
        ],
        integrations: [mockIntegration('who', '$context.connectionId'), lambdaIntegration('fn', 'fn')],
        stages: {
          dev: {
            // stage default: burst 1 for every route without its own setting ($default included)
            defaultRouteSettings: { throttlingBurstLimit: 1, throttlingRateLimit: SLOW },
            routeSettings: { hot: { throttlingBurstLimit: 3, throttlingRateLimit: SLOW }, whoami: { throttlingBurstLimit: 100, throttlingRateLimit: SLOW }, free: { throttlingBurstLimit: 100, throttlingRateLimit: 100 } }
          }
        }
      },
      {
        rateLimitStore: new MemoryRateLimitStore(),
        integrations: { lambda: { fn: handler((event: TestEvent) => { calls.push(event.requestContext.routeKey as string); return Promise.resolve({ statusCode: 200, body: `ok:${String(event.requestContext.routeKey)}` }) }) } }
      }
    )
    const a = await open(`${wsOrigin}/dev`)
    a.ws.send('{"action":"whoami"}')
    const idA = await a.next()
    // the route's own burst (3), not the stage default (1); answers arrive as integrations finish, so in any order
    for (let i = 0; i < 4; i++) a.ws.send('{"action":"hot"}')
    const answers = [await a.next(), await a.next(), await a.next(), await a.next()]
    expect(answers.filter((m) => m === 'ok:hot')).toHaveLength(3)
    expect(answers.find((m) => m !== 'ok:hot')).toMatch(TOO_MANY(idA))
    expect(calls).toEqual(['hot', 'hot', 'hot'])
    // the bucket is the route's in the stage, not the connection's: a second client finds it empty too
    const b = await open(`${wsOrigin}/dev`)
    b.ws.send('{"action":"whoami"}')
    const idB = await b.next()
    b.ws.send('{"action":"hot"}')
    expect(await b.next()).toMatch(TOO_MANY(idB))
    // $default falls back to the stage default: burst 1
    a.ws.send('not json')
    expect(await a.next()).toBe('ok:$default')
    a.ws.send('not json')
    expect(await a.next()).toMatch(TOO_MANY(idA))
    // other routes are untouched and the throttled connection is still open
    a.ws.send('{"action":"free"}')
    expect(await a.next()).toBe('ok:free')
    expect(calls).toEqual(['hot', 'hot', 'hot', '$default', 'free'])
    expect(a.ws.readyState).toBe(1)
  })

  it('new connections: one account-level bucket for every WebSocket API of the account and region (§8.1, 500/s by default); over it the upgrade answers 429 {"message":"Too Many Requests"} and $connect never runs', async () => {
    const store = new MemoryRateLimitStore()
    let connects = 0
    const def = (name: string) => ({
      protocolType: 'WEBSOCKET' as const,
      name,
      routeSelectionExpression: '$request.body.action',
      routes: [{ routeKey: '$connect', target: 'integrations/fn' }],
      integrations: [lambdaIntegration('fn', 'fn')],
      stages: { dev: {} }
    })
    const options = {
      rateLimitStore: store,
      limits: { newConnectionBurstLimit: 3, newConnectionRateLimit: SLOW },
      integrations: { lambda: { fn: handler(() => { connects++; return Promise.resolve({ statusCode: 200 }) }) } }
    }
    const one = await serveApi(def('one'), options)
    const two = await serveApi(def('two'), options)
    await open(`${one.wsOrigin}/dev`)
    await open(`${two.wsOrigin}/dev`)
    await open(`${one.wsOrigin}/dev`)
    expect(connects).toBe(3)
    // the fourth connection of the account, to either API, is refused before $connect runs
    for (const origin of [one.wsOrigin, two.wsOrigin]) {
      const refused = await upgrade(`${origin}/dev`)
      expect(refused.status).toBe(429)
      expect(refused.body).toBe('{"message":"Too Many Requests"}')
      expect(refused.headers['content-type']).toBe('application/json')
      expect(refused.headers['x-amzn-errortype']).toBe('TooManyRequestsException')
    }
    await expect(open(`${one.wsOrigin}/dev`)).rejects.toThrow('Unexpected server response: 429')
    expect(connects).toBe(3)
    expect(one.api.connectionCount + two.api.connectionCount).toBe(3)
  })
})
