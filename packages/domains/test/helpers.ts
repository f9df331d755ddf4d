import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import { request as httpsRequest, type Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { PeerCertificate, TLSSocket } from 'node:tls'
import { silentLogger, toNodeHandler, type Middleware } from '@gw/core'
import { onTestFinished } from 'vitest'

/** Listens on a loopback port for one test. */
export async function listen(server: Server | HttpsServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  onTestFinished(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) }))
  return (server.address() as AddressInfo).port
}

/** A node:http server around a pipeline, with an optional node-level step first (CloudFront's headers). */
export function httpServer(mw: Middleware<object>, before?: (req: IncomingMessage) => void): Server {
  const handler = toNodeHandler(mw, { logger: silentLogger })
  return createServer((req, res) => {
    before?.(req)
    handler(req, res)
  })
}

/** What a request answered. */
export interface Answer {
  status: number
  body: string
  headers: IncomingMessage['headers']
  /** TLS: the certificate the server presented. */
  servedCert?: PeerCertificate
}

/** One request to 127.0.0.1:port with a `Host` header (and, for TLS, SNI and an optional client certificate). */
export function send(
  port: number,
  host: string,
  path: string,
  options: { tls?: { ca?: string; cert?: string; key?: string; servername?: string }; headers?: Record<string, string>; method?: string } = {}
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const common = { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host, ...options.headers }, agent: false as const }
    const onResponse = (res: IncomingMessage): void => {
      const servedCert = options.tls === undefined ? undefined : (res.socket as TLSSocket).getPeerCertificate()
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, ...(servedCert === undefined ? {} : { servedCert }) }))
    }
    const t = options.tls
    const req =
      t === undefined
        ? httpRequest(common, onResponse)
        : httpsRequest({ ...common, servername: t.servername ?? host.replace(/:\d+$/, ''), ca: t.ca, cert: t.cert, key: t.key, rejectUnauthorized: t.ca !== undefined }, onResponse)
    req.on('error', reject)
    req.end()
  })
}

/** ARN-style Lambda URI of an in-process function (§2). */
export const lambdaUri = (fn: string): string => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${fn}/invocations`
