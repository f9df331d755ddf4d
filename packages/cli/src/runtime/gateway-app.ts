import type { IncomingMessage, ServerResponse } from 'node:http'
import { reject, silentLogger, toNodeHandler, type Logger, type Middleware } from '@gw/core'
import { createGateway, type ApiDefinitionInput, type Gateway, type HttpApiDefinitionInput, type RestApiDefinitionInput } from '@gw/gateway'
import type { LambdaHandler } from '@gw/integrations'
import { basePathMappingsOf, createEndpointRouter, type EndpointRouter } from '@gw/domains'
import type { ApiConfig, GwConfig } from '../config-schema.js'

/** The `metrics` section of the config. */
type MetricsConfig = GwConfig['metrics']
import { CliConfigInvalid } from '../errors.js'
import { lambdaName, type LoadedApi, type LoadedConfig } from '../load-config.js'
import type { UsageState } from './usage-state.js'

/** One served API: its @gw/gateway instance and where it is mounted. */
export interface ServedApi {
  readonly api: LoadedApi
  readonly gateway: Gateway
  /** `$context.apiId` and the `{apiId}.execute-api…` host name (§1.1). */
  readonly apiId: string
  /** `''` for a single API, `/{api}` when several are served. */
  readonly prefix: string
  /** The definition (without stages) of each deployment id, for GetExport (§16.3). */
  readonly definitions: Map<string, ApiDefinitionInput>
}

/**
 * `gw serve`'s request side: one `createGateway()` (@gw/gateway) per API, which owns stages, deployments, canary,
 * routing, throttles, API keys and integrations (§0.1); the CLI supplies the in-process Lambdas of the config.
 */
export class GatewayApp {
  readonly loaded: LoadedConfig
  readonly state: UsageState
  readonly apis: ServedApi[] = []
  readonly logger: Logger
  /** In-process Lambdas of the config by function name or ARN (§2). */
  readonly lambda: (functionName: string) => LambdaHandler | undefined
  /** Extra handler tried first (the management API); returns true when it answered. */
  intercept: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined
  /** The endpoint layer (@gw/domains), built only when domains, VPC endpoints, endpoint types or several APIs need it. */
  readonly router: EndpointRouter | undefined
  private readonly nodeHandler: (req: IncomingMessage, res: ServerResponse) => void
  private readonly viaListeners = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>()

  constructor(loaded: LoadedConfig, state: UsageState, lambdas: ReadonlyMap<string, LambdaHandler>, logger: Logger = silentLogger) {
    this.loaded = loaded
    this.state = state
    this.logger = logger
    // In-process Lambdas by function name (§2): the URI's function name or ARN, after `${stageVariables.x}`.
    const lambda = (functionName: string): LambdaHandler | undefined => lambdas.get(lambdaName(functionName) ?? functionName)
    this.lambda = lambda
    const many = loaded.apis.length > 1
    loaded.apis.forEach((api, index) => {
      let gateway: Gateway
      try {
        // The config's API name is the gateway's apiId: usage plans name API stages by it (§9.1).
        gateway = createGateway(gatewayDefinition(loaded, api, api.definition), {
          usagePlans: state.plans,
          rateLimitStore: state.rateLimits,
          logger,
          integrations: { lambda },
          cache: { ...(state.cache === undefined ? {} : { store: state.cache }), ...(loaded.config.cache.maxBytes === undefined ? {} : { maxBytes: loaded.config.cache.maxBytes }) },
          ...(loaded.iam === undefined ? {} : { iam: loaded.iam })
        })
      } catch (err) {
        throw CliConfigInvalid(`${loaded.file}: apis[${String(index)}] (${api.file}): ${(err as Error).message}`, { cause: err })
      }
      const served: ServedApi = { api, gateway, apiId: api.apiId, prefix: many ? `/${api.name}` : '', definitions: new Map() }
      for (const d of gateway.management.getDeployments()) served.definitions.set(d.id, api.definition)
      // §6.4: a stage whose canary names its own OpenAPI file gets that file as its canary deployment.
      for (const [stageName, canaryDefinition] of Object.entries(api.canaryDefinitions)) {
        const canary = api.config.stages[stageName]?.canary
        gateway.management.putDefinition(gatewayDefinition(loaded, api, canaryDefinition))
        const deployment = gateway.management.createDeployment({
          stageName,
          description: `canary of ${stageName}`,
          canarySettings: { percentTraffic: canary?.percentTraffic ?? 0, stageVariableOverrides: canary?.stageVariableOverrides ?? {}, useStageCache: canary?.useStageCache ?? false }
        })
        served.definitions.set(deployment.id, canaryDefinition)
        gateway.management.putDefinition(gatewayDefinition(loaded, api, api.definition))
      }
      this.apis.push(served)
    })
    this.router = needsRouter(loaded) ? endpointRouter(loaded, this.apis) : undefined
    this.nodeHandler = toNodeHandler(this.router?.dispatch ?? this.dispatch, { logger, trustProxy: loaded.config.server.trustProxy })
    const edge = this.router?.edge
    if (edge !== undefined) {
      // §2.1: CloudFront's headers go onto the request before the gateway reads it (only when an API is EDGE)
      const handler = this.nodeHandler
      this.nodeHandler = (req, res) => {
        edge(req)
        handler(req, res)
      }
    }
  }

