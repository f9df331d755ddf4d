// The stack API on hono (@hono/node-server): hono/cors, an API-key check, hono/jwt (RS256, verifies every request),
// hono-rate-limiter twice per API key (throttle per second + quota per day), on memory or on Redis (its RedisStore
// over ioredis).
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { jwt } from 'hono/jwt'
import { serve } from '@hono/node-server'
import { rateLimiter, RedisStore } from 'hono-rate-limiter'
import { Redis } from 'ioredis'
import { PAYLOAD, PATH, ISSUER, THROTTLE, QUOTA, fixture, requestHeaders, redisUrl } from './_fixture.mjs'

export async function startHono ({ port, host }, { redis = false } = {}) {
  const f = fixture()
  const keys = new Set([f.apiKey])
  const client = redis ? new Redis(redisUrl(), { connectTimeout: 500, maxRetriesPerRequest: 1 }) : null
  // hono-rate-limiter's RedisStore speaks a small client interface; ioredis gives it these four calls
  const redisClient = client && {
    scriptLoad: (script) => client.script('LOAD', script),
    evalsha: (sha, keys, args) => client.evalsha(sha, keys.length, ...keys, ...args),
    decr: (key) => client.decr(key),
    del: (key) => client.del(key)
  }
  const store = (prefix) => (redisClient ? { store: new RedisStore({ client: redisClient, prefix }) } : {})
  const byKey = (c) => c.req.header('x-api-key') ?? ''
  const app = new Hono()
  app.use('*', cors())
  app.use('*', jwt({ secret: f.publicPem, alg: 'RS256', verification: { iss: ISSUER } }))
  app.use('*', async (c, next) => (keys.has(c.req.header('x-api-key')) ? next() : c.json({ message: 'Forbidden' }, 403)))
  app.use('*', rateLimiter({ windowMs: 1000, limit: THROTTLE.perSecond, keyGenerator: byKey, standardHeaders: false, ...store('bench-rl:') }))
  app.use('*', rateLimiter({ windowMs: 86_400_000, limit: QUOTA.perDay, keyGenerator: byKey, standardHeaders: false, ...store('bench-q:') }))
  app.get(PATH, (c) => c.json(PAYLOAD))
  const server = await new Promise((resolve) => { const s = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(s)) })
  return { headers: requestHeaders(f), close: () => new Promise((resolve) => { client?.disconnect(); server.close(resolve) }) }
}
