import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { exportOpenApi, formatOpenApi, importOpenApiFile } from '@gw/openapi'
import type { GatewayRuntime, StageRuntime } from './runtime/gateway-runtime.js'
import { GwError } from '@gw/core'

/** Options of the management API. */
export interface ManagementApiOptions {
  /** Mount path. @default '/_gw' */
  path: string
  /** Admin bearer token (`Authorization: Bearer <token>`). */
  token: string
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
 * UpdateApiKey, CreateUsagePlanKey, FlushStageCache, CreateDeployment, GetStage, UpdateStage (incl. canary promote,
 * §6.4), GetExport (§16.3).
 */
export function mountManagementApi(runtime: GatewayRuntime, options: ManagementApiOptions): void {
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
    readJson(req).then(
      async (body) => send(res, await route(runtime, req.method ?? 'GET', url.pathname.slice(prefix.length), url.searchParams, body, req.headers.accept ?? '')),
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

async function route(runtime: GatewayRuntime, method: string, path: string, query: URLSearchParams, body: unknown, accept: string): Promise<Reply> {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent)
  const [a, b, c, d, e, f, g] = parts
  if (a === 'apikeys' && b === undefined && method === 'POST') return createApiKey(runtime, input)
  if (a === 'apikeys' && b === undefined && method === 'GET') return listApiKeys(runtime)
  if (a === 'apikeys' && b !== undefined && c === undefined && method === 'PATCH') return updateApiKey(runtime, b, input)
  if (a === 'usageplans' && b !== undefined && c === 'usage' && method === 'GET') return getUsage(runtime, b, query)
  if (a === 'usageplans' && b !== undefined && c === 'keys' && method === 'POST') return createUsagePlanKey(runtime, b, input)
  if (a === 'restapis' && b !== undefined) {
    const api = runtime.loaded.apis.find((x) => x.name === b)
    if (api === undefined) return notFound('Invalid API identifier specified')
    if (c === 'deployments' && d === undefined && method === 'POST') return createDeployment(runtime, b, input)
    if (c === 'stages' && d !== undefined) {
      const stage = runtime.stages.find((s) => s.api.name === b && s.name === d)
      if (stage === undefined) return notFound('Invalid stage identifier specified')
      if (e === undefined && method === 'GET') return { status: 200, body: stageShape(stage) }
      if (e === undefined && method === 'PATCH') return updateStage(runtime, stage, input)
      if (e === 'cache' && f === 'data' && method === 'DELETE') return { status: 202, body: {} }
      if (e === 'exports' && f !== undefined && g === undefined && method === 'GET') return getExport(runtime, stage, f, query, accept)
    }
  }
  return notFound(`No management operation for ${method} ${path}`)
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
function createApiKey(runtime: GatewayRuntime, input: Record<string, unknown>): Promise<Reply> {
  return registryCall(() => runtime.state.plans.createApiKey(input as Parameters<typeof runtime.state.plans.createApiKey>[0]), 201)
}

/** GetApiKeys: values are stored hashed and shown masked (@gw/usage-plans). */
function listApiKeys(runtime: GatewayRuntime): Promise<Reply> {
  return registryCall(() => ({ ...runtime.state.plans.listApiKeys(), position: null }))
}

/** UpdateApiKey: `replace /enabled`, `/name`, `/description`, `/customerId`. */
function updateApiKey(runtime: GatewayRuntime, id: string, input: Record<string, unknown>): Promise<Reply> | Reply {
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
function createUsagePlanKey(runtime: GatewayRuntime, planId: string, input: Record<string, unknown>): Promise<Reply> | Reply {
  if (input.keyType !== undefined && input.keyType !== 'API_KEY') return bad('keyType must be API_KEY')
  return registryCall(() => runtime.state.plans.createUsagePlanKey(planId, String(input.keyId)), 201)
}

/** GetUsage (§9.3): one `[used, remaining]` pair per day per key, keyed by key id. */
function getUsage(runtime: GatewayRuntime, planId: string, query: URLSearchParams): Promise<Reply> {
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

function stageShape(stage: StageRuntime): Record<string, unknown> {
  const out: Record<string, unknown> = { stageName: stage.name, deploymentId: stage.deploymentId, variables: stage.variables }
  if (stage.settings.description !== undefined) out.description = stage.settings.description
  if (stage.canary !== undefined) out.canarySettings = { ...stage.canary }
  return out
}

/** CreateDeployment (§6.1, §6.4): snapshots the API's OpenAPI file now; with canarySettings it becomes the canary. */
function createDeployment(runtime: GatewayRuntime, apiName: string, input: Record<string, unknown>): Reply {
  const api = runtime.loaded.apis.find((x) => x.name === apiName)
  if (api === undefined) return notFound('Invalid API identifier specified')
  const stageName = typeof input.stageName === 'string' && input.stageName !== '' ? input.stageName : undefined
  const canary = input.canarySettings as Record<string, unknown> | undefined
  if (canary !== undefined && stageName === undefined) {
    return bad('Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is null')
  }
  const stage = stageName === undefined ? undefined : runtime.stages.find((s) => s.api.name === apiName && s.name === stageName)
  if (canary !== undefined && stage === undefined) {
    return bad(`Invalid deployment content specified.Stage ${String(stageName)} must already be created before making a canary release deployment`)
  }
  if (stageName !== undefined && stage === undefined) return bad(`Stage ${stageName} is not served by this gateway; declare it in gw.config.yaml`)
  let definition
  try {
    definition = importOpenApiFile(api.file, { basePath: api.config.basePath }).definition
  } catch (err) {
    return bad((err as Error).message)
  }
  const deployment = runtime.deploy(definition, typeof input.description === 'string' ? input.description : undefined)
  if (stage !== undefined) {
    if (canary !== undefined) {
      const percent = Number(canary.percentTraffic ?? 0)
      if (!(percent >= 0 && percent <= 100)) return bad('canarySettings.percentTraffic must be between 0.0 and 100.0')
      stage.canary = {
        percentTraffic: percent,
        deploymentId: deployment.id,
        stageVariableOverrides: stringMap(canary.stageVariableOverrides),
        useStageCache: canary.useStageCache === true
      }
    } else {
      stage.deploymentId = deployment.id
      if (input.variables !== undefined) stage.variables = { ...stage.variables, ...stringMap(input.variables) }
    }
  }
  return { status: 201, body: { id: deployment.id, description: deployment.description, createdDate: deployment.createdDate } }
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) out[k] = String(v)
  return out
}

/** UpdateStage (§6.4): variables, canary settings, and promotion by the two valid `copy` operations. */
function updateStage(runtime: GatewayRuntime, stage: StageRuntime, input: Record<string, unknown>): Reply {
  const ops = Array.isArray(input.patchOperations) ? (input.patchOperations as Record<string, unknown>[]) : []
  for (const op of ops) {
    const path = typeof op.path === 'string' ? op.path : ''
    const value = typeof op.value === 'string' || typeof op.value === 'number' || typeof op.value === 'boolean' ? String(op.value) : undefined
    if (op.op === 'copy') {
      const from = typeof op.from === 'string' ? op.from : ''
      const valid = (from === '/canarySettings/deploymentId' && path === '/deploymentId') || (from === '/canarySettings/stageVariableOverrides' && path === '/variables')
      if (!valid) {
        return bad(`Invalid copy operation with path: ${path} and from ${from}. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]`)
      }
      if (stage.canary === undefined) return bad('Promotion not available. Canary does not exist.')
      if (path === '/deploymentId') stage.deploymentId = stage.canary.deploymentId
      else stage.variables = { ...stage.variables, ...stage.canary.stageVariableOverrides }
    } else if (op.op === 'replace' || op.op === 'add') {
      const variable = /^\/variables\/(.+)$/.exec(path)
      const override = /^\/canarySettings\/stageVariableOverrides\/(.+)$/.exec(path)
      if (variable?.[1] !== undefined && value !== undefined) stage.variables = { ...stage.variables, [variable[1]]: value }
      else if (path === '/canarySettings/percentTraffic' && value !== undefined) {
        const percent = Number(value)
        if (!(percent >= 0 && percent <= 100)) return bad('percentTraffic must be between 0.0 and 100.0')
        stage.canary ??= { percentTraffic: 0, deploymentId: stage.deploymentId, stageVariableOverrides: {}, useStageCache: false }
        stage.canary.percentTraffic = percent
      } else if (override?.[1] !== undefined && value !== undefined) {
        stage.canary ??= { percentTraffic: 0, deploymentId: stage.deploymentId, stageVariableOverrides: {}, useStageCache: false }
        stage.canary.stageVariableOverrides[override[1]] = value
      } else if (path === '/canarySettings/useStageCache' && stage.canary !== undefined) stage.canary.useStageCache = value === 'true'
      else if (path === '/deploymentId' && value !== undefined) {
        if (!runtime.deployments.has(value)) return bad(`Invalid deployment identifier specified: ${value}`)
        if (stage.canary !== undefined && stage.canary.deploymentId !== value) return bad('Stage has a canary; promote it or remove /canarySettings before re-pointing the stage')
        stage.deploymentId = value
      } else return bad(`Invalid patch path ${path}`)
    } else if (op.op === 'remove') {
      const variable = /^\/variables\/(.+)$/.exec(path)
      if (path === '/canarySettings') stage.canary = undefined
      else if (variable?.[1] !== undefined) {
        const { [variable[1]]: _removed, ...rest } = stage.variables
        stage.variables = rest
      } else return bad(`Invalid patch path ${path}`)
    } else return bad(`Invalid patch operation ${String(op.op)}`)
  }
  return { status: 200, body: stageShape(stage) }
}

/** GetExport (§16.3): `exports/oas30` with `Accept: application/json | application/yaml`, `extensions=apigateway|integrations`. */
function getExport(runtime: GatewayRuntime, stage: StageRuntime, exportType: string, query: URLSearchParams, accept: string): Reply {
  if (exportType !== 'oas30') return bad(`Unsupported export type ${exportType}; gw exports oas30`)
  const deployment = runtime.deployments.get(stage.deploymentId)
  if (deployment === undefined) return notFound('Invalid deployment')
  const extensions = query.get('extensions')
  const doc = exportOpenApi(deployment.definition, { extensions: extensions === 'apigateway' || extensions === 'integrations', serverUrl: `/${stage.name}` })
  const yaml = accept.includes('yaml')
  return { status: 200, body: formatOpenApi(doc, yaml ? 'yaml' : 'json'), contentType: yaml ? 'application/yaml' : 'application/json' }
}
