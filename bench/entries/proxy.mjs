// proxy suite candidate: one HTTP_PROXY route through the whole @gw/gateway pipeline
// (stage → route → throttle slot → @gw/integrations HTTP_PROXY), served by core's node handler.
import { createGateway } from '../../packages/gateway/dist/index.js'

export const meta = { suite: 'proxy', name: 'gw-http-proxy', description: '@gw/gateway HTTP API, ANY /api/{proxy+} → HTTP_PROXY (@gw/integrations, undici Pool)' }

export async function start({ port, host, upstream }) {
  const gw = createGateway({
    protocol: 'HTTP',
    name: 'bench',
    stages: { $default: {} },
    routes: { 'ANY /api/{proxy+}': { integration: { type: 'HTTP_PROXY', httpMethod: 'ANY', uri: `${upstream}/api/{proxy}`, payloadFormatVersion: '1.0' } } }
  })
  await gw.listen(port, host)
  return { close: () => gw.close() }
}
