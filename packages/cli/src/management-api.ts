import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { exportOpenApi, formatOpenApi, importOpenApiFile, toGatewayDefinition } from '@gw/openapi'
import { stagesInput, type GatewayApp, type ServedApi } from './runtime/gateway-app.js'
import { GwError } from '@gw/core'

/** Options of the management API. */
export interface ManagementApiOptions {
  /** Mount path. @default '/_gw' */
  path: string
  /** Admin bearer token (`Authorization: Bearer <token>`). */
  token: string
  /** Prometheus text exposition at `GET {path}{metrics.path}` (behind the token), when metrics have no port of their own. */
  metrics?: { readonly path: string; scrape(): Promise<string>; readonly contentType: string }
}

interface Reply {
  status: number
  body: unknown
  errorType?: string
  contentType?: string
}

const MAX_BODY = 1024 * 1024

/**
 * Mounts the management API on a runtime (off unless `management.enabled`; every call needs the admin token).
 * Paths and shapes follow the API Gateway REST API where practical: GetUsage (§9.3), CreateApiKey, GetApiKeys,
 * UpdateApiKey, CreateUsagePlanKey, FlushStageCache, FlushStageAuthorizersCache (§7), CreateDeployment, GetStage, UpdateStage (incl. canary promote,
 * §6.4), GetExport (§16.3).
 */
export function mountManagementApi(runtime: GatewayApp, options: ManagementApiOptions): void {
  const prefix = options.path.replace(/\/$/, '')
  const token = Buffer.from(options.token)
  runtime.intercept = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return false
    const auth = req.headers.authorization ?? ''
    const given = Buffer.from(auth.startsWith('Bearer ') ? auth.slice(7) : '')
    if (given.length !== token.length || !timingSafeEqual(given, token)) {
      send(res, { status: 403, body: { message: 'Forbidden' }, errorType: 'ForbiddenException' })
      return true
    }
    const sub = url.pathname.slice(prefix.length)
    const metrics = options.metrics
    if (metrics !== undefined && sub === metrics.path && req.method === 'GET') {
      metrics.scrape().then(
        (text) => send(res, { status: 200, body: text, contentType: metrics.contentType }),
        () => send(res, { status: 500, body: { message: 'Internal server error' }, errorType: 'InternalServerErrorException' })
      )
      return true
    }
    readJson(req).then(
      async (body) => send(res, await route(runtime, req.method ?? 'GET', sub, url.searchParams, body, req.headers.accept ?? '')),
      () => send(res, { status: 400, body: { message: 'Invalid JSON body' }, errorType: 'BadRequestException' })
    ).catch(() => send(res, { status: 500, body: { message: 'Internal server error' }, errorType: 'InternalServerErrorException' }))
    return true
  }
}

function send(res: ServerResponse, reply: Reply): void {
  res.statusCode = reply.status
  if (reply.errorType !== undefined) res.setHeader('x-amzn-errortype', reply.errorType)
  res.setHeader('content-type', reply.contentType ?? 'application/json')
  res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body))
}

function readJson(req: IncomingMessage): Promise<unknown> {
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
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      try {
        ok(text === '' ? {} : (JSON.parse(text) as unknown))
      } catch (err) {
        fail(err instanceof Error ? err : new Error(String(err)))
      }
    })
    req.on('error', fail)
  })
}

const bad = (message: string): Reply => ({ status: 400, body: { message }, errorType: 'BadRequestException' })
const notFound = (message: string): Reply => ({ status: 404, body: { message }, errorType: 'NotFoundException' })

