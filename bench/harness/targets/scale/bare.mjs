// Baseline of the scale suite: the mw suite's bare node:http server, one process.
export { start } from '../mw/bare.mjs'
export const meta = { suite: 'scale', name: 'bare', baseline: true, description: 'node:http + JSON.stringify, one process' }
