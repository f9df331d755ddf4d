import type { AddressInfo } from 'node:net'
import { createServer, type Server } from 'node:http'
import { Readable } from 'node:stream'
import { describe, expect, it, onTestFinished } from 'vitest'
import express from 'express'
import Koa from 'koa'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { serve as honoServe } from '@hono/node-server'
import { compose, GatewayContext, GwError, MemoryCacheStore, silentLogger, toFetchHandler, toNodeHandler, type Middleware, type RequestSource } from '@gw/core'
import { expressAdapter } from '@gw/express'
import { koaAdapter } from '@gw/koa'
import { fastifyAdapter } from '@gw/fastify'
import { cache, decodeEntry, encodeEntry, wantsRefresh, cacheClusterBytes, CACHE_CLUSTER_SIZES } from '@gw/cache'

/** A GET request context without a server. */
const contextFor = (url: string): GatewayContext<object> =>
  new GatewayContext({ method: 'GET', url, headers: {}, rawHeaders: [], remoteAddress: '127.0.0.1', protocol: 'http', readBody: () => Promise.resolve(Buffer.alloc(0)), stream: () => Readable.from([]), hasBody: false, signal: new AbortController().signal } as unknown as RequestSource)

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A handler that counts its calls and answers them in its body. */
function counter(): { handler: Middleware<object>; calls: () => number } {
  let calls = 0
  return {
    calls: () => calls,
    handler: (ctx) => {
      calls++
      ctx.json({ calls, type: ctx.query['type']?.[0] ?? null })
    }
  }
}

const apps: { name: string; start: (pipeline: Middleware<object>) => Promise<string> }[] = [
  { name: 'node:http (toNodeHandler)', start: (p) => listen(createServer(toNodeHandler(p, { logger: silentLogger }))) },
  {
    name: 'Express (expressAdapter)',
    start: (p) => {
      const app = express()
      app.use(expressAdapter(p))
      return listen(createServer(app))
    }
  },
  {
    name: 'Koa (koaAdapter)',
    start: (p) => {
      const app = new Koa()
      app.use(koaAdapter(p))
      const handler = app.callback()
      return listen(
        createServer((req, res) => {
          void handler(req, res)
        })
      )
    }
  },
  {
    name: 'Fastify (fastifyAdapter)',
    start: async (p) => {
      const app = Fastify()
      await app.register(fastifyAdapter(p))
      await app.listen({ port: 0, host: '127.0.0.1' })
      onTestFinished(() => app.close())
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    }
  },
  {
    name: 'Hono (toFetchHandler)',
    start: async (p) => {
      const handler = toFetchHandler(p)
      const app = new Hono().all('/*', (c) => handler(c.req.raw))
      const server = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
      await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())))
      onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    }
  }
]

describe('cache() standalone in host frameworks (§7 rules)', () => {
  it.each(apps)('$name: the second GET is served from the cache; a key parameter separates entries, others share', async ({ start }) => {
    const { handler, calls } = counter()
    const url = await start(compose([cache({ ttl: 60, keyParameters: ['method.request.querystring.type'], store: new MemoryCacheStore() }), handler]))
    const a = await (await fetch(`${url}/pets?type=a&page=1`)).json()
    const b = await (await fetch(`${url}/pets?type=a&page=2`)).json()
    const c = await (await fetch(`${url}/pets?type=b`)).json()
    expect([a, b, c]).toEqual([
      { calls: 1, type: 'a' },
      { calls: 1, type: 'a' },
      { calls: 2, type: 'b' }
    ])
    expect(calls()).toBe(2)
  })
})

