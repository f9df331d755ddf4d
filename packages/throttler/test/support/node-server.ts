// Test support: a real node:http server running a @gw pipeline. Deliberately
// minimal (core's adapters are another helper's work); it translates only.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { GatewayContext, runPipeline, silentLogger, type ContextSettings, type Logger, type Middleware, type RequestSource } from '@gw/core'

function sourceOf(req: IncomingMessage): RequestSource {
  const controller = new AbortController()
  req.on('close', () => controller.abort())
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    remoteAddress: req.socket.remoteAddress ?? '',
    protocol: 'http',
    readBody: async () => {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks)
    },
    stream: () => req,
    hasBody: false,
    signal: controller.signal
  }
}

/** Starts a server on 127.0.0.1:0; `settings(req)` may set flavour or a trusted source IP. */
export async function serve(
  pipeline: Middleware<object>,
  options: { logger?: Logger; settings?: (req: IncomingMessage) => ContextSettings } = {}
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const logger = options.logger ?? silentLogger
  const server = createServer((req, res) => {
    const ctx = new GatewayContext(sourceOf(req), options.settings?.(req))
    void runPipeline(pipeline, ctx, logger).then(() => {
      res.writeHead(ctx.status, ctx.responseHeaders)
      const body = ctx.body
      res.end(typeof body === 'string' || body instanceof Uint8Array ? body : '')
    })
  })
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** A terminal middleware answering 200 `{"ok":true}`. */
export const ok: Middleware<object> = (ctx) => {
  ctx.json({ ok: true })
}
