// scale suite candidate: gw-serve-stack-redis as `gw serve --workers 1` (primary + one worker, node:cluster).
import { startStack } from './_stack.mjs'
export const meta = { suite: 'scale', name: 'gw-serve-stack-redis-1w', description: 'gw serve --workers 1: the stack API, state on Redis' }
export const start = (o) => startStack(o, { redis: true, workers: 1 })
