// Baseline: the mw suite's bare node:http server (JSON.stringify per request, nothing else).
export { start } from '../mw/bare.mjs'
export const meta = { suite: 'stack', name: 'bare', baseline: true, description: 'node:http + JSON.stringify, nothing else' }
