// hono + hono/cors on @hono/node-server: preflights answered 204 by cors(), actual requests reach c.json().
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { serve } from '@hono/node-server'
import { PAYLOAD, PATH } from '../mw/_payload.mjs'
import { ORIGIN, METHODS, HEADERS, MAX_AGE } from './_policy.mjs'

export const meta = { suite: 'cors', name: 'hono-cors', description: 'hono + hono/cors on @hono/node-server (one origin, 2 methods, 2 headers, maxAge 600)' }

export async function start ({ port, host = '127.0.0.1' }) {
  const app = new Hono()
  app.use('*', cors({ origin: ORIGIN, allowMethods: METHODS, allowHeaders: HEADERS, maxAge: MAX_AGE }))
  app.get(PATH, (c) => c.json(PAYLOAD))
  const server = await new Promise((resolve) => { const s = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(s)) })
  return { close: () => new Promise((resolve) => server.close(resolve)) }
}
