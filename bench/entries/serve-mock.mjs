// mw suite candidate: exactly what `gw serve` starts (the CLI's serve(), built), one MOCK route with a small VTL
// response template: GET /api/hello → {"hello":"world","id":42,"tags":["a","b"],"ok":true}.
import { fileURLToPath } from 'node:url'
import { serve, silentLogger } from './_serve.mjs'

export const meta = { suite: 'mw', name: 'gw-serve-mock', description: 'gw serve: MOCK route, small VTL response template' }

export async function start ({ port, host = '127.0.0.1' }) {
  const gw = await serve({ config: fileURLToPath(new URL('./fixtures/mock.config.yaml', import.meta.url)), port, host, env: { GW_BENCH_API_KEY: 'bench-key-0123456789abcdef' }, logger: silentLogger })
  return { close: () => gw.close(), path: '/api/hello' }
}
