// Baseline: node:http answering the JSON to any method, no CORS at all (the physical limit of one request).
export { start } from '../mw/bare.mjs'
export const meta = { suite: 'cors', name: 'bare', baseline: true, description: 'node:http + JSON.stringify, no CORS' }