async function route(runtime: GatewayApp, method: string, path: string, query: URLSearchParams, body: unknown, accept: string): Promise<Reply> {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent)
  const [a, b, c, d, e, f, g] = parts
  if (a === 'stores' && b === undefined && method === 'GET') return { status: 200, body: storeHealth(runtime) }
  if (a === 'apikeys' && b === undefined && method === 'POST') return createApiKey(runtime, input)
  if (a === 'apikeys' && b === undefined && method === 'GET') return listApiKeys(runtime)
  if (a === 'apikeys' && b !== undefined && c === undefined && method === 'PATCH') return updateApiKey(runtime, b, input)
  if (a === 'usageplans' && b !== undefined && c === 'usage' && method === 'GET') return getUsage(runtime, b, query)
  if (a === 'usageplans' && b !== undefined && c === 'keys' && method === 'POST') return createUsagePlanKey(runtime, b, input)
  if (a === 'restapis' && b !== undefined) {
    const served = runtime.apis.find((x) => x.api.name === b)
    if (served === undefined) return notFound('Invalid API identifier specified')
    if (c === 'deployments' && d === undefined && method === 'POST') return createDeployment(served, input)
    if (c === 'stages' && d !== undefined) {
      const stage = served.gateway.management.getStage(d)
      if (stage === undefined) return notFound('Invalid stage identifier specified')
      if (e === undefined && method === 'GET') return { status: 200, body: stage }
      if (e === undefined && method === 'PATCH') return updateStage(served, d, input)
      if (e === 'cache' && f === 'data' && g === undefined && method === 'DELETE') return flushStageCache(served, d)
      if (e === 'cache' && f === 'authorizers' && g === undefined && method === 'DELETE') return managementCall(() => {
          served.gateway.management.flushStageAuthorizersCache(d)
          return {}
        }, 202)
      if (e === 'exports' && f !== undefined && g === undefined && method === 'GET') return getExport(served, d, f, query, accept)
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

const ERROR_TYPES: Readonly<Record<number, string>> = { 400: 'BadRequestException', 404: 'NotFoundException', 409: 'ConflictException', 429: 'LimitExceededException' }

/** Runs a registry call; its GwErrors (GW_USAGE_*, GW_CONFIG_INVALID) become AWS-shaped error replies. */
async function registryCall(fn: () => unknown, status = 200): Promise<Reply> {
  try {
    return { status, body: await fn() }
  } catch (err) {
    if (!(err instanceof GwError)) throw err
    const code = err.status === 500 ? 400 : err.status
    return { status: code, body: { message: err.message }, errorType: ERROR_TYPES[code] ?? 'BadRequestException' }
  }
}

/** CreateApiKey (§9.1): value 20–128 characters or generated (40 alphanumerics); a duplicate value is 409. */
function createApiKey(runtime: GatewayApp, input: Record<string, unknown>): Promise<Reply> {
  return registryCall(() => runtime.state.plans.createApiKey(input as Parameters<typeof runtime.state.plans.createApiKey>[0]), 201)
}

/** GetApiKeys: values are stored hashed and shown masked (@gw/usage-plans). */
function listApiKeys(runtime: GatewayApp): Promise<Reply> {
  return registryCall(() => ({ ...runtime.state.plans.listApiKeys(), position: null }))
}

/** UpdateApiKey: `replace /enabled`, `/name`, `/description`, `/customerId`. */
function updateApiKey(runtime: GatewayApp, id: string, input: Record<string, unknown>): Promise<Reply> | Reply {
  const ops = Array.isArray(input.patchOperations) ? (input.patchOperations as Record<string, unknown>[]) : []
  const patch: { name?: string; description?: string; customerId?: string; enabled?: boolean } = {}
  for (const op of ops) {
    const value = typeof op.value === 'string' || typeof op.value === 'boolean' ? String(op.value) : undefined
    if (op.op !== 'replace' || value === undefined) return bad(`Invalid patch operation specified. Must be 'replace' with a value for path ${String(op.path)}`)
    if (op.path === '/enabled') patch.enabled = value === 'true'
    else if (op.path === '/name') patch.name = value
    else if (op.path === '/description') patch.description = value
    else if (op.path === '/customerId') patch.customerId = value
    else return bad(`Invalid patch path ${String(op.path)}`)
  }
  return registryCall(() => runtime.state.plans.updateApiKey(id, patch))
}

/** CreateUsagePlanKey (§9.1): `{keyId, keyType: "API_KEY"}` → `{id, type, value, name}`. */
function createUsagePlanKey(runtime: GatewayApp, planId: string, input: Record<string, unknown>): Promise<Reply> | Reply {
  if (input.keyType !== undefined && input.keyType !== 'API_KEY') return bad('keyType must be API_KEY')
  return registryCall(() => runtime.state.plans.createUsagePlanKey(planId, String(input.keyId)), 201)
}

/** GetUsage (§9.3): one `[used, remaining]` pair per day per key, keyed by key id. */
function getUsage(runtime: GatewayApp, planId: string, query: URLSearchParams): Promise<Reply> {
  const keyId = query.get('keyId')
  const limit = query.get('limit')
  const position = query.get('position')
  return registryCall(() =>
    runtime.state.plans.getUsage({
      usagePlanId: planId,
      startDate: query.get('startDate') ?? '',
      endDate: query.get('endDate') ?? '',
      ...(keyId === null ? {} : { keyId }),
      ...(limit === null ? {} : { limit: Number(limit) }),
      ...(position === null ? {} : { position })
    })
  )
}

/** Runs a gateway management call; its GwErrors become AWS-shaped 400/404 replies. */
function managementCall(fn: () => unknown, status = 200): Reply {
  try {
    return { status, body: fn() }
  } catch (err) {
    if (!(err instanceof GwError)) throw err
    const code = err.status === 404 ? 404 : err.status === 409 ? 409 : 400
    return { status: code, body: { message: err.message }, errorType: ERROR_TYPES[code] ?? 'BadRequestException' }
  }
}

/** FlushStageCache (§7): empties the stage's response cache (on Redis, for every instance); 202 as AWS answers. */
async function flushStageCache(served: ServedApi, stageName: string): Promise<Reply> {
  try {
    await served.gateway.management.flushStageCache(stageName)
    return { status: 202, body: {} }
  } catch (err) {
    return managementCall(() => {
      throw err
    })
  }
}

/** CreateDeployment (§6.1, §6.4): snapshots the API's OpenAPI file now; with canarySettings it becomes the canary. */
function createDeployment(served: ServedApi, input: Record<string, unknown>): Reply {
  const stageName = typeof input.stageName === 'string' && input.stageName !== '' ? input.stageName : undefined
  const canary = typeof input.canarySettings === 'object' && input.canarySettings !== null ? (input.canarySettings as Record<string, unknown>) : undefined
  const management = served.gateway.management
  if (canary !== undefined && stageName === undefined) {
    return bad('Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is null')
  }
  if (canary !== undefined && stageName !== undefined && management.getStage(stageName) === undefined) {
    return bad(`Invalid deployment content specified.Stage ${stageName} must already be created before making a canary release deployment`)
  }
  let definition
  try {
    definition = importOpenApiFile(served.api.file, { basePath: served.api.config.basePath }).definition
  } catch (err) {
    return bad((err as Error).message)
  }
  const reply = managementCall(() => {
    management.putDefinition({ ...toGatewayDefinition(definition, stagesInput(definition.protocol, served.api.config)), id: served.api.name })
    const deployInput: Parameters<typeof management.createDeployment>[0] = {}
    if (stageName !== undefined) deployInput.stageName = stageName
    if (typeof input.description === 'string') deployInput.description = input.description
    if (input.variables !== undefined) deployInput.variables = stringMap(input.variables)
    if (canary !== undefined) {
      deployInput.canarySettings = {
        percentTraffic: Number(canary.percentTraffic ?? 0),
        stageVariableOverrides: stringMap(canary.stageVariableOverrides),
        useStageCache: canary.useStageCache === true
      }
    }
    return management.createDeployment(deployInput)
  }, 201)
  if (reply.status === 201) served.definitions.set((reply.body as { id: string }).id, definition)
  return reply
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v)
  }
  return out
}

