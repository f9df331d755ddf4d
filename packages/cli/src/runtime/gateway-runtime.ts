import type { IncomingMessage, ServerResponse } from 'node:http'
import { compileGatewayResponses, GatewayContext, handlePipelineError, nodeRequestSource, reject, silentLogger, writeNodeResponse, type CompiledGatewayResponses, type Logger, type Middleware } from '@gw/core'
import { apiKeys } from '@gw/usage-plans'
import type { ApiDefinition, RouteDefinition } from '@gw/openapi'
import type { StageConfig } from '../config-schema.js'
import type { LoadedApi, LoadedConfig } from '../load-config.js'
import { lambdaName } from '../load-config.js'
import { runHttp, runLambda, runMock, type LambdaHandler } from './integrations.js'
import { compileRoutes, matchRoute, type CompiledRoute } from './route-table.js'
import { randomBytes } from 'node:crypto'
import type { UsageState } from './usage-state.js'

/** One deployment: an immutable snapshot of an API definition with its compiled routes (§6.1). */
export interface Deployment {
  readonly id: string
  readonly createdDate: string
  readonly description: string | undefined
  readonly definition: ApiDefinition
  readonly table: CompiledRoute[]
  readonly defaultRoute: RouteDefinition | undefined
  readonly gatewayResponses: CompiledGatewayResponses | undefined
  /** @gw/usage-plans `apiKeys()` for this deployment's `apiKeySource` (§9.2), built once. */
  readonly keys: Middleware<object>
}

/** Canary settings of a stage (§6.4). */
export interface CanaryState {
  percentTraffic: number
  deploymentId: string
  stageVariableOverrides: Record<string, string>
  useStageCache: boolean
}

/** A served stage: where it is mounted, its deployment, variables and canary (mutable through UpdateStage). */
export interface StageRuntime {
  readonly api: LoadedApi
  readonly name: string
  /** URL prefix: `/{stage}`, or `/{api}/{stage}` when the config serves several APIs. */
  readonly prefix: string
  readonly settings: StageConfig
  deploymentId: string
  variables: Record<string, string>
  canary: CanaryState | undefined
}

/**
 * The request handler of `gw serve`: stage → canary → route → API key + plan throttle + quota → integration
 * (§0.1). State that must survive `--watch` reloads lives in {@link UsageState}, passed in.
 */
export class GatewayRuntime {
  readonly loaded: LoadedConfig
  readonly state: UsageState
  readonly stages: StageRuntime[] = []
  readonly deployments = new Map<string, Deployment>()
  readonly lambdas: ReadonlyMap<string, LambdaHandler>
  readonly logger: Logger
  /** Extra handler tried first (the management API); returns true when it answered. */
  intercept: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined

  constructor(loaded: LoadedConfig, state: UsageState, lambdas: ReadonlyMap<string, LambdaHandler>, logger: Logger = silentLogger) {
    this.loaded = loaded
    this.state = state
    this.lambdas = lambdas
    this.logger = logger
    const many = loaded.apis.length > 1
    for (const api of loaded.apis) {
      const base = this.deploy(api.definition, 'initial deployment')
      for (const [name, settings] of Object.entries(api.config.stages)) {
        const stage: StageRuntime = {
          api,
          name,
          prefix: many ? `/${api.name}/${name}` : `/${name}`,
          settings,
          deploymentId: base.id,
          variables: { ...settings.variables },
          canary: undefined
        }
        if (settings.canary !== undefined) {
          const canaryDefinition = api.canaryDefinitions[name]
          const canaryDeployment = canaryDefinition === undefined ? base : this.deploy(canaryDefinition, `canary of ${name}`)
          stage.canary = {
            percentTraffic: settings.canary.percentTraffic,
            deploymentId: canaryDeployment.id,
            stageVariableOverrides: { ...(settings.canary.stageVariableOverrides ?? {}) },
            useStageCache: settings.canary.useStageCache
          }
        }
        this.stages.push(stage)
      }
    }
  }

  /** Snapshots a definition as a new deployment (§6.1 CreateDeployment). */
  deploy(definition: ApiDefinition, description?: string): Deployment {
    const deployment: Deployment = {
      id: randomBytes(5).toString('hex'),
      createdDate: new Date().toISOString(),
      description,
      definition,
      table: compileRoutes(definition.routes),
      defaultRoute: definition.routes.find((r) => r.path === '/$default'),
      gatewayResponses: definition.gatewayResponses === undefined ? undefined : compileGatewayResponses(definition.gatewayResponses),
      keys: apiKeys(this.state.plans, { apiKeySource: definition.apiKeySource ?? 'HEADER' })
    }
    this.deployments.set(deployment.id, deployment)
    return deployment
  }

