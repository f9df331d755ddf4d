// mw suite candidate: `gw serve` (the CLI's serve(), built), the MOCK route of serve-mock.mjs behind an API key with a
// usage plan (throttle + quota, never reached), memory store.
import { fileURLToPath } from 'node:url'
import { serve, silentLogger } from './_serve.mjs'

export const meta = { suite: 'mw', name: 'gw-serve-key-plan', description: 'gw serve: MOCK route + API key + usage plan (throttle, quota), memory store' }

const KEY = 'bench-key-0123456789abcdef'

export async function start ({ port, host = '127.0.0.1' }) {
  const gw = await serve({ config: fileURLToPath(new URL('./fixtures/mock.config.yaml', import.meta.url)), port, host, env: { GW_BENCH_API_KEY: KEY }, logger: silentLogger })
  return { close: () => gw.close(), path: '/api/keyed', headers: { 'x-api-key': KEY } }
}
