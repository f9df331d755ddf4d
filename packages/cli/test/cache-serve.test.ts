import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { runCli, serve, type GatewayServer } from '@gw/cli'
import { silentLogger } from '@gw/core'
import { freePort, RedisProcess } from '../../store-redis/test/support/redis.js'
import { FIXTURES, spawnGw, startUpstream } from './helpers.js'

// aws-semantics §7 through `gw serve`: the stage cache configured in gw.config.yaml (methodSettings, §6.1;
// cacheClusterEnabled/Size) and the OpenAPI file (cacheKeyParameters, cacheNamespace), counted at a real upstream.

const TOKEN = 'cache-admin-token-0123456789'
const ENV = { CACHE_ADMIN_TOKEN: TOKEN }

/** An upstream answering `{ n, path, query }`, n counting the requests to that path. */
async function upstream(): Promise<{ port: number; count: (path: string) => number }> {
  const seen = new Map<string, number>()
  const { port } = await startUpstream((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const n = (seen.get(url.pathname) ?? 0) + 1
    seen.set(url.pathname, n)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ n, path: url.pathname, query: url.search, method: req.method }))
  })
  return { port, count: (path) => seen.get(path) ?? 0 }
}

/** The cache fixture in a temp dir, pointed at `upstreamPort`, with extra top-level config lines. */
function fixture(upstreamPort: number, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-cache-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(`${FIXTURES}cache`, dir, { recursive: true })
  const file = join(dir, 'gw.config.yaml')
  writeFileSync(file, readFileSync(file, 'utf8').replace('127.0.0.1:9', `127.0.0.1:${String(upstreamPort)}`) + extra)
  return file
}

async function start(file: string): Promise<GatewayServer> {
  const gw = await serve({ config: file, port: 0, env: ENV, logger: silentLogger })
  onTestFinished(() => gw.close())
  return gw
}

const get = async (url: string, init: RequestInit = {}): Promise<{ status: number; json: { n: number; path: string; query: string; method: string } }> => {
  const res = await fetch(url, init)
  return { status: res.status, json: (await res.json()) as { n: number; path: string; query: string; method: string } }
}

function io(): { out: string[]; err: string[]; io: Parameters<typeof runCli>[1] } {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (t) => out.push(t), err: (t) => err.push(t), env: {}, onSignal: () => undefined } }
}

describe('gw serve: stage cache from gw.config.yaml and the OpenAPI file (§7, §6.1)', () => {
  it('§7 second GET from the cache; cacheKeyParameters from x-amazon-apigateway-integration separate type=, others share', async () => {
    const up = await upstream()
    const gw = await start(fixture(up.port))
    const base = gw.urls[0] ?? ''
    expect((await get(`${base}/pets?type=a&page=1`)).json.n).toBe(1)
    expect((await get(`${base}/pets?type=a&page=2`)).json).toMatchObject({ n: 1, query: '?type=a&page=1' })
    expect((await get(`${base}/pets?type=b`)).json.n).toBe(2)
    expect(up.count('/pets')).toBe(2)
  })

  it('§7 methodSettings: /pets/POST cachingEnabled caches POST; /orders/GET cacheTtlInSeconds 0 caches nothing', async () => {
    const up = await upstream()
    const gw = await start(fixture(up.port))
    const base = gw.urls[0] ?? ''
    await get(`${base}/pets`, { method: 'POST', body: '{}' })
    expect((await get(`${base}/pets`, { method: 'POST', body: '{}' })).json).toMatchObject({ n: 1, method: 'POST' })
    await get(`${base}/orders`)
    expect((await get(`${base}/orders`)).json.n).toBe(2)
  })

  it('§7 requireAuthorizationForCacheControl false in the config: Cache-Control max-age=0 refreshes the entry', async () => {
    const up = await upstream()
    const gw = await start(fixture(up.port))
    const base = gw.urls[0] ?? ''
    await get(`${base}/pets`)
    expect((await get(`${base}/pets`, { headers: { 'cache-control': 'max-age=0' } })).json.n).toBe(2)
    expect((await get(`${base}/pets`)).json.n).toBe(2)
  })

  it('§7 FlushStageCache on the management API and `gw cache flush`; FlushStageAuthorizersCache answers 202', async () => {
    const up = await upstream()
    const gw = await start(fixture(up.port))
    const base = gw.urls[0] ?? ''
    const admin = `http://127.0.0.1:${String(gw.port)}/_gw`
    await get(`${base}/pets`)
    const flushed = await fetch(`${admin}/restapis/shop/stages/prod/cache/data`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })
    expect(flushed.status).toBe(202)
    expect((await get(`${base}/pets`)).json.n).toBe(2)
    const cli = io()
    expect(await runCli(['cache', 'flush', 'shop', 'prod', '--url', admin, '--token', TOKEN], cli.io)).toBe(0)
    expect(cli.out.join('')).toBe('flushed the response cache of shop prod\n')
    expect((await get(`${base}/pets`)).json.n).toBe(3)
    const authz = io()
    expect(await runCli(['cache', 'flush', 'shop', 'prod', '--authorizers', '--url', admin, '--token', TOKEN], authz.io)).toBe(0)
    expect(authz.out.join('')).toBe('flushed the authorizer cache of shop prod\n')
    const unknown = await fetch(`${admin}/restapis/shop/stages/nope/cache/data`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })
    expect([unknown.status, await unknown.json()]).toEqual([404, { message: 'Invalid stage identifier specified' }])
    const usage = io()
    expect(await runCli(['cache', 'flush', 'shop'], usage.io)).toBe(2)
  })

  it('§0.2 an HTTP API stage with methodSettings or a cache is refused (HTTP APIs have no caching)', async () => {
    const up = await upstream()
    const file = fixture(up.port)
    const openapi = join(file, '..', 'openapi.yaml')
    writeFileSync(openapi, readFileSync(openapi, 'utf8').replace('openapi: 3.0.1', "openapi: 3.0.1\nx-amazon-apigateway-importexport-version: '1.0'"))
    await expect(serve({ config: file, port: 0, env: ENV, logger: silentLogger })).rejects.toThrow(/REST stage settings; HTTP APIs have no caching/)
  })
})