  /** URL path prefix of every served stage. */
  prefixes(): string[] {
    return this.stages.map((s) => s.prefix)
  }

  /** node:http request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.intercept?.(req, res) === true) return
    const abort = new AbortController()
    res.on('close', () => {
      if (!res.writableFinished) abort.abort()
    })
    const stage = this.findStage(req.url ?? '/')
    const flavour = stage?.api.definition.protocol ?? 'REST'
    const ctx = new GatewayContext(nodeRequestSource(req, abort.signal), { flavour })
    this.handle(ctx, stage).then(
      () => writeNodeResponse(ctx, res),
      (err: unknown) => {
        handlePipelineError(ctx, err, this.logger)
        writeNodeResponse(ctx, res)
      }
    )
  }

  findStage(url: string): StageRuntime | undefined {
    const path = url.split('?')[0] ?? '/'
    return this.stages.find((s) => path === s.prefix || path.startsWith(`${s.prefix}/`))
  }

  async handle(ctx: GatewayContext<object>, stage: StageRuntime | undefined): Promise<void> {
    if (stage === undefined) {
      // §1.1: an unknown stage is an unknown resource.
      return reject(ctx, ctx.flavour === 'HTTP' ? 'RESOURCE_NOT_FOUND' : 'MISSING_AUTHENTICATION_TOKEN')
    }
    ctx.apiId = stage.api.name
    ctx.stage = stage.name
    ctx.path = ctx.rawPath.slice(stage.prefix.length) || '/'
    let deploymentId = stage.deploymentId
    let variables = stage.variables
    if (stage.canary !== undefined) {
      // §6.4: per-request draw, no stickiness; canary variables = stage variables merged with overrides.
      ctx.isCanaryRequest = Math.random() * 100 < stage.canary.percentTraffic
      if (ctx.isCanaryRequest) {
        deploymentId = stage.canary.deploymentId
        variables = { ...variables, ...stage.canary.stageVariableOverrides }
      }
    }
    const deployment = this.deployments.get(deploymentId)
    if (deployment === undefined) return reject(ctx, 'DEFAULT_5XX')
    ctx.deploymentId = deployment.id
    ctx.stageVariables = Object.keys(variables).length === 0 ? null : variables
    ctx.gatewayResponses = deployment.gatewayResponses
    const match = matchRoute(deployment.table, ctx.method, ctx.path, deployment.defaultRoute)
    if (match === undefined) return reject(ctx, ctx.flavour === 'HTTP' ? 'RESOURCE_NOT_FOUND' : 'MISSING_AUTHENTICATION_TOKEN')
    const { route } = match
    ctx.resourcePath = route.path
    ctx.routeKey = route.path === '/$default' ? '$default' : `${route.method} ${route.path}`
    ctx.pathParameters = match.pathParameters
    // §9.2, §8.1, §8.2: key, plan throttle and quota (@gw/usage-plans), then the integration.
    if (route.apiKeyRequired) return deployment.keys(ctx, async () => this.integrate(ctx, route, variables))
    return this.integrate(ctx, route, variables)
  }

  integrate(ctx: GatewayContext<object>, route: RouteDefinition, variables: Record<string, string>): Promise<void> | void {
    const integration = route.integration
    if (integration === undefined) return reject(ctx, 'DEFAULT_5XX')
    switch (integration.type) {
      case 'MOCK':
        return runMock(ctx, integration)
      case 'HTTP':
      case 'HTTP_PROXY':
        return runHttp(ctx, integration)
      case 'AWS_PROXY': {
        const name = lambdaName(integration.uri ?? '')
        const resolvedName = name?.includes('${') === true ? name.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_, v: string) => variables[v] ?? '') : name
        const handler = resolvedName === undefined ? undefined : this.lambdas.get(resolvedName)
        if (handler === undefined) return reject(ctx, 'DEFAULT_5XX', { status: 502, message: 'Internal server error' })
        const version = ctx.flavour === 'HTTP' && integration.payloadFormatVersion !== '1.0' ? '2.0' : '1.0'
        return runLambda(ctx, route, handler, version)
      }
      case 'AWS':
        // AWS service calls need AWS credentials and network: not served locally.
        return reject(ctx, 'DEFAULT_5XX', { status: 502, message: 'Internal server error' })
    }
  }
}
