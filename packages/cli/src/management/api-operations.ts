import { exportOpenApi, formatOpenApi } from '@gw/openapi'
import type { GatewayManagement } from '@gw/gateway'
import { importApi } from '../load-config.js'
import { gatewayDefinition, stagesInput, type GatewayApp, type ServedApi } from '../runtime/gateway-app.js'
import { compact, epochSeconds, page, resourcesOf, withEpochDates } from './aws-wire.js'
import { bad, call, notFound, patchOperations, stringMap, type Reply } from './reply.js'

/**
 * REST APIs, their resources, deployments and stages (§6.1, §6.4, §7, §16.3) in the API Gateway REST API's shapes:
 * GetRestApi(s), GetResources, GetDeployment(s), CreateDeployment, GetStage(s), UpdateStage (canary percent,
 * promotion, rollback), FlushStageCache, FlushStageAuthorizersCache, GetExport. An API's id is its config name.
 */

/** A stage as the gateway describes it (ISO dates). */
type StageDescription = NonNullable<ReturnType<GatewayManagement['getStage']>>

/** RestApi: the definition's title, version and description; created when its first deployment was. */
function restApiWire(served: ServedApi): Record<string, unknown> {
  const definition = served.api.definition
  const first = served.gateway.management.getDeployments()[0]
  return compact({
    id: served.api.name,
    name: definition.name,
    description: definition.description,
    version: definition.version,
    createdDate: first === undefined ? undefined : epochSeconds(first.createdDate),
    apiKeySource: definition.protocol === 'REST' ? (definition.apiKeySource ?? 'HEADER') : undefined,
    binaryMediaTypes: definition.protocol === 'REST' ? definition.binaryMediaTypes : undefined,
    minimumCompressionSize: definition.protocol === 'REST' ? definition.minimumCompressionSize : undefined,
    endpointConfiguration: definition.endpointConfiguration,
    disableExecuteApiEndpoint: definition.disableExecuteApiEndpoint ?? false,
    // gw's own member (SDKs ignore unknown members): REST or HTTP, for clients that show both
    protocolType: definition.protocol
  })
}

/** GetRestApis: paged `{item, position}` in config order. */
export function getRestApis(runtime: GatewayApp, query: URLSearchParams): Reply {
  const listed = page(runtime.apis.map(restApiWire), { limit: query.get('limit'), position: query.get('position') })
  return typeof listed === 'string' ? bad(listed) : { status: 200, body: listed }
}

/** GetRestApi. */
export const getRestApi = (served: ServedApi): Reply => ({ status: 200, body: restApiWire(served) })

/** GetResources (`embed=methods` always): the resource tree of the stage-independent working definition. */
export function getResources(served: ServedApi, query: URLSearchParams): Reply {
  const listed = page(resourcesOf(served.api.name, served.api.definition), { limit: query.get('limit') ?? '500', position: query.get('position') })
  return typeof listed === 'string' ? bad(listed) : { status: 200, body: listed }
}

/** A deployment on the wire. */
const deploymentWire = (d: { id: string; createdDate: string; description?: string }): Record<string, unknown> => withEpochDates({ ...d })

/** GetDeployments: paged, oldest first. */
export function getDeployments(served: ServedApi, query: URLSearchParams): Reply {
  const listed = page(served.gateway.management.getDeployments().map(deploymentWire), { limit: query.get('limit'), position: query.get('position') })
  return typeof listed === 'string' ? bad(listed) : { status: 200, body: listed }
}

/** GetDeployment. */
export function getDeployment(served: ServedApi, id: string): Reply {
  const d = served.gateway.management.getDeployments().find((x) => x.id === id)
  return d === undefined ? notFound('Invalid Deployment identifier specified') : { status: 200, body: deploymentWire(d) }
}

/**
 * A stage on the wire: AWS's `Stage` with the settings of the config that the registry does not keep
 * (`methodSettings`, `cacheClusterEnabled`), epoch-second dates.
 */
export function stageWire(served: ServedApi, stage: StageDescription, runtime: GatewayApp): Record<string, unknown> {
  const settings = (stagesInput(served.api.definition.protocol, served.api.config, runtime.loaded.config.metrics)[stage.stageName] ?? {})
  const cacheClusterEnabled = settings.cacheClusterEnabled === true
  return withEpochDates({
    ...stage,
    cacheClusterEnabled,
    cacheClusterSize: settings.cacheClusterSize,
    cacheClusterStatus: cacheClusterEnabled ? 'AVAILABLE' : 'NOT_AVAILABLE',
    methodSettings: settings.methodSettings ?? {},
    tracingEnabled: false
  })
}

