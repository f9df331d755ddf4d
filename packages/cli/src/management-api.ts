import type { IncomingMessage, ServerResponse } from 'node:http'
import type { GatewayApp } from './runtime/gateway-app.js'
import { CallerAuth } from './management/caller-auth.js'
import { bad, notFound, type Reply } from './management/reply.js'
import * as keys from './management/key-operations.js'
import * as apis from './management/api-operations.js'

/** Options of the management API. */
export interface ManagementApiOptions {
  /** Mount path. @default '/_gw' */
  path: string
  /** Admin bearer token (`Authorization: Bearer <token>`). */
  token: string
  /** Prometheus text exposition at `GET {path}{metrics.path}` (behind the token), when metrics have no port of their own. */
  metrics?: { readonly path: string; scrape(): Promise<string>; readonly contentType: string }
  /**
   * Static files answered without the token below `{path}{prefix}` (the admin console, @gw/console): `serve`
   * returns false for a path it does not know.
   */
  assets?: { readonly prefix: string; serve(req: IncomingMessage, res: ServerResponse, subPath: string): boolean } | undefined
  /** Clock for SigV4's ±5 minute check (tests). @default Date.now */
  now?: () => number
}

const MAX_BODY = 1024 * 1024

/**
 * Mounts the management API on a runtime (off unless `management.enabled`). It speaks the API Gateway REST API
 * (`restJson1`: epoch-second dates, `{item, position}` lists, `patchOperations`, errors as `x-amzn-ErrorType` plus
 * `{"message"}`) so `@aws-sdk/client-api-gateway` and `aws apigateway --endpoint-url` work unchanged. Callers
 * present the admin token as a bearer header, or sign with SigV4 (service `apigateway`) using one of the config's
 * `iam.credentials` whose identity policy allows the `apigateway:{METHOD}` action (see `CallerAuth`).
 */
export function mountManagementApi(runtime: GatewayApp, options: ManagementApiOptions): void {
  const prefix = options.path.replace(/\/$/, '')
  const auth = new CallerAuth(options.token, runtime.loaded.iam, options.now)
  runtime.intercept = (req, res) => {
    const raw = req.url ?? '/'
    const q = raw.indexOf('?')
    const rawPath = q === -1 ? raw : raw.slice(0, q)
    if (rawPath !== prefix && !rawPath.startsWith(`${prefix}/`)) return false
    const sub = rawPath.slice(prefix.length)
    const assets = options.assets
    if (assets !== undefined && req.method === 'GET' && (sub === assets.prefix || sub.startsWith(`${assets.prefix}/`)) && assets.serve(req, res, sub.slice(assets.prefix.length))) return true
    readBody(req).then(
      async (body) => {
        const caller = auth.check({ req, method: req.method ?? 'GET', path: rawPath, query: q === -1 ? '' : raw.slice(q + 1), body, resourcePath: sub === '' ? '/' : sub })
        if (!caller.ok) return send(res, { status: 403, body: { message: caller.message }, errorType: caller.errorType })
        const metrics = options.metrics
        if (metrics !== undefined && sub === metrics.path && req.method === 'GET') {
          return send(res, { status: 200, body: await metrics.scrape(), contentType: metrics.contentType })
        }
        let input: unknown = {}
        try {
          input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as unknown)
        } catch {
          return send(res, bad('Invalid JSON body'))
        }
        const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1))
        send(res, await route(runtime, req.method ?? 'GET', sub, query, typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {}, req.headers.accept ?? ''))
      },
      () => send(res, { status: 413, body: { message: 'Request Too Long' }, errorType: 'BadRequestException' })
    ).catch(() => send(res, { status: 500, body: { message: 'Internal server error' }, errorType: 'InternalServerErrorException' }))
    return true
  }
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return
  res.statusCode = reply.status
  if (reply.errorType !== undefined) res.setHeader('x-amzn-errortype', reply.errorType)
  res.setHeader('content-type', reply.contentType ?? 'application/json')
  res.setHeader('cache-control', 'no-store')
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value)
  res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body))
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) {
        req.destroy()
        fail(new Error('too large'))
      } else chunks.push(chunk)
    })
    req.on('end', () => ok(Buffer.concat(chunks)))
    req.on('error', fail)
  })
}

