import { startExpress } from './_express.mjs'
export const meta = { suite: 'stack', name: 'express-stack-redis', description: 'express-stack with express-rate-limit on Redis (rate-limit-redis, ioredis)' }
export const start = (o) => startExpress(o, { redis: true })