  /** The listener of a VPC endpoint's own port (§10.9): private APIs answer there; no management API. */
  vpcEndpointListener(vpceId: string): (req: IncomingMessage, res: ServerResponse) => void {
    let listener = this.viaListeners.get(vpceId)
    if (listener === undefined) {
      const router = this.router as EndpointRouter
      listener = toNodeHandler(router.via(vpceId), { logger: this.logger, trustProxy: this.loaded.config.server.trustProxy })
      const edge = router.edge
      if (edge !== undefined) {
        const handler = listener
        listener = (req, res) => {
          edge(req)
          handler(req, res)
        }
      }
      this.viaListeners.set(vpceId, listener)
    }
    return listener
  }

  /** `{prefix}/{stage}` of every served stage, in config order. */
  stageUrls(): { api: string; stage: string; path: string }[] {
    const out: { api: string; stage: string; path: string }[] = []
    for (const served of this.apis) {
      // the $default stage is served at the root (§1.1, §6.2)
      for (const stage of served.gateway.management.getStages())
        out.push({ api: served.api.name, stage: stage.stageName, path: stage.stageName === '$default' ? served.prefix : `${served.prefix}/${stage.stageName}` })
    }
    return out
  }

  /**
   * The execute-api host-name URL of every served stage (§1.1; `curl` resolves `*.localhost` to loopback), and
   * each custom domain's mappings (`https://{domain}:{port}/{basePath}`).
   */
  hostUrls(scheme: 'http' | 'https', port: number): { api: string; stage: string; url: string }[] {
    const suffix = this.loaded.config.server.executeApiDomain
    const out: { api: string; stage: string; url: string }[] = []
    for (const served of this.apis) {
      if (served.api.disableExecuteApiEndpoint) continue
      for (const stage of served.gateway.management.getStages())
        out.push({ api: served.api.name, stage: stage.stageName, url: `${scheme}://${served.apiId}.${suffix}:${String(port)}${stage.stageName === '$default' ? '' : `/${stage.stageName}`}` })
    }
    for (const d of this.loaded.domains)
      for (const m of d.mappings)
        out.push({ api: this.apis.find((s) => s.apiId === m.apiId)?.api.name ?? m.apiId, stage: m.stage, url: `https://${d.domainName}:${String(port)}${m.basePath === '(none)' ? '' : `/${m.basePath}`}` })
    return out
  }