/** GetStages: `{item: [...]}` (AWS does not page stages). */
export function getStages(runtime: GatewayApp, served: ServedApi): Reply {
  return { status: 200, body: { item: served.gateway.management.getStages().map((s) => stageWire(served, s, runtime)) } }
}

/**
 * CreateDeployment (§6.1, §6.4): snapshots the API's OpenAPI file now, loaded as `gw serve` loads it (the entry's
 * `cors:`, the config's stages and metrics settings); with canarySettings it becomes the canary.
 */
export function createDeployment(runtime: GatewayApp, served: ServedApi, input: Record<string, unknown>): Promise<Reply> | Reply {
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
    definition = importApi(served.api.config, served.api.file).definition
  } catch (err) {
    return bad((err as Error).message)
  }
  return call(
    () => {
      // the config's apiId and custom-domain mappings stay (§1.1)
      management.putDefinition(gatewayDefinition(runtime.loaded, served.api, definition))
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
      const created = management.createDeployment(deployInput)
      served.definitions.set(created.id, definition)
      return created
    },
    deploymentWire,
    201
  )
}

/** UpdateStage (§6.4): variables, canary settings, promotion by the two valid `copy` operations, rollback by `replace /deploymentId`. */
export function updateStage(runtime: GatewayApp, served: ServedApi, stageName: string, input: Record<string, unknown>): Promise<Reply> | Reply {
  const management = served.gateway.management
  const stage = management.getStage(stageName)
  if (stage === undefined) return notFound('Invalid stage identifier specified')
  let variables = { ...stage.variables }
  let canary = stage.canarySettings === undefined ? undefined : { ...stage.canarySettings, stageVariableOverrides: { ...stage.canarySettings.stageVariableOverrides } }
  let deploymentId: string | undefined
  let removeCanary = false
  for (const op of patchOperations(input)) {
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
  return call(
    () => {
      const update: Parameters<typeof management.updateStage>[1] = { variables }
      if (deploymentId !== undefined) update.deploymentId = deploymentId
      if (removeCanary) update.canarySettings = null
      else if (canary !== undefined) update.canarySettings = canary
      return management.updateStage(stageName, update)
    },
    (updated) => stageWire(served, updated, runtime)
  )
}

/** FlushStageCache (§7): empties the stage's response cache (on Redis, for every instance); 202 as AWS answers. */
export function flushStageCache(served: ServedApi, stageName: string): Promise<Reply> {
  return call(() => served.gateway.management.flushStageCache(stageName), () => ({}), 202)
}

/** FlushStageAuthorizersCache (§7): forgets the stage's cached Lambda authorizer results; 202. */
export function flushStageAuthorizersCache(served: ServedApi, stageName: string): Promise<Reply> {
  return call(() => served.gateway.management.flushStageAuthorizersCache(stageName), () => ({}), 202)
}

/**
 * GetExport (§16.3): `exports/oas30` (OpenAPI 3.0.1) or `exports/swagger` (Swagger 2.0) of the stage's deployment, `Accept:
 * application/json | application/yaml`, `extensions=apigateway|integrations`, with AWS's `Content-Disposition`.
 */
export function getExport(served: ServedApi, stageName: string, exportType: string, query: URLSearchParams, accept: string): Reply {
  if (exportType !== 'oas30' && exportType !== 'swagger') return bad(`Invalid export type specified: ${exportType}. gw exports oas30 and swagger`)
  const deploymentId = served.gateway.management.getStage(stageName)?.deploymentId ?? ''
  const definition = served.definitions.get(deploymentId) ?? served.api.definition
  const extensions = query.get('extensions')
  const doc = exportOpenApi(definition, { extensions: extensions === 'apigateway' || extensions === 'integrations', serverUrl: `/${stageName}`, format: exportType === 'swagger' ? 'swagger2' : 'oas30' })
  const yaml = accept.includes('yaml')
  return {
    status: 200,
    body: formatOpenApi(doc, yaml ? 'yaml' : 'json'),
    contentType: yaml ? 'application/yaml' : 'application/json',
    headers: { 'content-disposition': `attachment; filename="${served.api.name}-${stageName}-${exportType === 'swagger' ? 'swagger' : 'oas30'}.${yaml ? 'yaml' : 'json'}"` }
  }
}