/** The operations, by method and path (the API Gateway REST API's URIs). */
async function route(runtime: GatewayApp, method: string, path: string, query: URLSearchParams, input: Record<string, unknown>, accept: string): Promise<Reply> {
  let parts: string[]
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent)
  } catch {
    return bad('Invalid path')
  }
  const [a, b, c, d, e, f, g] = parts
  const plans = runtime.state.plans
  if (a === 'stores' && b === undefined && method === 'GET') return { status: 200, body: storeHealth(runtime) }
  if (a === 'config' && b === undefined && method === 'GET') return { status: 200, body: runtime.loaded.config }
  if (a === 'apikeys') {
    if (b === undefined && method === 'POST') return keys.createApiKey(plans, input)
    if (b === undefined && method === 'GET') return keys.getApiKeys(plans, query)
    if (b !== undefined && c === undefined && method === 'GET') return keys.getApiKey(plans, b, query)
    if (b !== undefined && c === undefined && method === 'PATCH') return keys.updateApiKey(plans, b, input)
    if (b !== undefined && c === undefined && method === 'DELETE') return keys.deleteApiKey(plans, b)
  }
  if (a === 'usageplans') {
    if (b === undefined && method === 'GET') return keys.getUsagePlans(plans, query)
    if (b !== undefined && c === undefined && method === 'GET') return keys.getUsagePlan(plans, b)
    if (b !== undefined && c === 'usage' && d === undefined && method === 'GET') return keys.getUsage(plans, b, query)
    if (b !== undefined && c === 'keys' && d === undefined && method === 'GET') return keys.getUsagePlanKeys(plans, b, query)
    if (b !== undefined && c === 'keys' && d === undefined && method === 'POST') return keys.createUsagePlanKey(plans, b, input)
    if (b !== undefined && c === 'keys' && d !== undefined && e === undefined && method === 'DELETE') return keys.deleteUsagePlanKey(plans, b, d)
    if (b !== undefined && c === 'keys' && d !== undefined && e === 'usage' && f === undefined && method === 'PATCH') return keys.updateUsage(plans, b, d, input)
  }
  if (a === 'restapis' && b === undefined && method === 'GET') return apis.getRestApis(runtime, query)
  if (a === 'restapis' && b !== undefined) {
    const served = runtime.apis.find((x) => x.api.name === b || x.apiId === b)
    if (served === undefined) return notFound('Invalid API identifier specified')
    if (c === undefined && method === 'GET') return apis.getRestApi(served)
    if (c === 'resources' && d === undefined && method === 'GET') return apis.getResources(served, query)
    if (c === 'deployments' && d === undefined && method === 'GET') return apis.getDeployments(served, query)
    if (c === 'deployments' && d === undefined && method === 'POST') return apis.createDeployment(runtime, served, input)
    if (c === 'deployments' && d !== undefined && e === undefined && method === 'GET') return apis.getDeployment(served, d)
    if (c === 'stages' && d === undefined && method === 'GET') return apis.getStages(runtime, served)
    if (c === 'stages' && d !== undefined) {
      const stage = served.gateway.management.getStage(d)
      if (stage === undefined) return notFound('Invalid stage identifier specified')
      if (e === undefined && method === 'GET') return { status: 200, body: apis.stageWire(served, stage, runtime) }
      if (e === undefined && method === 'PATCH') return apis.updateStage(runtime, served, d, input)
      if (e === 'cache' && f === 'data' && g === undefined && method === 'DELETE') return apis.flushStageCache(served, d)
      if (e === 'cache' && f === 'authorizers' && g === undefined && method === 'DELETE') return apis.flushStageAuthorizersCache(served, d)
      if (e === 'exports' && f !== undefined && g === undefined && method === 'GET') return apis.getExport(served, d, f, query, accept)
    }
  }
  return notFound(`No management operation for ${method} ${path}`)
}

/** What a store reports about outages (the Redis stores of @gw/store-redis; memory stores report nothing). */
interface StoreReport {
  readonly stats?: { readonly errors: number; readonly degraded: boolean }
  readonly mode?: string
  readonly decidedBy?: string
}

/**
 * `GET {path}/stores`: for quotas and rate limits, whether the shared store is down now (`degraded`), how many
 * commands failed, its `onStoreError` mode and what decided the last request (`redis` or that mode). No URL,
 * password or key value is shown.
 */
function storeHealth(runtime: GatewayApp): Record<string, unknown> {
  const describe = (store: unknown): Record<string, unknown> => {
    const s = store as StoreReport
    if (s.stats === undefined) return { backend: 'memory', degraded: false }
    return { backend: 'redis', degraded: s.stats.degraded, errors: s.stats.errors, mode: s.mode, decidedBy: s.decidedBy ?? (s.stats.degraded ? s.mode : 'redis') }
  }
  return { quota: describe(runtime.state.quotas), throttle: describe(runtime.state.rateLimits) }
}
