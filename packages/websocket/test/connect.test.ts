import aws4 from 'aws4'
import { describe, expect, it } from 'vitest'
import { createUsagePlans } from '@gw/usage-plans'
import { handler, lambdaIntegration, open, serveApi, type TestEvent } from './support.js'

const authorizerUri = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations'

/** A REQUEST authorizer: token `allow` → Allow with context, `deny` → Deny, else `Unauthorized` (§10.4). */
const auth = handler((event: TestEvent): Promise<unknown> => {
  const token = event.queryStringParameters?.token
  if (token === 'allow' || token === 'deny')
    return Promise.resolve({
      principalId: 'user-1',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: token === 'allow' ? 'Allow' : 'Deny', Resource: event.methodArn }] },
      context: { room: 'r1', level: 3 }
    })
  return Promise.reject(new Error('Unauthorized'))
})

describe('$connect (§14.3) and $disconnect (§14.5)', () => {
  it('authorizer allow → 101, context on later events; deny → 403; missing / Unauthorized → 401', async () => {
    const events: TestEvent[] = []
    const { wsOrigin } = await serveApi(
      {
        protocolType: 'WEBSOCKET',
        apiId: 'chatapi',
        name: 'chat',
        routeSelectionExpression: '$request.body.action',
        routes: [
          { routeKey: '$connect', authorizationType: 'CUSTOM', authorizerId: 'a1', target: 'integrations/fn' },
          { routeKey: '$default', target: 'integrations/fn', routeResponseSelectionExpression: '$default' }
        ],
        integrations: [lambdaIntegration('fn', 'fn')],
        authorizers: [{ authorizerId: 'a1', authorizerUri, identitySource: ['route.request.querystring.token'] }],
        stages: { dev: { stageVariables: { colour: 'blue' } } }
      },
      {
        integrations: {
          lambda: {
            auth,
            fn: handler((event: TestEvent) => {
              events.push(event)
              return Promise.resolve({ statusCode: 200, body: 'ok' })
            })
          }
        }
      }
    )
    const c = await open(`${wsOrigin}/dev?token=allow`, { headers: { 'User-Agent': 'wscat' } })
    c.ws.send('hi')
    expect(await c.next()).toBe('ok')
    const [connect, message] = events as [TestEvent, TestEvent]
    expect(connect.requestContext).toMatchObject({ routeKey: '$connect', eventType: 'CONNECT', messageId: null, messageDirection: 'IN', disconnectStatusCode: null, disconnectReason: null, stage: 'dev', apiId: 'chatapi', domainName: '127.0.0.1' })
    expect(connect.requestContext.identity).toMatchObject({ sourceIp: '127.0.0.1', userAgent: 'wscat' })
    expect(connect.requestContext.requestId).toBe(connect.requestContext.extendedRequestId)
    expect(connect.requestContext.connectionId).toMatch(/^[A-Za-z0-9+/]{15}=$/)
    expect(connect.queryStringParameters).toEqual({ token: 'allow' })
    expect(connect.multiValueQueryStringParameters).toEqual({ token: ['allow'] })
    expect(connect.headers?.['User-Agent']).toBe('wscat')
    expect(connect.multiValueHeaders?.['User-Agent']).toEqual(['wscat'])
    expect(connect.isBase64Encoded).toBe(false)
    expect(message).toMatchObject({ body: 'hi', isBase64Encoded: false, requestContext: { routeKey: '$default', eventType: 'MESSAGE', connectionId: connect.requestContext.connectionId } })
    expect(message.requestContext.messageId).toMatch(/^[A-Za-z0-9+/]{15}=$/)
    expect(message.requestContext.authorizer).toMatchObject({ principalId: 'user-1', room: 'r1', level: '3' })
    expect(message.headers).toBeUndefined()

    await expect(open(`${wsOrigin}/dev?token=deny`)).rejects.toThrow('Unexpected server response: 403')
    await expect(open(`${wsOrigin}/dev?token=nope`)).rejects.toThrow('Unexpected server response: 401')
    await expect(open(`${wsOrigin}/dev`)).rejects.toThrow('Unexpected server response: 401')
    await expect(open(`${wsOrigin}/nostage`)).rejects.toThrow('Unexpected server response: 404')
  })

  it('the $connect integration status decides: non-2xx refuses with that status; Sec-WebSocket-Protocol goes into the 101', async () => {
    const { wsOrigin } = await serveApi(
      {
        protocolType: 'WEBSOCKET',
        name: 'status',
        routeSelectionExpression: '$request.body.action',
        routes: [{ routeKey: '$connect', target: 'integrations/fn' }],
        integrations: [lambdaIntegration('fn', 'fn')],
        stages: { dev: {} }
      },
      {
        integrations: {
          lambda: {
            fn: handler((event: TestEvent) => {
              const want = event.queryStringParameters?.status ?? '200'
              return Promise.resolve({ statusCode: Number(want), headers: want === '200' ? { 'Sec-WebSocket-Protocol': 'chat.v2' } : {} })
            })
          }
        }
      }
    )
    await expect(open(`${wsOrigin}/dev?status=400`)).rejects.toThrow('Unexpected server response: 400')
    await expect(open(`${wsOrigin}/dev?status=503`)).rejects.toThrow('Unexpected server response: 503')
    const c = await open(`${wsOrigin}/dev`, {}, ['chat.v1', 'chat.v2'])
    expect(c.ws.protocol).toBe('chat.v2')
  })

  it('apiKeyRequired on $connect: x-api-key through a usage plan (§14.2 apiKeySelectionExpression, §9)', async () => {
    const plans = createUsagePlans({
      usagePlans: [{ id: 'p1', name: 'p1', apiStages: [{ apiId: 'keyed', stage: 'dev' }] }],
      apiKeys: [{ id: 'k1', name: 'k1', value: 'abcdefghijklmnopqrstuvwxyz', usagePlanIds: ['p1'] }]
    })
    const { wsOrigin } = await serveApi(
      { protocolType: 'WEBSOCKET', apiId: 'keyed', name: 'keyed', routeSelectionExpression: '$request.body.action', routes: [{ routeKey: '$connect', apiKeyRequired: true }], stages: { dev: {} } },
      { usagePlans: plans }
    )
    await expect(open(`${wsOrigin}/dev`)).rejects.toThrow('Unexpected server response: 403')
    const c = await open(`${wsOrigin}/dev`, { headers: { 'x-api-key': 'abcdefghijklmnopqrstuvwxyz' } })
    expect(c.ws.readyState).toBe(1)
  })

  it('$disconnect runs after close with disconnectStatusCode and disconnectReason (§14.5)', async () => {
    const seen: TestEvent[] = []
    let wake: () => void = () => undefined
    const { wsOrigin } = await serveApi(
      {
        protocolType: 'WEBSOCKET',
        name: 'bye',
        routeSelectionExpression: '$request.body.action',
        routes: [{ routeKey: '$disconnect', target: 'integrations/fn' }],
        integrations: [lambdaIntegration('fn', 'fn')],
        stages: { dev: {} }
      },
      {
        integrations: {
          lambda: {
            fn: handler((event: TestEvent) => {
              seen.push(event)
              wake()
              return Promise.resolve({ statusCode: 200 })
            })
          }
        }
      }
    )
    const gone = (): Promise<void> => new Promise((ok) => (wake = ok))
    const a = await open(`${wsOrigin}/dev`, { headers: { 'x-api-key': 'k-123' } })
    let next = gone()
    a.ws.close(4000, 'bye now')
    await next
    expect(seen[0]).toMatchObject({
      headers: { Host: '127.0.0.1', 'x-api-key': 'k-123', 'x-restapi': 'bye' },
      isBase64Encoded: false,
      requestContext: { routeKey: '$disconnect', eventType: 'DISCONNECT', disconnectStatusCode: 4000, disconnectReason: 'bye now', messageId: null }
    })
    const b = await open(`${wsOrigin}/dev`)
    next = gone()
    b.ws.close()
    await next
    expect(seen[1]?.requestContext).toMatchObject({ disconnectStatusCode: 1005, disconnectReason: 'Client-side close frame status not set' })
  })
})

