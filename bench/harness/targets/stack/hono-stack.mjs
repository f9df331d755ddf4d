import { startHono } from './_hono.mjs'
export const meta = { suite: 'stack', name: 'hono-stack', description: 'hono + hono/cors + hono/jwt (RS256) + key check + hono-rate-limiter x2 (memory)' }
export const start = (o) => startHono(o)
