import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import WebSocket from 'ws'
import { silentLogger } from '@gw/core'
import { createGateway } from '@gw/gateway'
import { mock } from './serve.js'

const pong = { integrationId: 'pong', integrationType: 'MOCK' as const, requestTemplates: { $default: '{"statusCode": 200}' } }

const chat = {
  protocolType: 'WEBSOCKET' as const,
  name: 'chat',
  routeSelectionExpression: '$request.body.action',
  routes: [{ routeKey: 'ping', target: 'integrations/pong', routeResponseSelectionExpression: '$default' as const }],
  integrations: [{ integrationId: 'pong', integrationType: 'MOCK' as const, requestTemplates: { $default: '{"statusCode": 200}' }, integrationResponses: [{ integrationResponseKey: '$default', responseTemplates: { $default: '{"pong":"$context.stage"}' } }] }],
  stages: { dev: {} }
}

function roundTrip(url: string, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.on('open', () => ws.send(message))
    ws.on('message', (data) => {
      resolve((data as Buffer).toString('utf8'))
      ws.close()
    })
    ws.on('error', reject)
  })
}

const MESSAGE = JSON.stringify({ service: 'chat', action: 'join', data: { room: 'r1' } })

describe('createGateway() with WebSocket APIs (§14)', () => {
  // aws-semantics §14.2: every row of the selection-expression table through createGateway().listen(0).
  it.each([
    ['$request.body.action', 'join'],
    ['${request.body.action}', 'join'],
    ['${request.body.service}/${request.body.action}', 'chat/join'],
    ['${request.body.action}-${request.body.invalidPath}', 'join-'],
    ['action', 'action'],
    ['\\$default', '$default']
  ])('§14.2 row %s selects route %s', async (expression, key) => {
    const gw = createGateway(
      {
        ...chat,
        routeSelectionExpression: expression,
        routes: [{ routeKey: key, target: 'integrations/pong', routeResponseSelectionExpression: '$default' as const }],
        integrations: [{ ...pong, integrationResponses: [{ integrationResponseKey: '$default', responseTemplates: { $default: '$context.routeKey' } }] }]
      },
      { logger: silentLogger }
    )
    onTestFinished(() => gw.close())
    const port = ((await gw.listen(0)).address() as AddressInfo).port
    expect(await roundTrip(`ws://127.0.0.1:${String(port)}/dev`, MESSAGE)).toBe(key)
  })

  it('a WebSocket definition: listen() serves ws://host:port/{stage}', async () => {
    const gw = createGateway(chat, { logger: silentLogger })
    onTestFinished(() => gw.close())
    const port = ((await gw.listen(0)).address() as AddressInfo).port
    expect(await roundTrip(`ws://127.0.0.1:${String(port)}/dev`, '{"action":"ping"}')).toBe('{"pong":"dev"}')
    expect(gw.websocket).toHaveLength(1)
  })

  it('options.websocketApis beside an HTTP API on the same port; plain requests still reach the HTTP API', async () => {
    const gw = createGateway(
      { protocol: 'HTTP', name: 'http', stages: { $default: {} }, routes: { 'GET /hello': { integration: mock } } },
      { logger: silentLogger, websocketApis: [chat] }
    )
    onTestFinished(() => gw.close())
    const port = ((await gw.listen(0)).address() as AddressInfo).port
    expect(await roundTrip(`ws://127.0.0.1:${String(port)}/dev`, '{"action":"ping"}')).toBe('{"pong":"dev"}')
    const res = await fetch(`http://127.0.0.1:${String(port)}/hello`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true })
  })

  it('without WebSocket APIs the server keeps its one request listener and has no upgrade listener (no per-request cost)', async () => {
    const gw = createGateway({ protocol: 'HTTP', name: 'http', stages: { $default: {} }, routes: { 'GET /hello': { integration: mock } } }, { logger: silentLogger })
    onTestFinished(() => gw.close())
    const server = await gw.listen(0)
    expect(server.listenerCount('request')).toBe(1)
    expect(server.listenerCount('upgrade')).toBe(0)
    expect(gw.websocket).toHaveLength(0)
  })
})
