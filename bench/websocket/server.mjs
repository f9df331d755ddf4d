// One WebSocket server for bench/websocket/run.mjs, started in its own (pinned) process:
//   node server.mjs bare        ws's own echo server (the baseline)
//   node server.mjs lambda      gw: two-way route → in-process Lambda proxy echo (§14.2, §14.6)
//   node server.mjs mock        gw: two-way route → MOCK with a static response template (§4.10)
//   node server.mjs instance    gw on Redis (REDIS_URL, BENCH_PREFIX) with unsigned @connections (§14.7)
// Prints `port <n>` when listening; answers `stats` on stdin with `stats <json>` (memory after a full GC); `quit` exits.
import { createServer } from 'node:http'
import { createInterface } from 'node:readline'
import { WebSocketServer } from 'ws'
import { createGateway } from '../../packages/gateway/dist/index.js'
import { RedisConnectionStore } from '../../packages/store-redis/dist/index.js'
import { silentLogger } from '../../packages/core/dist/index.js'

const mode = process.argv[2] ?? 'bare'
const lambdaUri = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:echo/invocations'
const definition = {
  protocolType: 'WEBSOCKET',
  name: 'bench',
  routeSelectionExpression: '$request.body.action',
  routes: [
    { routeKey: '$default', target: `integrations/${mode === 'mock' ? 'mock' : 'echo'}`, routeResponseSelectionExpression: '$default' },
    { routeKey: 'whoami', target: 'integrations/who', routeResponseSelectionExpression: '$default' }
  ],
  integrations: [
    { integrationId: 'echo', integrationType: 'AWS_PROXY', integrationUri: lambdaUri },
    { integrationId: 'mock', integrationType: 'MOCK', requestTemplates: { $default: '{"statusCode": 200}' }, integrationResponses: [{ integrationResponseKey: '$default', responseTemplates: { $default: '{"ok":true}' } }] },
    { integrationId: 'who', integrationType: 'MOCK', requestTemplates: { $default: '{"statusCode": 200}' }, integrationResponses: [{ integrationResponseKey: '$default', responseTemplates: { $default: '$context.connectionId' } }] }
  ],
  stages: { dev: {} }
}

let port
if (mode === 'bare') {
  const server = createServer()
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 128 * 1024 })
  wss.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })))
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok))
  port = server.address().port
} else {
  const store = mode === 'instance' ? new RedisConnectionStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: process.env.BENCH_PREFIX ?? 'gwbench' }) : undefined
  const gw = createGateway(definition, {
    logger: silentLogger,
    integrations: { lambda: { echo: async (event) => ({ statusCode: 200, body: event.body }) } },
    websocket: { unsignedConnectionsApi: true, limits: { newConnectionRateLimit: 1e6, newConnectionBurstLimit: 1e6 }, ...(store === undefined ? {} : { connectionStore: store }) }
  })
  port = (await gw.listen(0)).address().port
}
console.log(`port ${port}`)
createInterface({ input: process.stdin }).on('line', (line) => {
  // `quit`: a clean exit, so a profiler around this process (callgrind, instructions.mjs) writes its data
  if (line === 'quit') process.exit(0)
  if (line !== 'stats') return
  globalThis.gc?.()
  globalThis.gc?.()
  const m = process.memoryUsage()
  console.log(`stats ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers })}`)
})
