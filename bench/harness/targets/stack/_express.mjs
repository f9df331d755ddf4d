// The stack API on express 5: cors, an API-key check, express-jwt (RS256, verifies every request),
// express-rate-limit twice per API key (throttle per second + quota per day), on memory or on Redis (rate-limit-redis).
import express from 'express'
import cors from 'cors'
import { expressjwt } from 'express-jwt'
import { rateLimit } from 'express-rate-limit'
import { RedisStore } from 'rate-limit-redis'
import { Redis } from 'ioredis'
import { PAYLOAD, PATH, ISSUER, AUDIENCE, THROTTLE, QUOTA, fixture, requestHeaders, redisUrl } from './_fixture.mjs'

export async function startExpress ({ port, host }, { redis = false } = {}) {
  const f = fixture()
  const keys = new Set([f.apiKey])
  const client = redis ? new Redis(redisUrl(), { connectTimeout: 500, maxRetriesPerRequest: 1 }) : null
  const store = (prefix) => (client ? { store: new RedisStore({ prefix, sendCommand: (command, ...args) => client.call(command, ...args) }) } : {})
  const byKey = (req) => req.headers['x-api-key']
  const app = express()
  app.disable('x-powered-by')
  app.use(cors())
  app.use(expressjwt({ secret: f.publicPem, algorithms: ['RS256'], issuer: ISSUER, audience: AUDIENCE }))
  app.use((req, res, next) => (keys.has(req.headers['x-api-key']) ? next() : res.status(403).json({ message: 'Forbidden' })))
  app.use(rateLimit({ windowMs: 1000, limit: THROTTLE.perSecond, keyGenerator: byKey, standardHeaders: false, legacyHeaders: false, validate: false, ...store('bench-rl:') }))
  app.use(rateLimit({ windowMs: 86_400_000, limit: QUOTA.perDay, keyGenerator: byKey, standardHeaders: false, legacyHeaders: false, validate: false, ...store('bench-q:') }))
  app.get(PATH, (req, res) => res.json(PAYLOAD))
  // express-jwt signals a bad token with an error
  app.use((err, req, res, next) => (err.name === 'UnauthorizedError' ? res.status(401).json({ message: 'Unauthorized' }) : next(err)))
  const server = await new Promise((resolve) => { const s = app.listen(port, host, () => resolve(s)) })
  server.keepAliveTimeout = 65_000
  return { headers: requestHeaders(f), close: () => new Promise((resolve) => { client?.disconnect(); server.close(resolve) }) }
}
