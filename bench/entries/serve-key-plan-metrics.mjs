// mw suite candidate: serve-key-plan.mjs with the `metrics` section on (Prometheus families on their own port, one CLF
// access log line per request, detailed metrics): what aws-semantics §13 costs on the full REST pipeline.
import { fileURLToPath } from 'node:url'
import { serve, silentLogger } from './_serve.mjs'

export const meta = { suite: 'mw', name: 'gw-serve-key-plan-metrics', description: 'gw serve-key-plan + metrics: Prometheus + CLF access log (/dev/null) + detailed metrics' }

const KEY = 'bench-key-0123456789abcdef'

export async function start ({ port, host = '127.0.0.1' }) {
  const gw = await serve({ config: fileURLToPath(new URL('./fixtures/metrics.config.yaml', import.meta.url)), port, host, env: { GW_BENCH_API_KEY: KEY }, logger: silentLogger })
  return { close: () => gw.close(), path: '/api/keyed', headers: { 'x-api-key': KEY } }
}
