// fastify 5 + @fastify/cors: preflights answered 204 by the plugin's OPTIONS route, actual requests get the hook.
import Fastify from 'fastify'
import cors from '@fastify/cors'
import { PAYLOAD, PATH } from '../mw/_payload.mjs'
import { ORIGIN, METHODS, HEADERS, MAX_AGE } from './_policy.mjs'

export const meta = { suite: 'cors', name: 'fastify-cors', description: 'fastify + @fastify/cors (one origin, 2 methods, 2 headers, maxAge 600)' }

export async function start ({ port, host = '127.0.0.1' }) {
  const app = Fastify({ logger: false, keepAliveTimeout: 65_000 })
  await app.register(cors, { origin: ORIGIN, methods: METHODS, allowedHeaders: HEADERS, maxAge: MAX_AGE })
  app.get(PATH, async () => PAYLOAD)
  await app.listen({ port, host })
  return { close: () => app.close() }
}
