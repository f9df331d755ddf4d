import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve, type HttpBindings } from '@hono/node-server'
import express from 'express'
import Fastify from 'fastify'
import Koa from 'koa'
import { Hono } from 'hono'
import { createGatewayServer, toFetchHandler, type AdapterOptions, type Middleware } from '@gw/core'
import { expressAdapter } from '@gw/express'
import { gwFastify } from '@gw/fastify'
import { koaAdapter } from '@gw/koa'
import { gw } from '@gw/hono'

/** A running server of one adapter. */
export interface RunningAdapter {
  readonly name: AdapterName
  readonly url: string
  readonly server: Server
  close(): Promise<void>
}

export type AdapterName = 'node' | 'fetch' | 'express' | 'koa' | 'fastify' | 'hono'
export const ADAPTERS: readonly AdapterName[] = ['node', 'fetch', 'express', 'koa', 'fastify', 'hono']
/** The adapters that sit inside a host framework (they have a next handler to fall through to). */
export const HOST_ADAPTERS = ['express', 'koa', 'fastify', 'hono'] as const

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function closer(server: Server): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
}

/**
 * Starts `pipeline` behind one adapter on 127.0.0.1:0. Extra host routes
 * (`/host-route`) exist so `fallthrough` can be observed.
 */
export async function startAdapter(name: AdapterName, pipeline: Middleware<object>, options: AdapterOptions & { fallthrough?: boolean } = {}): Promise<RunningAdapter> {
  const { fallthrough, ...core } = options
  let server: Server
  if (name === 'hono') {
    const app = new Hono()
    app.use('*', gw(pipeline, { ...core, fallthrough: fallthrough ?? false }))
    app.get('/host-route', (c) => c.text('from hono'))
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())))
    return { name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, close: closer(server) }
  }
  if (name === 'node') {
    server = createGatewayServer(pipeline, core)
  } else if (name === 'fetch') {
    const fetch = toFetchHandler(pipeline, { ...core, clientAddress: (_req, env) => (env as HttpBindings).incoming.socket.remoteAddress })
    server = serve({ fetch, port: 0, hostname: '127.0.0.1' }) as Server
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())))
    return { name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, close: closer(server) }
  } else if (name === 'express') {
    const app = express()
    app.use(expressAdapter(pipeline, { ...core, fallthrough: fallthrough ?? false }))
    app.get('/host-route', (_req, res) => {
      res.status(200).send('from express')
    })
    server = createServer(app)
  } else if (name === 'koa') {
    const app = new Koa()
    app.use(koaAdapter(pipeline, { ...core, fallthrough: fallthrough ?? false }))
    app.use((ctx, next) => {
      if (ctx.path !== '/host-route') return next()
      ctx.body = 'from koa'
      return undefined
    })
    const callback = app.callback()
    server = createServer((req, res) => {
      void callback(req, res)
    })
  } else {
    const app = Fastify()
    await app.register(gwFastify, { pipeline, ...core, fallthrough: fallthrough ?? false })
    app.get('/host-route', () => 'from fastify')
    await app.listen({ port: 0, host: '127.0.0.1' })
    const s = app.server
    return { name, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, server: s, close: () => app.close() }
  }
  const url = await listen(server)
  return { name, url, server, close: closer(server) }
}
