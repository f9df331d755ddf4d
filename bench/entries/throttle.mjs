// Throttling micro and redis benchmarks (docs/benchmarks.md "## throttling").
// Settings mirror the rate-limiter-flexible peer rows of the harness (bench/harness/micro/tasks.mjs):
// 1024 keys, 1e9 points per 3600 s (windows outlive the run: steady-state path).
import { Readable } from 'node:stream'
import { GatewayContext, MemoryRateLimitStore } from '../../packages/core/dist/index.js'
import { throttler } from '../../packages/throttler/dist/index.js'
import { RedisRateLimitStore } from '../../packages/store-redis/dist/index.js'

const RATE = 1e9 / 3600
const BURST = 1e9

export async function tasks () {
  const keys = Array.from({ length: 1024 }, (_, k) => `127.0.0.${k}`)
  const store = new MemoryRateLimitStore()
  let i = 0
  // A throttler keyed by client IP, on its own memory store, over 1024 prebuilt contexts.
  const mw = throttler({ rateLimit: RATE, burstLimit: BURST, key: 'ip', store: new MemoryRateLimitStore() })
  const source = (ip) => ({ method: 'GET', url: '/api/hello', headers: {}, rawHeaders: [], remoteAddress: ip, protocol: 'http', readBody: async () => Buffer.alloc(0), stream: () => Readable.from([]), hasBody: false, signal: new AbortController().signal })
  const ctxs = keys.map((ip) => new GatewayContext(source(ip)))
  const done = Promise.resolve()
  const next = () => done
  let j = 0
  return [
    { group: 'ratelimit', name: 'ours MemoryRateLimitStore.take() (sync)', fn: () => store.take(keys[i++ & 1023], RATE, BURST) },
    { group: 'ratelimit', name: "ours throttler({ key: 'ip' }) middleware decision (memory)", fn: () => mw(ctxs[j++ & 1023], next) }
  ]
}

export async function redisTasks (redisUrl) {
  const keys = Array.from({ length: 1024 }, (_, k) => `10.0.${k >> 8}.${k & 255}`)
  const store = new RedisRateLimitStore({ url: redisUrl, prefix: 'bench', onStoreError: 'failClosed' })
  await store.ready(10_000)
  let k = 0
  return [1, 64].map((conc) => ({
    group: `redis c=${conc}`,
    name: 'ours RedisRateLimitStore.take() (EVALSHA, Redis TIME)',
    conc,
    fn: () => store.take(keys[k++ & 1023], RATE, BURST)
  }))
}
