import { startFastify } from './_fastify.mjs'
export const meta = { suite: 'stack', name: 'fastify-stack', description: 'fastify + @fastify/cors + @fastify/jwt (RS256, cache) + key check + @fastify/rate-limit x2 (memory)' }
export const start = (o) => startFastify(o)
