import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { WebSocketMetricEvent } from '@gw/core'
import { handler, lambdaIntegration, open, serveApi } from './support.js'

describe('WebSocket metrics on websocketMetricChannel (§13.1)', () => {
  it('ConnectCount, MessageCount, ClientError, IntegrationLatency, ExecutionError with ApiId / Stage / Route', async () => {
    const seen: WebSocketMetricEvent[] = []
    const listener = (m: unknown): void => {
      seen.push(m as WebSocketMetricEvent)
    }
    subscribe('gw:websocket:metric', listener)
    onTestFinished(() => {
      unsubscribe('gw:websocket:metric', listener)
    })
    const { wsOrigin } = await serveApi(
      {
        protocolType: 'WEBSOCKET',
        apiId: 'metered',
        name: 'metered',
        routeSelectionExpression: '$request.body.action',
        routes: [
          { routeKey: 'ok', target: 'integrations/ok', routeResponseSelectionExpression: '$default' },
          { routeKey: 'boom', target: 'integrations/boom', routeResponseSelectionExpression: '$default' }
        ],
        integrations: [lambdaIntegration('ok', 'ok'), lambdaIntegration('boom', 'boom')],
        stages: { dev: {} }
      },
      { integrations: { lambda: { ok: handler(() => Promise.resolve({ statusCode: 200, body: 'fine' })), boom: handler(() => Promise.reject(new Error('boom'))) } } }
    )
    const c = await open(`${wsOrigin}/dev`)
    c.ws.send('{"action":"ok"}')
    expect(await c.next()).toBe('fine')
    c.ws.send('{"action":"boom"}')
    expect(JSON.parse(await c.next())).toMatchObject({ message: 'Internal server error' })
    c.ws.send('{"action":"none"}')
    expect(JSON.parse(await c.next())).toMatchObject({ message: 'Forbidden' })
    const names = seen.map((m) => `${m.metric}:${String(m.route)}`)
    expect(names).toContain('ConnectCount:$connect')
    expect(names).toContain('IntegrationLatency:ok')
    expect(names).toContain('ExecutionError:boom')
    expect(names).toContain('ClientError:$default')
    expect(seen.filter((m) => m.metric === 'MessageCount').length).toBeGreaterThanOrEqual(6)
    expect(seen.every((m) => m.apiId === 'metered' && m.stage === 'dev')).toBe(true)
  })
})
