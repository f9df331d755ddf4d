import { describe, expect, it } from 'vitest'
import { GwError } from '@gw/core'
import { compileSelectionExpression, createWebSocketApi } from '@gw/websocket'
import { handler, lambdaIntegration, mockIntegration, open, serveApi, silence } from './support.js'

const MESSAGE = { service: 'chat', action: 'join', data: { room: 'r1' } }

// aws-semantics §14.2: every row of the selection-expression table, against a real gateway: the route whose key is
// the expected value answers with its own key.
const rows: [string, string][] = [
  ['$request.body.action', 'join'],
  ['${request.body.action}', 'join'],
  ['${request.body.service}/${request.body.action}', 'chat/join'],
  ['${request.body.action}-${request.body.invalidPath}', 'join-'],
  ['action', 'action'],
  ['\\$default', '$default']
]

describe('route selection (§14.2) with real ws clients', () => {
  it.each(rows)('%s selects %s', async (expression, key) => {
    const { wsOrigin } = await serveApi({
      protocolType: 'WEBSOCKET',
      name: 'rows',
      routeSelectionExpression: expression,
      routes: [
        { routeKey: key, target: 'integrations/hit', routeResponseSelectionExpression: '$default' as const },
        ...(key === '$default' ? [] : [{ routeKey: 'other', target: 'integrations/hit', routeResponseSelectionExpression: '$default' as const }])
      ],
      integrations: [mockIntegration('hit', '{"routeKey":"$context.routeKey"}')],
      stages: { dev: {} }
    })
    const c = await open(`${wsOrigin}/dev`)
    c.ws.send(JSON.stringify(MESSAGE))
    expect(JSON.parse(await c.next())).toEqual({ routeKey: key })
  })

  it('compiles every table row to the documented value', () => {
    for (const [expression, key] of rows) {
      const e = compileSelectionExpression(expression)
      if (typeof e === 'string') throw new Error(e)
      expect(e.evaluate({ body: MESSAGE })).toBe(key)
    }
    const arr = compileSelectionExpression('$request.body.items')
    if (typeof arr === 'string') throw new Error(arr)
    expect(arr.evaluate({ body: { items: ['item1', 'item2'] } })).toBe('[item1, item2]')
  })

  it('exact comparison, $default fallback for unknown keys and non-JSON; Forbidden frame without $default, connection stays open (§12.4)', async () => {
    const withDefault = await serveApi({
      protocolType: 'WEBSOCKET',
      name: 'fallback',
      routeSelectionExpression: '$request.body.action',
      routes: [
        { routeKey: 'join', target: 'integrations/join', routeResponseSelectionExpression: '$default' },
        { routeKey: '$default', target: 'integrations/def', routeResponseSelectionExpression: '$default' }
      ],
      integrations: [mockIntegration('join', 'join'), mockIntegration('def', 'default:$context.routeKey')],
      stages: { dev: {} }
    })
    const c = await open(`${withDefault.wsOrigin}/dev`)
    c.ws.send('{"action":"JOIN"}')
    expect(await c.next()).toBe('default:$default')
    c.ws.send('not json')
    expect(await c.next()).toBe('default:$default')
    c.ws.send('{"action":"join"}')
    expect(await c.next()).toBe('join')

    const without = await serveApi({
      protocolType: 'WEBSOCKET',
      name: 'nodefault',
      routeSelectionExpression: '$request.body.action',
      routes: [{ routeKey: 'join', target: 'integrations/join', routeResponseSelectionExpression: '$default' }],
      integrations: [mockIntegration('join', 'join')],
      stages: { dev: {} }
    })
    const d = await open(`${without.wsOrigin}/dev`)
    d.ws.send('{"action":"leave"}')
    const frame = await d.next()
    expect(frame).toMatch(/^\{"message": "Forbidden", "connectionId":"[A-Za-z0-9+/]{15}=", "requestId":"[A-Za-z0-9+/]{15}="\}$/)
    d.ws.send('{"action":"join"}')
    expect(await d.next()).toBe('join')
  })

  it('two-way routes answer, one-way routes do not (§14.2)', async () => {
    const calls: unknown[] = []
    const { wsOrigin } = await serveApi(
      {
        protocolType: 'WEBSOCKET',
        name: 'ways',
        routeSelectionExpression: '$request.body.action',
        routes: [
          { routeKey: 'oneway', target: 'integrations/fn' },
          { routeKey: 'twoway', target: 'integrations/fn', routeResponseSelectionExpression: '$default' }
        ],
        integrations: [lambdaIntegration('fn', 'fn')],
        stages: { dev: {} }
      },
      { integrations: { lambda: { fn: handler((event: unknown) => { calls.push(event); return Promise.resolve({ statusCode: 200, body: 'answer' }) }) } } }
    )
    const c = await open(`${wsOrigin}/dev`)
    c.ws.send('{"action":"oneway"}')
    expect(await silence(c)).toBe(true)
    expect(calls).toHaveLength(1)
    c.ws.send('{"action":"twoway"}')
    expect(await c.next()).toBe('answer')
  })

  it('a MOCK whose templates read nothing answers per template selection key as a rendered one does: request template by key, integration response by status, 500 frame without a statusCode; one-way stays silent (§4.10, §3.5)', async () => {
    const { wsOrigin } = await serveApi({
      protocolType: 'WEBSOCKET',
      name: 'constant',
      routeSelectionExpression: '$request.body.action',
      routes: [
        { routeKey: 'ask', target: 'integrations/fixed', routeResponseSelectionExpression: '$default' },
        { routeKey: 'tell', target: 'integrations/fixed' },
        { routeKey: 'who', target: 'integrations/who', routeResponseSelectionExpression: '$default' }
      ],
      integrations: [
        {
          integrationId: 'fixed',
          integrationType: 'MOCK',
          templateSelectionExpression: '$request.body.kind',
          requestTemplates: { $default: '{"statusCode": 200}', missing: '{"statusCode": 404}', broken: '{"status": 200}' },
          integrationResponses: [
            { integrationResponseKey: '/4\\d\\d/', responseTemplates: { $default: '{"found":false}' } },
            { integrationResponseKey: '$default', responseTemplates: { $default: '{"found":true}' } }
          ]
        },
        mockIntegration('who', '{"id":"$context.connectionId","route":"$context.routeKey"}')
      ],
      stages: { dev: {} }
    })
    const c = await open(`${wsOrigin}/dev`)
    c.ws.send('{"action":"ask"}')
    expect(await c.next()).toBe('{"found":true}')
    c.ws.send('{"action":"ask","kind":"missing"}')
    expect(await c.next()).toBe('{"found":false}')
    c.ws.send('{"action":"ask","kind":"other"}')
    expect(await c.next()).toBe('{"found":true}')
    c.ws.send('{"action":"ask","kind":"broken"}')
    expect(JSON.parse(await c.next())).toMatchObject({ message: 'Internal server error' })
    c.ws.send('{"action":"tell"}')
    expect(await silence(c)).toBe(true)
    c.ws.send('{"action":"who"}')
    expect(JSON.parse(await c.next())).toMatchObject({ route: 'who', id: expect.stringMatching(/^[A-Za-z0-9+/]{15}=$/) as unknown })
  })

  it('refuses custom route keys starting with $ at construction (§14.2)', () => {
    expect(() =>
      createWebSocketApi({ protocolType: 'WEBSOCKET', name: 'bad', routeSelectionExpression: '$request.body.action', routes: [{ routeKey: '$join' }], stages: { dev: {} } })
    ).toThrow(GwError)
    try {
      createWebSocketApi({ protocolType: 'WEBSOCKET', name: 'bad', routeSelectionExpression: '$request.body.action', routes: [{ routeKey: '$join' }], stages: { dev: {} } })
    } catch (err) {
      expect((err as GwError).code).toBe('GW_CONFIG_INVALID')
      expect((err as GwError).message).toContain('routes[0].routeKey')
    }
  })
})
