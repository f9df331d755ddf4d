import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { silentLogger, toNodeHandler, type Middleware } from '@gw/core'
import { onTestFinished } from 'vitest'

/** Serves a pipeline on a real loopback port for one test. */
export async function serve(mw: Middleware<object>): Promise<string> {
  const server: Server = createServer(toNodeHandler(mw, { logger: silentLogger }))
  await new Promise<void>((r) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r))
  onTestFinished(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) }))
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`
}
