// Stage response cache benchmarks (docs/benchmarks.md "## response cache").
// mw suite: `gw serve` with the stage cache on (fixtures/cache.config.yaml): GET /api/hello is a cache hit through
// the whole REST pipeline (stage, route, cache lookup, decoration), beside the bare node:http row.
// redis suite: a Redis cache hit beside an ioredis GET of the same bytes, at concurrency 1 and 64.
import { fileURLToPath } from 'node:url'
import { connect } from 'node:net'
import { Readable } from 'node:stream'
import { serve, silentLogger } from './_serve.mjs'
import { GatewayContext } from '../../packages/core/dist/index.js'
import { cache, encodeEntry } from '../../packages/cache/dist/index.js'

export const meta = { suite: 'mw', name: 'gw-serve-cache-hit', description: 'gw serve: REST stage cache hit (§7) in front of the MOCK route' }

export async function start ({ port, host = '127.0.0.1' }) {
  const gw = await serve({ config: fileURLToPath(new URL('./fixtures/cache.config.yaml', import.meta.url)), port, host, env: {}, logger: silentLogger })
  // The first request fills the entry; every timed request is a hit. It is sent over a plain socket: fetch() would
  // load undici into the server's process, whose streams and emitters then share (and make megamorphic) the property
  // accesses of node:http's own, which the server under measurement does not do in `gw serve`.
  await fill(new URL(`${gw.urls[0]}/hello`))
  return { close: () => gw.close(), path: '/api/hello' }
}

/** One keep-alive `GET` over a plain TCP socket (as the load's requests come), closed by this side once answered. */
function fill (url) {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname)
    let answer = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk) => {
      answer += chunk
      const end = answer.indexOf('\r\n\r\n')
      const length = /\r\ncontent-length: *(\d+)/i.exec(answer)
      if (end !== -1 && length !== null && answer.length >= end + 4 + Number(length[1])) socket.end()
    })
    socket.on('error', reject)
    socket.on('close', () => (answer.startsWith('HTTP/1.1 200') ? resolve() : reject(new Error(`cache fill: ${answer.split('\r\n')[0]}`))))
    socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`)
  })
}

const PAYLOAD = JSON.stringify({ hello: 'world', id: 42, tags: ['a', 'b'], ok: true })

export async function redisTasks (redisUrl) {
  // imported here, not at the top: the mw suite's server process (start()) does not load a Redis client
  const [{ Redis }, { RedisCacheStore }] = await Promise.all([import('ioredis'), import('../../packages/store-redis/dist/index.js')])
  const plain = new Redis(redisUrl)
  const store = new RedisCacheStore({ url: redisUrl, prefix: 'benchcache', onStoreError: 'failClosed' })
  await store.ready(10_000)
  // What the cache stores for the mw payload: status, content-type, body (the same bytes in both rows).
  const entry = encodeEntry(200, { 'content-type': 'application/json' }, Buffer.from(PAYLOAD), new Set())
  await store.set('bench/api', 'GET /hello', entry, 3_600_000)
  await plain.set('benchcache:plain', entry)
  // The cache() middleware on the same store: a hit = one MGET + decode + the response set on ctx.
  const mw = cache({ ttl: 3600, store, partition: 'bench/api' })
  const source = { method: 'GET', url: '/hello', headers: {}, rawHeaders: [], remoteAddress: '127.0.0.1', protocol: 'http', readBody: async () => Buffer.alloc(0), stream: () => Readable.from([]), hasBody: false, signal: new AbortController().signal }
  const miss = () => Promise.reject(new Error('the benchmark entry is missing'))
  await mw(new GatewayContext(source), async () => {})
  return [1, 64].flatMap((conc) => [
    { group: `cache-redis c=${conc}`, name: `ioredis getBuffer (${entry.length} B) [ref]`, conc, ref: true, fn: () => plain.getBuffer('benchcache:plain') },
    { group: `cache-redis c=${conc}`, name: 'ours RedisCacheStore.get() (one MGET: generation + entry)', conc, fn: () => store.get('bench/api', 'GET /hello') },
    { group: `cache-redis c=${conc}`, name: 'ours cache() middleware hit on Redis (lookup + decode + response)', conc, fn: () => mw(new GatewayContext(source), miss) }
  ])
}
