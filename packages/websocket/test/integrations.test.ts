import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import { open, serveApi, silence } from './support.js'

/** What a backend on port 0 received. */
interface Received {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: string
}

/** A real HTTP server on port 0 recording every request; `answer` writes the response. */
async function backend(answer: (r: Received, res: ServerResponse) => void): Promise<{ url: string; seen: Received[] }> {
  const seen: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      seen.push(r)
      answer(r, res)
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  onTestFinished(() => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()) }))
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, seen }
}

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:remote'
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }

describe('integrations on WebSocket routes other than MOCK and in-process Lambda (§14.1)', () => {
  it('AWS_PROXY to a remote function: the Invoke wire format (SigV4, RequestResponse), the §14.6 events byte for byte in field order, binary frames base64, the answer back; a function error → Internal server error frame', async () => {
    // A local double of Lambda's Invoke API: POST /2015-03-31/functions/{fn}/invocations, the event as the body,
    // the function's result as the answer; X-Amz-Function-Error marks a function error.
    const lambda = await backend((r, res) => {
      const event = JSON.parse(r.body) as { body?: string; isBase64Encoded: boolean; requestContext: { eventType: string } }
      if (event.body === 'fail') return void res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' }).end('{"errorMessage":"boom","errorType":"Error"}')
      if (event.requestContext.eventType !== 'MESSAGE') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"statusCode":200}')
      const answer = event.isBase64Encoded ? { statusCode: 200, body: event.body, isBase64Encoded: true } : { statusCode: 200, body: `remote:${String(event.body)}` }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
    })
    const { wsOrigin, api } = await serveApi(
      {
        protocolType: 'WEBSOCKET',
        apiId: 'remoteapi',
        name: 'remote',
        routeSelectionExpression: '$request.body.action',
        routes: [
          { routeKey: '$connect', target: 'integrations/fn' },
          { routeKey: '$disconnect', target: 'integrations/fn' },
          { routeKey: '$default', target: 'integrations/fn', routeResponseSelectionExpression: '$default' }
        ],
        integrations: [{ integrationId: 'fn', integrationType: 'AWS_PROXY', integrationUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FN}/invocations` }],
        stages: { dev: {} }
      },
      { integrations: { aws: { endpoint: lambda.url, region: 'us-east-1', credentials: CREDS } } }
    )
    const c = await open(`${wsOrigin}/dev?room=r1`, { headers: { 'User-Agent': 'wscat' } })
    const connect = lambda.seen[0] as Received
    expect(connect.method).toBe('POST')
    expect(connect.path).toBe(`/2015-03-31/functions/${encodeURIComponent(FN)}/invocations`)
    expect(connect.headers['x-amz-invocation-type']).toBe('RequestResponse')
    expect(connect.headers['content-type']).toBe('application/json')
    expect(connect.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/lambda\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/)
    const connectEvent = JSON.parse(connect.body) as { headers: Record<string, string>; queryStringParameters: Record<string, string>; requestContext: Record<string, unknown> }
    expect(Object.keys(connectEvent)).toEqual(['headers', 'multiValueHeaders', 'queryStringParameters', 'multiValueQueryStringParameters', 'requestContext', 'isBase64Encoded'])
    expect(connectEvent.queryStringParameters).toEqual({ room: 'r1' })
    expect(connectEvent.headers['User-Agent']).toBe('wscat')
    expect(connectEvent.requestContext).toMatchObject({ routeKey: '$connect', eventType: 'CONNECT', apiId: 'remoteapi', stage: 'dev' })
    const connectionId = connectEvent.requestContext.connectionId as string

    c.ws.send('{"action":"hello","text":"é"}')
    expect(await c.next()).toBe('remote:{"action":"hello","text":"é"}')
    const message = JSON.parse((lambda.seen[1] as Received).body) as { requestContext: Record<string, unknown> }
    // §14.6 field order, as the event's JSON reaches a remote function
    expect(Object.keys(message)).toEqual(['requestContext', 'body', 'isBase64Encoded'])
    expect(Object.keys(message.requestContext)).toEqual(['routeKey', 'eventType', 'messageId', 'messageDirection', 'extendedRequestId', 'requestTime', 'requestTimeEpoch', 'connectedAt', 'connectionId', 'stage', 'domainName', 'apiId', 'requestId', 'identity'])
    expect(message).toMatchObject({ body: '{"action":"hello","text":"é"}', isBase64Encoded: false, requestContext: { routeKey: '$default', eventType: 'MESSAGE', messageDirection: 'IN', connectionId, apiId: 'remoteapi', stage: 'dev', domainName: '127.0.0.1', identity: { sourceIp: '127.0.0.1', userAgent: 'wscat' } } })
    expect(message.requestContext.requestId).toBe(message.requestContext.extendedRequestId)
    expect(message.requestContext.requestTime).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/)

    // a binary frame: base64 with isBase64Encoded (§14.4); a base64 answer goes back as a binary frame
    c.ws.send(Buffer.from([0xff, 0x00, 0xfe]), { binary: true })
    expect(await c.next()).toBe('binary:/wD+')
    expect(JSON.parse((lambda.seen[2] as Received).body)).toMatchObject({ body: '/wD+', isBase64Encoded: true })

    c.ws.send('fail')
    expect(JSON.parse(await c.next())).toEqual({ message: 'Internal server error', connectionId, requestId: expect.stringMatching(/^[A-Za-z0-9+/]{15}=$/) as unknown })
    expect(c.ws.readyState).toBe(1)

    c.ws.close(1000, 'done')
    await expect.poll(() => lambda.seen.length).toBe(5)
    const disconnect = JSON.parse((lambda.seen[4] as Received).body) as Record<string, unknown>
    expect(disconnect).toMatchObject({ headers: { Host: '127.0.0.1', 'x-restapi': 'remoteapi' }, requestContext: { routeKey: '$disconnect', eventType: 'DISCONNECT', disconnectStatusCode: 1000, disconnectReason: 'done', connectionId } })
    expect(api.connectionCount).toBe(0)
  })

  it('HTTP: the request template with $context (connectionId, routeKey, eventType, messageId, requestId) and $input.body, sent with integrationMethod to the URI; integration responses by status pattern map the answer (§4.10)', async () => {
    const http = await backend((r, res) => {
      const sent = JSON.parse(r.body) as { text: string }
      if (sent.text === 'missing') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such thing"}')
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echoed: sent.text }))
    })
    const { wsOrigin } = await serveApi({
      protocolType: 'WEBSOCKET',
      name: 'http',
      routeSelectionExpression: '$request.body.action',
      routes: [
        { routeKey: 'whoami', target: 'integrations/who', routeResponseSelectionExpression: '$default' },
        { routeKey: 'send', target: 'integrations/backend', routeResponseSelectionExpression: '$default' }
      ],
      integrations: [
        { integrationId: 'who', integrationType: 'MOCK', requestTemplates: { $default: '{"statusCode": 200}' }, integrationResponses: [{ integrationResponseKey: '$default', responseTemplates: { $default: '$context.connectionId' } }] },
        {
          integrationId: 'backend',
          integrationType: 'HTTP',
          integrationMethod: 'PUT',
          integrationUri: `${http.url}/messages/\${stageVariables.box}`,
          templateSelectionExpression: '\\$default',
          requestTemplates: {
            $default: '{"connectionId":"$context.connectionId","routeKey":"$context.routeKey","eventType":"$context.eventType","messageId":"$context.messageId","requestId":"$context.requestId","stage":"$context.stage","text":$input.json(\'$.text\')}'
          },
          integrationResponses: [
            { integrationResponseKey: '/4\\d\\d/', responseTemplates: { $default: '{"failed":$input.json(\'$.error\')}' } },
            { integrationResponseKey: '$default', responseTemplates: { $default: '{"ok":$input.json(\'$.echoed\')}' } }
          ]
        }
      ],
      stages: { dev: { stageVariables: { box: 'inbox' } } }
    })
    const c = await open(`${wsOrigin}/dev`)
    c.ws.send('{"action":"whoami"}')
    const connectionId = await c.next()
    c.ws.send('{"action":"send","text":"hello"}')
    expect(JSON.parse(await c.next())).toEqual({ ok: 'hello' })
    const got = http.seen[0] as Received
    expect(got.method).toBe('PUT')
    expect(got.path).toBe('/messages/inbox')
    expect(got.headers['content-type']).toBe('application/json')
    const sent = JSON.parse(got.body) as Record<string, string>
    expect(sent).toMatchObject({ connectionId, routeKey: 'send', eventType: 'MESSAGE', stage: 'dev', text: 'hello' })
    expect(sent.messageId).toMatch(/^[A-Za-z0-9+/]{15}=$/)
    expect(sent.requestId).toMatch(/^[A-Za-z0-9+/]{15}=$/)
    expect(sent.messageId).not.toBe(sent.requestId)
    c.ws.send('{"action":"send","text":"missing"}')
    expect(JSON.parse(await c.next())).toEqual({ failed: 'no such thing' })
  })

  it('HTTP_PROXY: the message is the request body, unchanged, to integrationMethod + URI; the backend answer is sent back on a two-way route and dropped on a one-way route (§14.2)', async () => {
    const http = await backend((r, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end(`proxied ${r.body}`) })
    const { wsOrigin } = await serveApi({
      protocolType: 'WEBSOCKET',
      name: 'proxy',
      routeSelectionExpression: '$request.body.action',
      routes: [
        { routeKey: 'twoway', target: 'integrations/proxy', routeResponseSelectionExpression: '$default' },
        { routeKey: 'oneway', target: 'integrations/proxy' }
      ],
      integrations: [{ integrationId: 'proxy', integrationType: 'HTTP_PROXY', integrationMethod: 'POST', integrationUri: `${http.url}/ingest` }],
      stages: { dev: {} }
    })
    const c = await open(`${wsOrigin}/dev`)
    c.ws.send('{"action":"twoway","n":1}')
    expect(await c.next()).toBe('proxied {"action":"twoway","n":1}')
    expect(http.seen[0]).toMatchObject({ method: 'POST', path: '/ingest', body: '{"action":"twoway","n":1}' })
    c.ws.send('{"action":"oneway","n":2}')
    expect(await silence(c)).toBe(true)
    expect(http.seen[1]).toMatchObject({ method: 'POST', path: '/ingest', body: '{"action":"oneway","n":2}' })
    // the message's own bytes and nothing of the gateway's template machinery (no selection key as Content-Type)
    expect(http.seen[0]?.headers['content-type']).toBeUndefined()
    expect(http.seen[0]?.headers['x-amzn-apigateway-api-id']).toBe('proxy')
  })
})
