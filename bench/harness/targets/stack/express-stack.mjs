import { startExpress } from './_express.mjs'
export const meta = { suite: 'stack', name: 'express-stack', description: 'express + cors + express-jwt (RS256) + key check + express-rate-limit x2 (memory)' }
export const start = (o) => startExpress(o)
