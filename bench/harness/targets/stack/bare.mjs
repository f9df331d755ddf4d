// Baseline: the mw suite's bare node:http server (JSON.stringify per request, nothing else). It gets the same
// request as every stack row (Origin, x-api-key, a JWT) and ignores the credentials.
export { start } from '../mw/bare.mjs'
export const meta = { suite: 'stack', name: 'bare', baseline: true, description: 'node:http + JSON.stringify, nothing else' }
