import type { AddressInfo } from 'node:net'
import { createServer, type Server } from 'node:http'
import { describe, expect, it, onTestFinished } from 'vitest'
import { request } from 'undici'
import express from 'express'
import Koa from 'koa'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { serve as honoServe } from '@hono/node-server'
import { expressAdapter } from '@gw/express'
import { koaAdapter } from '@gw/koa'
import { fastifyAdapter } from '@gw/fastify'
import { gw } from '@gw/hono'
import { cors } from '@gw/cors'

const policy = () => cors({ allowOrigins: ['https://app.example.com'], allowHeaders: ['content-type'], maxAge: 60 })

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const apps: { name: string; start: () => Promise<string> }[] = [
  {
    name: 'Express (expressAdapter)',
    start: () => {
      const app = express()
      app.use(expressAdapter(policy()))
      app.get('/items', (_req, res) => res.json({ ok: true }))
      return listen(createServer(app))
    }
  },
  {
    name: 'Koa (koaAdapter)',
    start: () => {
      const app = new Koa()
      app.use(koaAdapter(policy())).use((ctx) => {
        ctx.body = { ok: true }
      })
      const handler = app.callback()
      return listen(createServer((req, res) => void handler(req, res)))
    }
  },
  {
    name: 'Fastify (fastifyAdapter)',
    start: async () => {
      const app = Fastify()
      await app.register(fastifyAdapter(policy()))
      app.get('/items', () => ({ ok: true }))
      await app.listen({ port: 0, host: '127.0.0.1' })
      onTestFinished(() => app.close())
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    }
  },
  {
    name: 'Hono (@gw/hono gw())',
    start: async () => {
      const app = new Hono()
      app.use('*', gw(policy()))
      app.all('/*', (c) => c.json({ ok: true }))
      const server = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
      await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())))
      onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    }
  }
]

describe('cors() inside host frameworks (aws-semantics §11.2)', () => {
  it.each(apps)('$name: preflight 204 from cors(), actual request answered by the host with the CORS headers', async ({ start }) => {
    const url = await start()
    const pre = await request(`${url}/items`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'content-type' } })
    await pre.body.dump()
    expect(pre.statusCode).toBe(204)
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(pre.headers['access-control-allow-headers']).toBe('content-type')
    expect(pre.headers['access-control-max-age']).toBe('60')
    const res = await request(`${url}/items`, { headers: { origin: 'https://app.example.com' } })
    expect(res.statusCode).toBe(200)
    expect(await res.body.json()).toEqual({ ok: true })
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(String(res.headers.vary)).toMatch(/Origin/)
    const other = await request(`${url}/items`, { headers: { origin: 'https://evil.example' } })
    await other.body.dump()
    expect(other.statusCode).toBe(200)
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
  })
})
