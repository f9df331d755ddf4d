import { startFastify } from './_fastify.mjs'
export const meta = { suite: 'stack', name: 'fastify-stack-redis', description: 'fastify-stack with @fastify/rate-limit on Redis (ioredis)' }
export const start = (o) => startFastify(o, { redis: true })
