// express 5 + the cors package: preflights answered 204 by cors(), actual requests reach the JSON route.
import express from 'express'
import cors from 'cors'
import { PAYLOAD, PATH } from '../mw/_payload.mjs'
import { ORIGIN, METHODS, HEADERS, MAX_AGE } from './_policy.mjs'

export const meta = { suite: 'cors', name: 'express-cors', description: 'express + cors (one origin, 2 methods, 2 headers, maxAge 600)' }

export async function start ({ port, host = '127.0.0.1' }) {
  const app = express()
  app.disable('x-powered-by')
  app.use(cors({ origin: ORIGIN, methods: METHODS, allowedHeaders: HEADERS, maxAge: MAX_AGE }))
  app.get(PATH, (req, res) => res.json(PAYLOAD))
  const server = await new Promise((resolve) => { const s = app.listen(port, host, () => resolve(s)) })
  server.keepAliveTimeout = 65_000
  return { close: () => new Promise((resolve) => server.close(resolve)) }
}
