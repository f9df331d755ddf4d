// stack suite candidate: the whole API (API key + usage plan, JWT authorizer, CORS, MOCK JSON) served by `gw serve`.
import { startStack } from './_stack.mjs'
export const meta = { suite: 'stack', name: 'gw-serve-stack', description: 'gw serve: REST API, API key + usage plan (throttle, quota), Lambda TOKEN JWT authorizer (cached), CORS headers, MOCK JSON; memory store' }
export const start = (o) => startStack(o)
