import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach } from 'vitest'
import WebSocket from 'ws'
import { silentLogger } from '@gw/core'
import type { LambdaHandler } from '@gw/integrations'
import { attachWebSocketApis, createWebSocketApi, type WebSocketApi, type WebSocketApiDefinitionInput, type WebSocketApiOptions, type WebSocketIntegrationInput } from '@gw/websocket'

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()))
})

/** A running WebSocket API on a real node:http server, port 0. */
export interface Served {
  readonly api: WebSocketApi
  readonly server: Server
  /** `ws://127.0.0.1:port` */
  readonly wsOrigin: string
  /** `http://127.0.0.1:port` */
  readonly httpOrigin: string
}

/** Serves `def` (closed after the test). */
export async function serveApi(def: WebSocketApiDefinitionInput, options: WebSocketApiOptions = {}): Promise<Served> {
  const api = createWebSocketApi(def, { logger: silentLogger, ...options })
  const server = createServer()
  const intercept = attachWebSocketApis(server, [{ api }])
  server.on('request', (req, res) => {
    if (!intercept(req, res)) res.writeHead(404).end()
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  await api.ready()
  cleanup.push(async () => {
    await api.close()
    server.closeAllConnections()
    await new Promise<void>((ok) => server.close(() => ok()))
  })
  const port = (server.address() as AddressInfo).port
  return { api, server, wsOrigin: `ws://127.0.0.1:${String(port)}`, httpOrigin: `http://127.0.0.1:${String(port)}` }
}

/** A connected client whose messages queue up for `next()`. */
export interface Client {
  readonly ws: WebSocket
  next(timeoutMs?: number): Promise<string>
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>
}

/** Opens a client; rejects with `Unexpected server response: N` when the upgrade is refused. */
export function open(url: string, options: WebSocket.ClientOptions = {}, protocols?: string | string[]): Promise<Client> {
  const ws = new WebSocket(url, protocols, options)
  const queue: string[] = []
  const waiting: ((m: string) => void)[] = []
  ws.on('message', (data, binary) => {
    const text = binary ? `binary:${(data as Buffer).toString('base64')}` : (data as Buffer).toString('utf8')
    const w = waiting.shift()
    if (w !== undefined) w(text)
    else queue.push(text)
  })
  const closed = new Promise<{ code: number; reason: string }>((ok) => ws.on('close', (code, reason) => ok({ code, reason: reason.toString() })))
  cleanup.push(async () => {
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate()
  })
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        closed,
        next: (timeoutMs = 5000) =>
          queue.length > 0
            ? Promise.resolve(queue.shift() as string)
            : new Promise((ok, fail) => {
                const waiter = (m: string): void => {
                  clearTimeout(t)
                  ok(m)
                }
                const t = setTimeout(() => {
                  waiting.splice(waiting.indexOf(waiter), 1)
                  fail(new Error('no message'))
                }, timeoutMs)
                waiting.push(waiter)
              })
      })
    )
    ws.once('error', reject)
  })
}

/** No message within `ms`. */
export async function silence(client: Client, ms = 300): Promise<boolean> {
  try {
    await client.next(ms)
    return false
  } catch {
    return true
  }
}

/** A MOCK integration whose answer is `answer` (a VTL template). */
export function mockIntegration(id: string, answer: string): WebSocketIntegrationInput {
  return {
    integrationId: id,
    integrationType: 'MOCK' as const,
    requestTemplates: { $default: '{"statusCode": 200}' },
    integrationResponses: [{ integrationResponseKey: '$default', responseTemplates: { $default: answer } }]
  }
}

/** An in-process Lambda integration `fn`. */
export function lambdaIntegration(id: string, fn: string): WebSocketIntegrationInput {
  return { integrationId: id, integrationType: 'AWS_PROXY' as const, integrationUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${fn}/invocations` }
}

/** A typed in-process Lambda handler. */
export function handler<T>(fn: (event: T) => unknown): LambdaHandler {
  return fn as unknown as LambdaHandler
}

/** The parts of a WebSocket Lambda event the tests read (§14.6). */
export interface TestEvent {
  headers?: Record<string, string>
  multiValueHeaders?: Record<string, string[]>
  queryStringParameters?: Record<string, string>
  multiValueQueryStringParameters?: Record<string, string[]>
  body?: string
  isBase64Encoded: boolean
  requestContext: Record<string, unknown> & { identity: Record<string, unknown>; authorizer?: Record<string, unknown> }
  methodArn: string
}
