// mw suite candidate: @gw/core toNodeHandler + compose of three small middleware answering the JSON payload.
import http from 'node:http'
import { compose, reject, toNodeHandler, silentLogger } from '../../packages/core/dist/index.js'

export const meta = { suite: 'mw', name: 'gw-core-3mw', description: '@gw/core toNodeHandler + compose([origin, route, json])' }

const PAYLOAD = { hello: 'world', id: 42, tags: ['a', 'b'], ok: true }
const PATH = '/api/hello'

export async function start ({ port, host = '127.0.0.1' }) {
  const origin = (ctx, next) => {
    ctx.state.origin = ctx.headers.origin
    return next()
  }
  const route = (ctx, next) => (ctx.method === 'GET' && ctx.rawPath === PATH ? next() : reject(ctx, 'MISSING_AUTHENTICATION_TOKEN'))
  const json = (ctx) => ctx.json(PAYLOAD)
  const server = http.createServer(toNodeHandler(compose([origin, route, json]), { logger: silentLogger }))
  server.keepAliveTimeout = 65_000
  await new Promise((resolve) => server.listen(port, host, resolve))
  return { close: () => new Promise((resolve) => server.close(resolve)) }
}