/** UpdateStage (§6.4): variables, canary settings, and promotion by the two valid `copy` operations. */
function updateStage(served: ServedApi, stageName: string, input: Record<string, unknown>): Reply {
  const management = served.gateway.management
  const stage = management.getStage(stageName)
  if (stage === undefined) return notFound('Invalid stage identifier specified')
  const ops = Array.isArray(input.patchOperations) ? (input.patchOperations as Record<string, unknown>[]) : []
  let variables = { ...stage.variables }
  let canary = stage.canarySettings === undefined ? undefined : { ...stage.canarySettings, stageVariableOverrides: { ...stage.canarySettings.stageVariableOverrides } }
  let deploymentId: string | undefined
  let removeCanary = false
  for (const op of ops) {
    const path = typeof op.path === 'string' ? op.path : ''
    const value = typeof op.value === 'string' || typeof op.value === 'number' || typeof op.value === 'boolean' ? String(op.value) : undefined
    if (op.op === 'copy') {
      const from = typeof op.from === 'string' ? op.from : ''
      const valid = (from === '/canarySettings/deploymentId' && path === '/deploymentId') || (from === '/canarySettings/stageVariableOverrides' && path === '/variables')
      if (!valid) {
        return bad(`Invalid copy operation with path: ${path} and from ${from}. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]`)
      }
      if (canary === undefined) return bad('Promotion not available. Canary does not exist.')
      // §6.4: the copy of overrides merges into variables; keys only in variables are kept.
      if (path === '/deploymentId') deploymentId = canary.deploymentId
      else variables = { ...variables, ...canary.stageVariableOverrides }
    } else if (op.op === 'replace' || op.op === 'add') {
      const variable = /^\/variables\/(.+)$/.exec(path)
      const override = /^\/canarySettings\/stageVariableOverrides\/(.+)$/.exec(path)
      if (variable?.[1] !== undefined && value !== undefined) variables = { ...variables, [variable[1]]: value }
      else if (path === '/canarySettings/percentTraffic' && value !== undefined) {
        canary ??= { percentTraffic: 0, deploymentId: stage.deploymentId, stageVariableOverrides: {}, useStageCache: false }
        canary.percentTraffic = Number(value)
      } else if (override?.[1] !== undefined && value !== undefined) {
        canary ??= { percentTraffic: 0, deploymentId: stage.deploymentId, stageVariableOverrides: {}, useStageCache: false }
        canary.stageVariableOverrides[override[1]] = value
      } else if (path === '/canarySettings/useStageCache' && canary !== undefined) canary.useStageCache = value === 'true'
      else if (path === '/deploymentId' && value !== undefined) deploymentId = value
      else return bad(`Invalid patch path ${path}`)
    } else if (op.op === 'remove') {
      const variable = /^\/variables\/(.+)$/.exec(path)
      if (path === '/canarySettings') removeCanary = true
      else if (variable?.[1] !== undefined) {
        const { [variable[1]]: _removed, ...rest } = variables
        variables = rest
      } else return bad(`Invalid patch path ${path}`)
    } else return bad(`Invalid patch operation ${String(op.op)}`)
  }
  return managementCall(() => {
    const update: Parameters<typeof management.updateStage>[1] = { variables }
    if (deploymentId !== undefined) update.deploymentId = deploymentId
    if (removeCanary) update.canarySettings = null
    else if (canary !== undefined) update.canarySettings = canary
    return management.updateStage(stageName, update)
  })
}

/** GetExport (§16.3): `exports/oas30` with `Accept: application/json | application/yaml`, `extensions=apigateway|integrations`. */
function getExport(served: ServedApi, stageName: string, exportType: string, query: URLSearchParams, accept: string): Reply {
  if (exportType !== 'oas30') return bad(`Unsupported export type ${exportType}; gw exports oas30`)
  const deploymentId = served.gateway.management.getStage(stageName)?.deploymentId ?? ''
  const definition = served.definitions.get(deploymentId) ?? served.api.definition
  const extensions = query.get('extensions')
  const doc = exportOpenApi(definition, { extensions: extensions === 'apigateway' || extensions === 'integrations', serverUrl: `/${stageName}` })
  const yaml = accept.includes('yaml')
  return { status: 200, body: formatOpenApi(doc, yaml ? 'yaml' : 'json'), contentType: yaml ? 'application/yaml' : 'application/json' }
}
