import type { AddressInfo } from 'node:net'
import { createServer, type Server } from 'node:http'
import { describe, expect, it, onTestFinished } from 'vitest'
import express from 'express'
import Koa from 'koa'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { serve as honoServe } from '@hono/node-server'
import { compose, MemoryRateLimitStore, toFetchHandler } from '@gw/core'
import { expressAdapter } from '@gw/express'
import { koaAdapter } from '@gw/koa'
import { fastifyAdapter } from '@gw/fastify'
import { gw } from '@gw/hono'
import { throttler } from '@gw/throttler'

const limit = () => throttler({ rateLimit: 0.001, burstLimit: 2, key: 'ip', store: new MemoryRateLimitStore() })

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const apps: { name: string; start: () => Promise<string> }[] = [
  {
    name: 'Express (expressAdapter, no options)',
    start: () => {
      const app = express()
      app.use(expressAdapter(limit()))
      app.get('/', (_req, res) => res.send('ok'))
      return listen(createServer(app))
    }
  },
  {
    name: 'Koa (koaAdapter, no options)',
    start: () => {
      const app = new Koa()
      app.use(koaAdapter(limit())).use((ctx) => {
        ctx.body = 'ok'
      })
      const handler = app.callback()
      return listen(
        createServer((req, res) => {
          void handler(req, res)
        })
      )
    }
  },
  {
    name: 'Fastify (fastifyAdapter, no options)',
    start: async () => {
      const app = Fastify()
      await app.register(fastifyAdapter(limit()))
      app.get('/', () => 'ok')
      await app.listen({ port: 0, host: '127.0.0.1' })
      onTestFinished(() => app.close())
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    }
  },
  {
    name: 'Hono (@gw/hono gw(), no options)',
    start: async () => {
      const app = new Hono()
      app.use('*', gw(limit()))
      app.get('/', (c) => c.text('ok'))
      const server = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
      await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())))
      onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    }
  },
  {
    name: 'Hono (toFetchHandler, standalone)',
    start: async () => {
      const limited = toFetchHandler(compose([limit(), (ctx) => {
        ctx.body = 'ok'
      }]))
      const app = new Hono().all('/*', (c) => limited(c.req.raw))
      const server = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
      await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())))
      onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    }
  }
]

describe('README framework examples (§8.1, §8.3)', () => {
  it.each(apps)('$name: burst 2 admits 2, then the exact AWS 429', async ({ start }) => {
    const url = await start()
    const results = []
    for (let i = 0; i < 3; i++) {
      const res = await fetch(url + '/')
      results.push([res.status, await res.text(), res.headers.get('x-amzn-errortype')])
    }
    expect(results).toEqual([
      [200, 'ok', null],
      [200, 'ok', null],
      [429, '{"message":"Too Many Requests"}', 'TooManyRequestsException']
    ])
  })
})