  /**
   * node:http request listener: the management API first, then core's node
   * path (body limit, header hygiene, `server.trustProxy`) around `dispatch`.
   */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.intercept?.(req, res) === true) return
    this.nodeHandler(req, res)
  }

  /** Picks the served API by path prefix and hands the request to its gateway. */
  private readonly dispatch: Middleware<object> = (ctx, next) => {
    const path = ctx.rawPath
    const served = this.apis.length === 1 ? this.apis[0] : this.apis.find((a) => path === a.prefix || path.startsWith(`${a.prefix}/`))
    if (served === undefined) return notFound(ctx, next)
    ctx.flavour = served.api.definition.protocol
    if (served.prefix !== '') ctx.path = path.slice(served.prefix.length) || '/'
    return served.gateway.handler(ctx, next)
  }
}

/**
 * The gateway definition of one API of the config: the OpenAPI import (already `createGateway()`'s definition) with
 * the config's stages, its apiId (§1.1; usage plans name API stages by it, §9.1) and the base-path mappings of the
 * custom domains that map it.
 */
export function gatewayDefinition(loaded: LoadedConfig, api: LoadedApi, definition: ApiDefinitionInput): ApiDefinitionInput {
  const stages = stagesInput(definition.protocol, api.config, loaded.config.metrics)
  const mappings = basePathMappingsOf(loaded.domains, api.apiId)
  const served = { id: api.apiId, disableExecuteApiEndpoint: api.disableExecuteApiEndpoint, ...(mappings.length === 0 ? {} : { basePathMappings: mappings }) }
  // createGateway() validates the stages (zod, GW_CONFIG_INVALID naming the field); the casts only name the protocol.
  return definition.protocol === 'REST'
    ? { ...definition, stages: stages as RestApiDefinitionInput['stages'], ...served }
    : { ...definition, stages: stages as HttpApiDefinitionInput['stages'], ...served }
}

/** One API with no domain, VPC endpoint or endpoint type needs no endpoint layer: nothing is checked per request. */
function needsRouter(loaded: LoadedConfig): boolean {
  return loaded.apis.length > 1 || loaded.domains.length > 0 || loaded.config.vpcEndpoints.length > 0 || loaded.apis.some((a) => a.endpointType !== 'REGIONAL')
}

function endpointRouter(loaded: LoadedConfig, apis: readonly ServedApi[]): EndpointRouter {
  try {
    return createEndpointRouter({
      executeApiDomain: loaded.config.server.executeApiDomain,
      apis: apis.map((s) => ({
        apiId: s.apiId,
        flavour: s.api.definition.protocol,
        handler: s.gateway.handler,
        pathPrefix: s.prefix,
        endpointType: s.api.endpointType,
        disableExecuteApiEndpoint: s.api.disableExecuteApiEndpoint,
        ...(s.api.config.edgeHeaders === undefined ? {} : { edgeHeaders: s.api.config.edgeHeaders })
      })),
      domains: loaded.domains.map((d) => ({ domainName: d.domainName, mutualTls: d.truststore !== undefined, mappings: d.mappings })),
      vpcEndpoints: loaded.config.vpcEndpoints.map((v) => ({ id: v.id, ...(v.vpcId === undefined ? {} : { vpcId: v.vpcId }), ...(v.trustedHeader === undefined ? {} : { trustedHeader: v.trustedHeader }) }))
    })
  } catch (err) {
    throw CliConfigInvalid(`${loaded.file}: ${(err as Error).message}`, { cause: err })
  }
}

/** §1.1: a path that names no API is an unknown resource. */
const notFound: Middleware<object> = (ctx) => reject(ctx, 'MISSING_AUTHENTICATION_TOKEN')


/** Stage settings by stage name, in the gateway definition's shape (REST `variables`, HTTP `stageVariables`, §6). */
type StagesInput = Record<string, Record<string, unknown>>

/**
 * The gateway's stage settings from the config (§6.1 REST `variables`, `methodSettings`, `cacheClusterEnabled`,
 * `cacheClusterSize`; §6.2 HTTP `stageVariables`; §6.4 canary). The `throttle` and `cache` shorthands fill the
 * `*\/*` fields that `methodSettings` leaves unset.
 */
