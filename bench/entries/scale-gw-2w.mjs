// scale suite candidate: gw-serve-stack-redis as `gw serve --workers 2` (two workers share the port and the Redis state).
import { startStack } from './_stack.mjs'
export const meta = { suite: 'scale', name: 'gw-serve-stack-redis-2w', description: 'gw serve --workers 2: the stack API, state on Redis' }
export const start = (o) => startStack(o, { redis: true, workers: 2 })
