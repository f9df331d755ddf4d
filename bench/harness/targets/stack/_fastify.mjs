// The stack API on fastify 5: @fastify/cors, an API-key check, @fastify/jwt (RS256, its verified-token cache on),
// @fastify/rate-limit twice per API key (throttle per second + quota per day), on memory or on Redis (ioredis).
import Fastify from 'fastify'
import cors from '@fastify/cors'
import jwt from '@fastify/jwt'
import rateLimit from '@fastify/rate-limit'
import { Redis } from 'ioredis'
import { PAYLOAD, PATH, ISSUER, AUDIENCE, THROTTLE, QUOTA, fixture, requestHeaders, redisUrl } from './_fixture.mjs'

export async function startFastify ({ port, host }, { redis = false } = {}) {
  const f = fixture()
  const keys = new Set([f.apiKey])
  const client = redis ? new Redis(redisUrl(), { connectTimeout: 500, maxRetriesPerRequest: 1 }) : null
  const app = Fastify({ logger: false })
  await app.register(cors)
  await app.register(jwt, { secret: { public: f.publicPem }, verify: { algorithms: ['RS256'], allowedIss: ISSUER, allowedAud: AUDIENCE, cache: true } })
  await app.register(rateLimit, { global: false, ...(client ? { redis: client } : {}) })
  const byKey = (req) => req.headers['x-api-key']
  const throttle = app.rateLimit({ max: THROTTLE.perSecond, timeWindow: 1000, keyGenerator: byKey, ...(client ? { nameSpace: 'bench-rl-' } : {}) })
  const quota = app.rateLimit({ max: QUOTA.perDay, timeWindow: 86_400_000, keyGenerator: byKey, ...(client ? { nameSpace: 'bench-q-' } : {}) })
  const apiKey = async (req, reply) => {
    if (!keys.has(req.headers['x-api-key'])) return reply.code(403).send({ message: 'Forbidden' })
  }
  const auth = async (req, reply) => {
    try { await req.jwtVerify() } catch { return reply.code(401).send({ message: 'Unauthorized' }) }
  }
  app.get(PATH, { onRequest: [auth, apiKey], preHandler: [throttle, quota] }, async () => PAYLOAD)
  await app.listen({ port, host })
  return { headers: requestHeaders(f), close: async () => { await app.close(); client?.disconnect() } }
}