describe('$connect with AWS_IAM (§14.3, §10.8)', () => {
  it('unsigned → 403 Missing Authentication Token, wrong secret → 403; a signed upgrade connects and its identity is on later events', async () => {
    const key = { accessKeyId: 'AKIACONNECT000000001', secretAccessKey: 'connect-secret' }
    const creds = new Map([[key.accessKeyId, { secretAccessKey: key.secretAccessKey, principal: { arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' }, policy: { Statement: [{ Effect: 'Allow' as const, Action: 'execute-api:Invoke', Resource: '*' }] } }]])
    const events: TestEvent[] = []
    const { wsOrigin } = await serveApi(
      {
        protocolType: 'WEBSOCKET',
        name: 'iam',
        routeSelectionExpression: '$request.body.action',
        routes: [
          { routeKey: '$connect', authorizationType: 'AWS_IAM' },
          { routeKey: '$default', target: 'integrations/fn', routeResponseSelectionExpression: '$default' }
        ],
        integrations: [lambdaIntegration('fn', 'fn')],
        stages: { dev: {} }
      },
      {
        iam: { credentials: (id: string) => creds.get(id) },
        integrations: { lambda: { fn: handler((event: TestEvent) => { events.push(event); return Promise.resolve({ statusCode: 200, body: 'ok' }) }) } }
      }
    )
    const signed = (secretAccessKey: string): Record<string, string> => {
      const u = new URL(`${wsOrigin}/dev`)
      const req = aws4.sign({ host: u.host, path: '/dev', method: 'GET', service: 'execute-api', region: 'us-east-1', headers: {} }, { accessKeyId: key.accessKeyId, secretAccessKey })
      const h = req.headers as Record<string, string>
      return { Authorization: h.Authorization as string, 'X-Amz-Date': h['X-Amz-Date'] as string }
    }
    await expect(open(`${wsOrigin}/dev`)).rejects.toThrow('Unexpected server response: 403')
    await expect(open(`${wsOrigin}/dev`, { headers: signed('wrong') })).rejects.toThrow('Unexpected server response: 403')
    const c = await open(`${wsOrigin}/dev`, { headers: signed(key.secretAccessKey) })
    c.ws.send('hi')
    expect(await c.next()).toBe('ok')
    expect(events[0]?.requestContext.identity).toMatchObject({ accessKey: key.accessKeyId, userArn: 'arn:aws:iam::123456789012:user/alice', sourceIp: '127.0.0.1' })
  })
})
