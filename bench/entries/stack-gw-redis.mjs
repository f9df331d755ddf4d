// stack suite candidate: gw-serve-stack with `store: redis://…` (throttle and quota state on the harness's redis-server).
import { startStack } from './_stack.mjs'
export const meta = { suite: 'stack', name: 'gw-serve-stack-redis', description: 'gw-serve-stack with store: redis:// (throttle + quota on Redis)' }
export const start = (o) => startStack(o, { redis: true })
