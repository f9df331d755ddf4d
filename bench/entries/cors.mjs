// cors suite candidate: the standalone cors() of @gw/cors on bare node:http through toNodeHandler, answering the
// mw JSON on the route; the same policy as the peers in bench/harness/targets/cors/.
import http from 'node:http'
import { compose, reject, toNodeHandler, silentLogger } from '../../packages/core/dist/index.js'
import { cors } from '../../packages/cors/dist/index.js'
import { PAYLOAD, PATH } from '../harness/targets/mw/_payload.mjs'
import { ORIGIN, METHODS, HEADERS, MAX_AGE } from '../harness/targets/cors/_policy.mjs'

export const meta = { suite: 'cors', name: 'gw-cors', description: '@gw/cors cors() + toNodeHandler on node:http (one origin, 2 methods, 2 headers, maxAge 600)' }

export async function start ({ port, host = '127.0.0.1' }) {
  const route = (ctx, next) => (ctx.method === 'GET' && ctx.rawPath === PATH ? next() : reject(ctx, 'MISSING_AUTHENTICATION_TOKEN'))
  const json = (ctx) => ctx.json(PAYLOAD)
  const pipeline = compose([cors({ allowOrigins: [ORIGIN], allowMethods: METHODS, allowHeaders: HEADERS, maxAge: MAX_AGE }), route, json])
  const server = http.createServer(toNodeHandler(pipeline, { logger: silentLogger }))
  server.keepAliveTimeout = 65_000
  await new Promise((resolve) => server.listen(port, host, resolve))
  return { close: () => new Promise((resolve) => server.close(resolve)) }
}
