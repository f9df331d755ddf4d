import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { describe, expect, it, onTestFinished } from 'vitest'
import express from 'express'
import Koa from 'koa'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { serve } from '@hono/node-server'
import { compose, toFetchHandler, type Middleware } from '@gw/core'
import { createRouter, routerMiddleware } from '@gw/router'
import { expressAdapter } from '@gw/express'
import { koaAdapter } from '@gw/koa'
import { fastifyAdapter } from '@gw/fastify'
import { createMetrics, metrics } from '@gw/metrics'

/** A @gw pipeline guarding `/api/items/{id}` (router → route templates as labels); other paths go to the host. */
function pipeline(): Middleware<object> {
  const table = createRouter<Middleware<object>>({ flavour: 'REST' })
  table.add('GET', '/api/items/{id}', (ctx) => ctx.json({ id: ctx.pathParameters?.id }))
  return compose([metrics({ apiName: 'app', stage: 'live' }), routerMiddleware(table as never)])
}

async function listening(server: Server): Promise<string> {
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`
}

const hosts: [string, () => Promise<string>][] = [
  [
    'Express',
    () => {
      const app = express()
      app.use(expressAdapter(pipeline(), { fallthrough: true }))
      app.get('/host', (_req, res) => res.send('host'))
      return listening(app.listen(0, '127.0.0.1'))
    }
  ],
  [
    'Koa',
    () => {
      const app = new Koa()
      app.use(koaAdapter(pipeline(), { fallthrough: true }))
      app.use((ctx) => {
        ctx.body = 'host'
      })
      return listening(app.listen(0, '127.0.0.1'))
    }
  ],
  [
    'Fastify',
    async () => {
      const app = Fastify()
      await app.register(fastifyAdapter(pipeline(), { fallthrough: true }))
      app.get('/host', () => 'host')
      await app.listen({ port: 0, host: '127.0.0.1' })
      onTestFinished(() => app.close())
      return `http://127.0.0.1:${String((app.server.address() as AddressInfo).port)}`
    }
  ],
  [
    'Hono',
    () => {
      const gw = toFetchHandler(pipeline())
      const app = new Hono()
      app.all('/api/*', (c) => gw(c.req.raw))
      app.get('/host', (c) => c.text('host'))
      return listening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server)
    }
  ]
]

describe('metrics() as a middleware in host frameworks: counts what the @gw pipeline answers, by route template', () => {
  it.each(hosts)('%s', async (_name, start) => {
    const m = createMetrics({ executionLog: false })
    onTestFinished(() => m.close())
    const url = await start()
    for (const p of ['/api/items/1', '/api/items/2', '/api/items/3', '/host']) {
      const res = await fetch(url + p)
      expect(res.status).toBe(200)
      await res.arrayBuffer()
    }
    const text = await m.scrape()
    expect(text).toContain('gw_requests_total{api="app",stage="live",method="GET",resource="/api/items/{id}",status="200"} 3')
    expect(text).toContain('gw_latency_seconds_count{api="app",stage="live",method="GET",resource="/api/items/{id}"} 3')
    expect(text).not.toContain('/host')
    expect(text).not.toMatch(/items\/[123]/)
  })
})