describe('gw serve processes on one Redis (§7: entries shared by every instance)', () => {
  /** Two spawned `gw serve` (the built CLI) on our own redis-server, which the test may kill and restart. */
  async function twoGateways(): Promise<{ a: string; b: string; adminA: string; up: Awaited<ReturnType<typeof upstream>>; redis: RedisProcess; logs: (() => string)[] }> {
    const redis = new RedisProcess(await freePort())
    await redis.start()
    onTestFinished(() => redis.kill())
    const up = await upstream()
    const file = fixture(up.port, `store: ${redis.url}\nstorePrefix: gwtest-${randomBytes(6).toString('hex')}\n`)
    const urls: string[] = []
    const logs: (() => string)[] = []
    for (let i = 0; i < 2; i++) {
      const gw = spawnGw(['serve', file], ENV)
      const [, url] = await gw.waitFor(/shop prod: (http:\/\/\S+)/, 30_000)
      urls.push(url ?? '')
      logs.push(gw.stderr)
    }
    const [a = '', b = ''] = urls
    return { a, b, adminA: `${new URL(a).origin}/_gw`, up, redis, logs }
  }

  it('§7 a miss on one process is a hit on the other; a flush from one empties both', async () => {
    const { a, b, adminA, up } = await twoGateways()
    expect((await get(`${a}/pets?type=x`)).json.n).toBe(1)
    expect((await get(`${b}/pets?type=x`)).json.n).toBe(1)
    expect(up.count('/pets')).toBe(1)
    const flushed = await fetch(`${adminA}/restapis/shop/stages/prod/cache/data`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })
    expect(flushed.status).toBe(202)
    expect((await get(`${b}/pets?type=x`)).json.n).toBe(2)
    expect((await get(`${a}/pets?type=x`)).json.n).toBe(2)
    expect(up.count('/pets')).toBe(2)
  })

  it('§7 Redis killed mid-run: every request is still answered (from the upstream); after a restart entries are shared again', async () => {
    const { a, b, up, redis, logs } = await twoGateways()
    await get(`${a}/pets`)
    await redis.kill()
    const during: number[] = []
    for (let i = 0; i < 10; i++) during.push((await fetch(`${i % 2 === 0 ? a : b}/pets`)).status)
    expect(during).toEqual(Array.from({ length: 10 }, () => 200))
    expect(up.count('/pets')).toBe(11)
    await redis.start()
    // ioredis reconnects by itself (backoff up to 1 s): wait until an entry written by one process is read by the other
    let shared = false
    for (let i = 0; i < 100 && !shared; i++) {
      const first = await get(`${a}/pets?type=after${String(i)}`)
      const second = await get(`${b}/pets?type=after${String(i)}`)
      shared = second.json.n === first.json.n
      if (!shared) await new Promise((r) => setTimeout(r, 100))
    }
    expect(shared).toBe(true)
    // one outage, one log line of the cache store per process (and one for its recovery)
    for (const log of logs) {
      const lines = log().split('\n').filter((l) => l.includes('"store":"RedisCacheStore"'))
      expect(lines.filter((l) => l.includes('gw.store_error'))).toHaveLength(1)
      expect(lines.filter((l) => l.includes('gw.store_recovered'))).toHaveLength(1)
    }
  })
})