export function stagesInput(protocol: 'REST' | 'HTTP', api: ApiConfig, metrics?: MetricsConfig): StagesInput {
  const out: StagesInput = {}
  for (const [name, stage] of Object.entries(api.stages)) {
    const settings: Record<string, unknown> = protocol === 'REST' ? { variables: stage.variables } : { stageVariables: stage.variables }
    if (stage.description !== undefined) settings.description = stage.description
    if (protocol === 'REST') {
      const methodSettings: Record<string, Record<string, unknown>> = { ...stage.methodSettings }
      const all: Record<string, unknown> = { ...methodSettings['*/*'] }
      if (stage.throttle !== undefined) {
        all.throttlingRateLimit ??= stage.throttle.rateLimit
        all.throttlingBurstLimit ??= stage.throttle.burstLimit
      }
      if (stage.cache !== undefined) all.cacheTtlInSeconds ??= stage.cache.ttlInSeconds
      if (Object.keys(all).length !== 0) methodSettings['*/*'] = all
      if (Object.keys(methodSettings).length !== 0) settings.methodSettings = methodSettings
      const cacheClusterEnabled = stage.cacheClusterEnabled ?? stage.cache?.enabled
      if (cacheClusterEnabled !== undefined) settings.cacheClusterEnabled = cacheClusterEnabled
      if (stage.cacheClusterSize !== undefined) settings.cacheClusterSize = stage.cacheClusterSize
    } else if (stage.methodSettings !== undefined || stage.cacheClusterEnabled !== undefined || stage.cacheClusterSize !== undefined || stage.cache !== undefined) {
      throw CliConfigInvalid(`${api.openapi}: stages.${name}: methodSettings and the response cache are REST stage settings; HTTP APIs have no caching (§0.2) and use routeSettings (§6.2)`)
    } else if (stage.throttle !== undefined) settings.defaultRouteSettings = { throttlingRateLimit: stage.throttle.rateLimit, throttlingBurstLimit: stage.throttle.burstLimit }
    // §6.2 HTTP stages: AWS's own names pass through (load-config refused them on REST APIs)
    if (stage.defaultRouteSettings !== undefined) settings.defaultRouteSettings = stage.defaultRouteSettings
    if (stage.routeSettings !== undefined) settings.routeSettings = stage.routeSettings
    applyMetricsSettings(protocol, settings, metrics)
    // A canary with its own OpenAPI file is deployed after construction (definitions cannot name deployments).
    if (protocol === 'REST' && stage.canary !== undefined && stage.canary.openapi === undefined) {
      settings.canarySettings = { percentTraffic: stage.canary.percentTraffic, stageVariableOverrides: stage.canary.stageVariableOverrides ?? {}, useStageCache: stage.canary.useStageCache }
    }
    out[name] = settings
  }
  return out
}

/**
 * The `metrics` section's stage-wide parts (aws-semantics §13): its access log format becomes each stage's
 * `accessLogSettings.format` (so createGateway() refuses a REST format without a request id at start, §13.2), and
 * `detailedMetrics` the stage default (`*\/*` metricsEnabled, §6.1; defaultRouteSettings.detailedMetricsEnabled,
 * §6.2) under what a stage sets itself.
 */
function applyMetricsSettings(protocol: 'REST' | 'HTTP', settings: Record<string, unknown>, metrics: MetricsConfig | undefined): void {
  if (metrics === undefined) return
  const format = metrics.accessLog?.format ?? metrics.accessLogFormat
  if (format !== undefined && settings.accessLogSettings === undefined) settings.accessLogSettings = { format }
  if (!metrics.detailedMetrics) return
  if (protocol === 'REST') {
    const all = (settings.methodSettings ?? {}) as Record<string, Record<string, unknown>>
    settings.methodSettings = { ...all, '*/*': { metricsEnabled: true, ...all['*/*'] } }
  } else {
    settings.defaultRouteSettings = { detailedMetricsEnabled: true, ...(settings.defaultRouteSettings as Record<string, unknown> | undefined) }
  }
}
