import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { compose, silentLogger, toNodeHandler, type ApiFlavour, type CompiledGatewayResponses, type Middleware, type TrustProxy } from '@gw/core'
import { onTestFinished } from 'vitest'

/** What the gateway side of a test server fixes per request (a router/stage would). */
export interface ServeOptions {
  flavour?: ApiFlavour
  apiId?: string
  stage?: string
  routeKey?: string
  stageVariables?: Record<string, string>
  /** Customized gateway responses of the API (§12.2). */
  gatewayResponses?: CompiledGatewayResponses
  /** Listen address. @default '127.0.0.1' */
  host?: string
  /** The adapter's `trustProxy` (core): whether `X-Forwarded-For` may set `ctx.sourceIp`. @default false */
  trustProxy?: TrustProxy
}

/**
 * A real node:http server on port 0 through core's `toNodeHandler`: sets the
 * route side (api id, stage, route key, stage variables), runs `middleware`,
 * then an echo handler answering 200 with `ctx.authorizer`, `ctx.identity`,
 * `ctx.state` and `ctx.sourceIp`. Closed when the test finishes.
 */
export async function serve(middleware: Middleware<object> | Middleware<object>[], options: ServeOptions = {}): Promise<string> {
  const route: Middleware<object> = (ctx, next) => {
    ctx.apiId = options.apiId ?? 'a1b2c3d4e5'
    ctx.stage = options.stage ?? 'prod'
    if (options.routeKey !== undefined) ctx.routeKey = options.routeKey
    if (options.stageVariables !== undefined) ctx.stageVariables = options.stageVariables
    if (options.gatewayResponses !== undefined) ctx.gatewayResponses = options.gatewayResponses
    return next()
  }
  const echo: Middleware<object> = (ctx) => {
    ctx.json({ ok: true, authorizer: ctx.authorizer ?? null, identity: ctx.identity ?? null, state: { ...ctx.state }, sourceIp: ctx.sourceIp })
  }
  const pipeline = compose<object>([route, ...(Array.isArray(middleware) ? middleware : [middleware]), echo])
  const server: Server = createServer(toNodeHandler(pipeline, { flavour: options.flavour ?? 'REST', logger: silentLogger, ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }) }))
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`
}

/** Response parts a test asserts on. */
export interface Answer {
  status: number
  body: string
  json: Record<string, unknown>
  headers: Headers
}

/** fetch that returns status, text, parsed JSON (or {}), headers. */
export async function call(url: string, init?: RequestInit): Promise<Answer> {
  const res = await fetch(url, init)
  const body = await res.text()
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(body) as Record<string, unknown>
  } catch {
    json = {}
  }
  return { status: res.status, body, json, headers: res.headers }
}

/** A local server speaking the Lambda Invoke wire format (`POST /2015-03-31/functions/{name}/invocations`). */
export interface LocalLambda {
  /** The `invoke` seam of lambdaAuthorizer, over real HTTP. */
  invoke: (event: Record<string, unknown>, options: { signal: AbortSignal }) => Promise<unknown>
  /** Events received, in order. */
  events: Record<string, unknown>[]
}

/**
 * Runs `handler` behind a Lambda-API-shaped HTTP server: a thrown error
 * answers 200 with `X-Amz-Function-Error: Unhandled` and
 * `{"errorMessage","errorType"}`, as Lambda does.
 */
export async function localLambda(handler: (event: Record<string, unknown>) => unknown): Promise<LocalLambda> {
  const events: Record<string, unknown>[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
      events.push(event)
      Promise.resolve()
        .then(() => handler(event))
        .then(
          (out) => {
            res.setHeader('content-type', 'application/json')
            res.end(JSON.stringify(out))
          },
          (err: unknown) => {
            res.setHeader('content-type', 'application/json')
            res.setHeader('x-amz-function-error', 'Unhandled')
            res.end(JSON.stringify({ errorMessage: err instanceof Error ? err.message : String(err), errorType: 'Error' }))
          }
        )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/2015-03-31/functions/authz/invocations`
  return {
    events,
    invoke: async (event, { signal }) => {
      const res = await fetch(base, { method: 'POST', body: JSON.stringify(event), signal })
      if (res.status !== 200) throw new Error(`Lambda answered ${res.status}`)
      return (await res.json())
    }
  }
}

/** Sends a request with exactly these headers over node:http (fetch would rewrite Host). */
export function send(url: string, options: { method?: string; path: string; headers?: Record<string, string | number>; body?: string | undefined }): Promise<Answer> {
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        let json: Record<string, unknown> = {}
        try {
          json = JSON.parse(body) as Record<string, unknown>
        } catch {
          json = {}
        }
        const headers = new Headers()
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v)
        resolve({ status: res.statusCode ?? 0, body, json, headers })
      })
    })
    req.on('error', reject)
    req.end(options.body)
  })
}
