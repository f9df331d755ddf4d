import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { onTestFinished } from 'vitest'
import { compose, toNodeHandler, type GatewayContext, type Middleware } from '@gw/core'

/** Route facts a router/stage would set before the integration runs. */
export interface RouteFacts {
  apiId?: string
  stage?: string
  resourcePath?: string
  routeKey?: string
  pathParameters?: Record<string, string> | null
  stageVariables?: Record<string, string> | null
  stripStage?: boolean
}

/** A middleware standing in for stages + router: sets the route facts. */
export function route(facts: RouteFacts): Middleware<object> {
  return function fakeRoute(ctx: GatewayContext<object>, next) {
    ctx.apiId = facts.apiId ?? 'a1b2c3d4e5'
    ctx.stage = facts.stage ?? 'prod'
    ctx.deploymentId = 'x1y2z3'
    ctx.resourceId = 'r4nd0m'
    ctx.resourcePath = facts.resourcePath ?? '/{proxy+}'
    ctx.routeKey = facts.routeKey
    ctx.pathParameters = facts.pathParameters ?? null
    ctx.stageVariables = facts.stageVariables ?? null
    if (facts.stripStage !== false && ctx.rawPath.startsWith(`/${ctx.stage}/`)) ctx.path = ctx.rawPath.slice(ctx.stage.length + 1)
    return next()
  }
}

/** Listens on port 0 and closes after the test. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string; port: number }> {
  const server = createServer(handler)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  onTestFinished(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => { r() }) }))
  const port = (server.address() as AddressInfo).port
  return { server, url: `http://127.0.0.1:${String(port)}`, port }
}

/** Serves a gateway pipeline (route facts + integration) on a real socket. */
export async function gateway(steps: Middleware<object>[], flavour: 'REST' | 'HTTP' = 'REST'): Promise<string> {
  const handler = toNodeHandler(compose<object>(steps), { flavour })
  return (await listen(handler)).url
}

/** Reads a request body fully. */
export function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => { resolve(Buffer.concat(chunks)) })
    req.on('error', reject)
  })
}