describe('cache() options and behaviour', () => {
  it('§7 hits that alternate between keys each get their own entry: status, headers and body, a fresh headers object each', async () => {
    const store = new MemoryCacheStore()
    const mw = cache({ ttl: 60, keyParameters: ['method.request.querystring.type'], store })
    const answer: Middleware<object> = (ctx) => {
      const type = ctx.query['type']?.[0] ?? ''
      ctx.status = type === 'a' ? 200 : 201
      ctx.responseHeaders['content-type'] = type === 'a' ? 'text/plain' : 'application/json'
      ctx.responseHeaders['x-type'] = type
      ctx.body = type === 'a' ? 'AAA' : Buffer.from([0xff, 0, 1])
    }
    const run = async (type: string): Promise<GatewayContext<object>> => {
      const ctx = contextFor(`/pets?type=${type}`)
      await compose([mw, answer])(ctx)
      return ctx
    }
    await run('a')
    await run('b')
    const seen: GatewayContext<object>[] = []
    for (const type of ['a', 'a', 'b', 'a', 'b', 'b']) {
      const ctx = await run(type)
      seen.push(ctx)
      expect(ctx.status).toBe(type === 'a' ? 200 : 201)
      expect({ ...ctx.responseHeaders }).toEqual({ 'content-type': type === 'a' ? 'text/plain' : 'application/json', 'x-type': type })
      expect(Buffer.from(ctx.body as string | Uint8Array)).toEqual(type === 'a' ? Buffer.from('AAA') : Buffer.from([0xff, 0, 1]))
    }
    expect(seen[0]?.responseHeaders).not.toBe(seen[1]?.responseHeaders)
  })

  it('§7 ttl 0 disables caching; POST is not cached by default; methods: [POST] caches it', async () => {
    const off = counter()
    const url = await listen(createServer(toNodeHandler(compose([cache({ ttl: 0 }), off.handler]), { logger: silentLogger })))
    await fetch(url)
    await fetch(url)
    expect(off.calls()).toBe(2)
    const post = counter()
    const url2 = await listen(createServer(toNodeHandler(compose([cache({ store: new MemoryCacheStore() }), post.handler]), { logger: silentLogger })))
    await fetch(url2, { method: 'POST', body: 'a' })
    await fetch(url2, { method: 'POST', body: 'a' })
    expect(post.calls()).toBe(2)
    const on = counter()
    const url3 = await listen(createServer(toNodeHandler(compose([cache({ methods: ['POST'], store: new MemoryCacheStore() }), on.handler]), { logger: silentLogger })))
    await fetch(url3, { method: 'POST', body: 'a' })
    await fetch(url3, { method: 'POST', body: 'a' })
    expect(on.calls()).toBe(1)
  })

  it.each([
    ['ttl over 3600', { ttl: 3601 }, /ttl/],
    ['negative ttl', { ttl: -1 }, /ttl/],
    ['a key parameter that is not method.request.*', { keyParameters: ['querystring.type'] }, /keyParameters\[0\]/],
    ['an unknown strategy', { unauthorizedCacheControlHeaderStrategy: 'IGNORE' }, /unauthorizedCacheControlHeaderStrategy/],
    ['a store without flush', { store: { get: () => undefined, set: () => undefined } }, /store/],
    ['an unknown option', { maxAge: 5 }, /maxAge/]
  ])('refuses %s with GW_CONFIG_INVALID naming the path', (_name, options, path) => {
    let caught: unknown
    try {
      cache(options as never)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(GwError)
    expect((caught as GwError).code).toBe('GW_CONFIG_INVALID')
    expect((caught as GwError).message).toMatch(path)
  })

  it('§7 max-age=0 refreshes for callers canInvalidate admits; others get the warning under the default strategy', async () => {
    const c = counter()
    const mw = cache({ store: new MemoryCacheStore(), canInvalidate: (ctx) => ctx.headers['x-admin'] === 'yes' })
    const url = await listen(createServer(toNodeHandler(compose([mw, c.handler]), { logger: silentLogger })))
    await fetch(url)
    const ignored = await fetch(url, { headers: { 'cache-control': 'max-age=0' } })
    expect([(await ignored.json()), ignored.headers.get('warning')]).toEqual([{ calls: 1, type: null }, '199 - "Cache-Control header ignored: not authorized"'])
    const refreshed = await fetch(url, { headers: { 'cache-control': 'max-age=0', 'x-admin': 'yes' } })
    expect(await refreshed.json()).toEqual({ calls: 2, type: null })
    expect(await (await fetch(url)).json()).toEqual({ calls: 2, type: null })
  })

  it('§7 a streamed body over 1,048,576 bytes reaches the client whole and is not stored; a small stream is', async () => {
    let calls = 0
    const size = (ctx: GatewayContext<object>): number => (ctx.path === '/big' ? 1_048_577 : 10_000)
    const streaming: Middleware<object> = (ctx) => {
      calls++
      const total = size(ctx)
      const chunk = Buffer.alloc(16_384, calls)
      ctx.body = Readable.from(
        (function* () {
          for (let sent = 0; sent < total; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, total - sent))
        })()
      )
    }
    const url = await listen(createServer(toNodeHandler(compose([cache({ store: new MemoryCacheStore() }), streaming]), { logger: silentLogger })))
    const big = [await fetch(`${url}/big`), await fetch(`${url}/big`)]
    expect(await Promise.all(big.map(async (r) => (await r.arrayBuffer()).byteLength))).toEqual([1_048_577, 1_048_577])
    expect(calls).toBe(2)
    const small = [await fetch(`${url}/small`), await fetch(`${url}/small`)]
    const bodies = await Promise.all(small.map(async (r) => Buffer.from(await r.arrayBuffer())))
    expect(bodies[1]).toEqual(bodies[0])
    expect(bodies[0]?.length).toBe(10_000)
    expect(calls).toBe(3)
  })

  it('§7 a handler that throws is not cached and waiting requests call it themselves', async () => {
    let calls = 0
    const flaky: Middleware<object> = async (ctx) => {
      calls++
      await new Promise((r) => setTimeout(r, 50))
      if (calls === 1) throw new Error('boom')
      ctx.json({ calls })
    }
    const url = await listen(createServer(toNodeHandler(compose([cache({ store: new MemoryCacheStore() }), flaky]), { logger: silentLogger })))
    const [first, second] = await Promise.all([fetch(url), new Promise((r) => setTimeout(r, 10)).then(() => fetch(url))])
    expect([first.status, second.status]).toEqual([500, 200])
    expect(await second.json()).toEqual({ calls: 2 })
    expect(await (await fetch(url)).json()).toEqual({ calls: 2 })
    expect(calls).toBe(2)
  })

  it.each([
    ['binary (not UTF-8)', Buffer.from([0, 255, 10, 13, 0, 128, 0xc3])],
    ['multi-byte UTF-8', Buffer.from('{"name":"Zoë 🐕","sep":"\u2028"}', 'utf8')]
  ])('§7 a hit answers the stored body byte for byte: %s', async (_name, bytes) => {
    let calls = 0
    const handler: Middleware<object> = (ctx) => {
      calls++
      ctx.status = 200
      ctx.responseHeaders['content-type'] = 'application/octet-stream'
      ctx.body = bytes
    }
    const url = await listen(createServer(toNodeHandler(compose([cache({ ttl: 60, store: new MemoryCacheStore() }), handler]), { logger: silentLogger })))
    const got: Buffer[] = []
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${url}/blob`)
      expect(res.headers.get('content-length')).toBe(String(bytes.length))
      got.push(Buffer.from(await res.arrayBuffer()))
    }
    expect(calls).toBe(1)
    for (const b of got) expect(b.equals(bytes)).toBe(true)
  })

  it('a store that fails is a miss, never an error to the client', async () => {
    const c = counter()
    const broken = { get: () => Promise.reject(new Error('down')), set: () => Promise.reject(new Error('down')), delete: () => undefined, flush: () => undefined }
    const url = await listen(createServer(toNodeHandler(compose([cache({ store: broken }), c.handler]), { logger: silentLogger })))
    const statuses = [(await fetch(url)).status, (await fetch(url)).status]
    expect(statuses).toEqual([200, 200])
    expect(c.calls()).toBe(2)
  })
})

describe('entries, Cache-Control, cluster sizes', () => {
  it('§7 an entry round-trips status, multi-value headers and binary body bytes; a foreign or truncated entry is a miss', () => {
    const body = Buffer.from([0, 255, 10, 13, 0, 128])
    const bytes = encodeEntry(201, { 'content-type': 'application/octet-stream', 'set-cookie': ['a=1', 'b=ü'], connection: 'close' }, body, new Set(['connection']))
    const entry = decodeEntry(bytes)
    expect(entry?.status).toBe(201)
    expect({ ...entry?.headers }).toEqual({ 'content-type': 'application/octet-stream', 'set-cookie': ['a=1', 'b=ü'] })
    expect(Buffer.from(entry?.body ?? [])).toEqual(body)
    expect(decodeEntry(bytes.subarray(0, 12))).toBeUndefined()
    expect(decodeEntry(Buffer.from('hello'))).toBeUndefined()
  })

  it.each([
    ['max-age=0', true],
    ['no-cache, max-age=0', true],
    ['max-age="0"', true],
    ['MAX-AGE=00', true],
    ['max-age=10', false],
    ['s-max-age=0x', false],
    ['no-cache', false]
  ])('§7 Cache-Control %s → refresh %s', (header, expected) => {
    expect(wantsRefresh(header)).toBe(expected)
  })

  it('§7 the eight cacheClusterSize values map to byte bounds (GB = 2^30 bytes)', () => {
    expect(CACHE_CLUSTER_SIZES.map(cacheClusterBytes)).toEqual([0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237].map((gb) => Math.round(gb * 2 ** 30)))
  })
})
