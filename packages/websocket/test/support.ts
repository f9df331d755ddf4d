import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach } from 'vitest'
import { silentLogger } from '@gw/core'
import type { LambdaHandler } from '@gw/integrations'
import type { Client } from './client.js'
import { attachWebSocketApis, createWebSocketApi, type WebSocketApi, type WebSocketApiDefinitionInput, type WebSocketApiOptions, type WebSocketIntegrationInput } from '@gw/websocket'

export { open, type Client } from './client.js'

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
