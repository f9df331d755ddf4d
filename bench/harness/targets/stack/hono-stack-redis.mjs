import { startHono } from './_hono.mjs'
export const meta = { suite: 'stack', name: 'hono-stack-redis', description: 'hono-stack with hono-rate-limiter on Redis (its RedisStore over ioredis)' }
export const start = (o) => startHono(o, { redis: true })
