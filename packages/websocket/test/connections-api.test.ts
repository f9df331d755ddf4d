import { request } from 'node:http'
import aws4 from 'aws4'
import { describe, expect, it } from 'vitest'
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand
} from '@aws-sdk/client-apigatewaymanagementapi'
import type { IamCredentials } from '@gw/authorizers'
import { mockIntegration, open, serveApi, type Client } from './support.js'

const ACCOUNT = '123456789012'
const ADMIN = { accessKeyId: 'AKIAADMIN00000000001', secretAccessKey: 'admin-secret' }
const keys = new Map<string, IamCredentials>([
  [ADMIN.accessKeyId, { secretAccessKey: ADMIN.secretAccessKey, principal: { arn: `arn:aws:iam::${ACCOUNT}:user/admin`, accountId: ACCOUNT }, policy: { Statement: [{ Effect: 'Allow', Action: 'execute-api:ManageConnections', Resource: 'arn:aws:execute-api:*:*:mgmt/*' }] } }]
])
const iam = { credentials: (id: string) => keys.get(id) }

const def = {
  protocolType: 'WEBSOCKET' as const,
  apiId: 'mgmt',
  name: 'mgmt',
  routeSelectionExpression: '$request.body.action',
  routes: [{ routeKey: 'whoami', target: 'integrations/who', routeResponseSelectionExpression: '$default' as const }],
  integrations: [mockIntegration('who', '$context.connectionId')],
  stages: { dev: {} }
}

interface Answer {
  status: number
  body: string
  headers: Record<string, string | string[] | undefined>
}

/** A raw HTTP call, SigV4-signed by aws4 unless `sign` is false. */
function call(origin: string, method: string, path: string, body?: Buffer | string, sign: false | typeof ADMIN = ADMIN): Promise<Answer> {
  const url = new URL(origin)
  const opts: aws4.Request & { headers: Record<string, string> } = { host: url.host, method, path, service: 'execute-api', region: 'us-east-1', headers: {}, ...(body === undefined ? {} : { body }) }
  if (sign !== false) aws4.sign(opts, sign)
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

async function connected(wsOrigin: string): Promise<{ client: Client; id: string }> {
  const client = await open(`${wsOrigin}/dev`, { headers: { 'User-Agent': 'wscat' } })
  client.ws.send('{"action":"whoami"}')
  return { client, id: await client.next() }
}

describe('@connections API (§14.7)', () => {
  it('POST 200 (text; binary when not UTF-8), GET 200 body, DELETE 204, then 410 for all three; %40connections accepted', async () => {
    const { wsOrigin, httpOrigin } = await serveApi(def, { iam })
    const { client, id } = await connected(wsOrigin)
    const path = `/dev/@connections/${encodeURIComponent(id)}`

    const posted = await call(httpOrigin, 'POST', path, 'hello')
    expect(posted.status).toBe(200)
    expect(posted.body).toBe('')
    expect(await client.next()).toBe('hello')

    expect((await call(httpOrigin, 'POST', `/dev/%40connections/${encodeURIComponent(id)}`, Buffer.from([0xff, 0x00, 0xfe]))).status).toBe(200)
    expect(await client.next()).toBe(`binary:${Buffer.from([0xff, 0x00, 0xfe]).toString('base64')}`)

    const got = await call(httpOrigin, 'GET', path)
    expect(got.status).toBe(200)
    const body = JSON.parse(got.body) as Record<string, unknown>
    expect(Object.keys(body)).toEqual(['connectedAt', 'identity', 'lastActiveAt'])
    expect(body.identity).toEqual({ sourceIp: '127.0.0.1', userAgent: 'wscat' })
    expect(body.connectedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/)

    const deleted = await call(httpOrigin, 'DELETE', path)
    expect(deleted.status).toBe(204)
    await client.closed
    for (const method of ['POST', 'GET', 'DELETE']) {
      const gone = await call(httpOrigin, method, path, method === 'POST' ? 'late' : undefined)
      expect(gone.status).toBe(410)
      expect(gone.headers['x-amzn-errortype']).toBe('GoneException')
    }
  })

  it('410 after the client closed; 410 for an unknown id; 413 over 128 KB', async () => {
    const { wsOrigin, httpOrigin } = await serveApi(def, { iam })
    const { client, id } = await connected(wsOrigin)
    const path = `/dev/@connections/${encodeURIComponent(id)}`
    const big = await call(httpOrigin, 'POST', path, Buffer.alloc(128 * 1024 + 1, 0x61))
    expect(big.status).toBe(413)
    expect(big.headers['x-amzn-errortype']).toBe('PayloadTooLargeException')
    expect((await call(httpOrigin, 'POST', path, Buffer.alloc(128 * 1024, 0x61))).status).toBe(200)
    client.ws.close()
    await client.closed
    await expect.poll(async () => (await call(httpOrigin, 'POST', path, 'x')).status).toBe(410)
    expect((await call(httpOrigin, 'GET', '/dev/@connections/AAAAAAAAAAAAAAA%3D')).status).toBe(410)
  })

  it('SigV4 is required: unsigned 403, wrong secret 403, no ManageConnections permission 403', async () => {
    const { wsOrigin, httpOrigin } = await serveApi(def, { iam })
    const { client, id } = await connected(wsOrigin)
    const path = `/dev/@connections/${encodeURIComponent(id)}`
    const unsigned = await call(httpOrigin, 'POST', path, 'x', false)
    expect(unsigned.status).toBe(403)
    expect(unsigned.body).toBe('{"message":"Missing Authentication Token"}')
    expect((await call(httpOrigin, 'POST', path, 'x', { ...ADMIN, secretAccessKey: 'wrong' })).status).toBe(403)
    keys.set('AKIAOTHER00000000001', { secretAccessKey: 's', principal: { arn: `arn:aws:iam::${ACCOUNT}:user/o`, accountId: ACCOUNT }, policy: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] } })
    const denied = await call(httpOrigin, 'POST', path, 'x', { accessKeyId: 'AKIAOTHER00000000001', secretAccessKey: 's' })
    expect(denied.status).toBe(403)
    expect(client.ws.readyState).toBe(1)
  })

  it('@aws-sdk/client-apigatewaymanagementapi with endpoint = stage URL runs PostToConnection, GetConnection, DeleteConnection unchanged', async () => {
    const { wsOrigin, httpOrigin } = await serveApi(def, { iam })
    const { client, id } = await connected(wsOrigin)
    const sdk = new ApiGatewayManagementApiClient({ endpoint: `${httpOrigin}/dev`, region: 'us-east-1', credentials: ADMIN })
    await sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from('from the sdk') }))
    expect(await client.next()).toBe('from the sdk')
    const got = await sdk.send(new GetConnectionCommand({ ConnectionId: id }))
    expect(got.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'wscat' })
    expect(got.ConnectedAt).toBeInstanceOf(Date)
    expect(got.LastActiveAt).toBeInstanceOf(Date)
    await sdk.send(new DeleteConnectionCommand({ ConnectionId: id }))
    await client.closed
    await expect(sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from('late') }))).rejects.toBeInstanceOf(GoneException)
    sdk.destroy()
  })
})
