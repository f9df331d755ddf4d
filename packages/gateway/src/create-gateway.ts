import type { Server } from 'node:http'
import { z } from 'zod'
import {
  compileGatewayResponses,
  compose,
  jsonLogger,
  parseOptions,
  createGatewayServer,
  serverLimitsSchema,
  type ServerLimits,
  handlePipelineError,
  isPending,
  monotonicMs,
  observePhase,
  requestEndChannel,
  requestStartChannel,
  MemoryCacheStore,
  type CacheStore,
  type CompiledGatewayResponses,
  type PhaseName,
  type PhaseTimes,
  type RequestEndEvent,
  type RouteMetricSettings,
  type GatewayContext,
  type KeyValueStore,
  type Logger,
  type Middleware,
  type Next,
  type RateLimitStore
} from '@gw/core'
import { createRouter, routerMiddleware } from '@gw/router'
import { createStageRegistry, createStageResolver, StagesNotFound, type Deployment, type StageDescription } from '@gw/stages'
import { cacheClusterBytes, DEFAULT_CACHE_CLUSTER_SIZE, type CacheClusterSize } from '@gw/cache'
import { flushAuthorizerCache } from '@gw/authorizers'
import { createCanary, type CanaryOptions } from '@gw/canary'
import type { UsagePlans } from '@gw/usage-plans'
import type { IntegrationOptions } from '@gw/integrations'
import type { CredentialsProvider } from '@gw/authorizers'
import { credentialsProvider, iamOptionsSchema, type IamCredentialsTable } from './iam-credentials.js'
import {
  apiDefinitionSchema,
  httpStageSchema,
  restStageSchema,
  type ApiDefinition,
  type ApiDefinitionInput,
  type HttpStageDefinition,
  type RestStageDefinition
} from './definition.js'
import { decorateResponse } from './decorate.js'
import { apiArn, defaultCors, defaultResourcePolicy, defaultSlots, type DefaultSlotDeps } from './default-slots.js'
import { GatewayUnsupported } from './errors.js'
import { iamInvalidateCache } from './invalidate-cache.js'
import type { WebSocketApi, WebSocketApiDefinitionInput } from '@gw/websocket'
import { buildWebSocketApis, isWebSocketDefinition, mountWebSocketApis, websocketOnlyHandler, type GatewayWebSocketOptions } from './websocket-gateway.js'
import { SLOT_ORDER, type ApiRoutes, type GatewayApiSlots, type GatewaySlots, type SlotInput } from './slots.js'
import { RouteMetricIndex } from './route-metrics.js'
import { bodyBytes, requestBytes } from './body-bytes.js'

/** `options.iam` of `createGateway()`: what `AWS_IAM` methods and routes need (§10.8). */
export interface GatewayIamOptions {
  /**
   * Maps an access key id (and the session token sent) to `{ secretAccessKey, sessionToken?, expiration?,
   * principal: { arn, accountId, userId?, orgId?, tags? }, policy? }`, or `undefined` for an unknown key (→ 403
   * UnrecognizedClientException). Sync or async; a throw answers 500. Or a static table `{ [accessKeyId]:
   * IamCredentials }`, validated at construction (identity policies compiled: a bad one is GW_CONFIG_INVALID).
   */
  credentials: CredentialsProvider | IamCredentialsTable
  /** The API's region: SigV4 credential scope and every method ARN (§10.1). @default 'us-east-1' */
  region?: string
  /** The API's account (12 digits): method ARNs, and same-account vs cross-account for the resource policy (§10.9). @default '123456789012' */
  accountId?: string
}

/** `options.cognito` of `createGateway()`: settings for every `COGNITO_USER_POOLS` authorizer (§10.6). */
export interface GatewayCognitoOptions {
  /** Replaces `https://cognito-idp.{region}.amazonaws.com`: issuers become `{issuerBaseUrl}/{poolId}`, keys `{issuer}/.well-known/jwks.json` (local JWKS, private endpoints). @default AWS's issuers */
  issuerBaseUrl?: string
}

/** `options.cache` of `createGateway()`: where REST stages with `cacheClusterEnabled` keep their responses (§7). */
export interface GatewayCacheOptions {
  /** One store for every stage (e.g. a RedisCacheStore shared by instances); partitions are `{apiId}/{stage}`. @default one MemoryCacheStore per stage, bounded by its `cacheClusterSize` */
  store?: CacheStore
  /** Caps each stage's memory store below its `cacheClusterSize` (bytes). @default the size itself */
  maxBytes?: number
}

/** `options.authorizerCache` of `createGateway()`: where Lambda authorizers keep their results (§10.4), per stage (§7). */
export interface GatewayAuthorizerCacheOptions {
  /**
   * One store for every Lambda authorizer (e.g. a RedisKeyValueStore shared by instances): instances share results,
   * and FlushStageAuthorizersCache reaches every instance within 1 s (@gw/authorizers `GENERATION_REFRESH_MS`).
   * @default one in-process LRU per authorizer and stage
   */
  store?: KeyValueStore
}

/** Options of `createGateway()`. */
export interface GatewayOptions {
  /** Stage response cache (§7). @default per-stage memory stores */
  cache?: GatewayCacheOptions
  /** Lambda authorizer result cache (§10.4). @default in-process, per authorizer and stage */
  authorizerCache?: GatewayAuthorizerCacheOptions
  /** Per-method steps (§0.1 / §0.2) replacing the defaults. @default see GatewaySlots */
  slots?: GatewaySlots
  /** API-level steps before routing. @default resource policy (@gw/authorizers) and CORS (@gw/cors) when the definition asks for them */
  apiSlots?: GatewayApiSlots
  /** Canary decision options (sticky mode, automatic rollback: beyond AWS). @default AWS behaviour */
  canary?: CanaryOptions
  /** Store of the default throttle slot's buckets. @default @gw/throttler's shared memory store */
  rateLimitStore?: RateLimitStore
  /** API keys and usage plans for methods with `apiKeyRequired` (§9). @default none */
  usagePlans?: UsagePlans
  /** Options of the default integration slot's `createIntegration()`: Lambda resolver, AWS endpoint/credentials, pools. @default {} */
  integrations?: Omit<IntegrationOptions, 'flavour' | 'binaryMediaTypes' | 'methodResponses' | 'logger' | 'defaultRoute'>
  /** Where unhandled errors are logged. @default jsonLogger */
  logger?: Logger
  /** Request body limit (§15). @default 10 MB */
  bodyLimit?: number
  /** Connection limits of the servers `listen()` starts (@gw/core `ServerLimits`: headers 10 s, request 60 s, keep-alive 5 s, idle 65 s, no connection cap). */
  serverLimits?: ServerLimits
  /** `AWS_IAM` authorization (§10.8) with the API's resource policy (§10.9). @default none: `AWS_IAM` methods are refused at construction */
  iam?: GatewayIamOptions
  /** Cognito user pool authorizers (§10.6). @default AWS's issuers */
  cognito?: GatewayCognitoOptions
  /** WebSocket APIs (§14, `protocolType: WEBSOCKET`) served by `listen()` on the same port: `ws://host:port/{stage}` (`/{apiId}/{stage}` when several). @default none */
  websocketApis?: WebSocketApiDefinitionInput[]
  /** Registry, bus and limits of the WebSocket APIs. @default in-process memory, AWS's limits */
  websocket?: GatewayWebSocketOptions
}

const optionsSchema = z
  .object({
    slots: z.partialRecord(z.enum(['throttle', 'authorization', 'apiKey', 'validation', 'cache', 'integration']), z.custom<unknown>((v) => typeof v === 'function', 'a slot factory function')).optional(),
    apiSlots: z.partialRecord(z.enum(['resourcePolicy', 'cors']), z.custom<unknown>((v) => typeof v === 'function', 'a function (api) => Middleware | null')).optional(),
    canary: z.custom<CanaryOptions>((v) => typeof v === 'object' && v !== null).optional(),
    rateLimitStore: z.custom<RateLimitStore>((v) => typeof v === 'object' && v !== null).optional(),
    usagePlans: z.custom<UsagePlans>((v) => typeof v === 'object' && v !== null).optional(),
    integrations: z.custom<IntegrationOptions>((v) => typeof v === 'object' && v !== null, 'createIntegration() options').optional(),
    logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as Logger).error === 'function').optional(),
    bodyLimit: z.number().int().positive().optional(),
    serverLimits: serverLimitsSchema.optional(),
    iam: iamOptionsSchema.optional(),
    cognito: z.object({ issuerBaseUrl: z.url('a URL such as http://127.0.0.1:9999') }).partial().strict().optional(),
    cache: z
      .object({
        store: z.custom<CacheStore>((v) => typeof v === 'object' && v !== null && typeof (v as CacheStore).flush === 'function', 'a CacheStore (MemoryCacheStore, RedisCacheStore)').optional(),
        maxBytes: z.number().int().positive().optional()
      })
      .strict()
      .optional(),
    authorizerCache: z
      .object({ store: z.custom<KeyValueStore>((v) => typeof v === 'object' && v !== null && typeof (v as KeyValueStore).get === 'function' && typeof (v as KeyValueStore).set === 'function', 'a KeyValueStore (RedisKeyValueStore)').optional() })
      .strict()
      .optional(),
    websocketApis: z.array(z.custom<WebSocketApiDefinitionInput>(isWebSocketDefinition, 'a WebSocket API definition (protocolType: WEBSOCKET)')).optional(),
    websocket: z.custom<GatewayWebSocketOptions>((v) => typeof v === 'object' && v !== null, 'WebSocket options').optional()
  })
  .strict()

type StageSettings = RestStageDefinition | HttpStageDefinition

/** Slots whose time is a phase of §13 (spans; the integration phase is `IntegrationLatency`). */
const PHASES: Partial<Record<keyof GatewaySlots, PhaseName>> = { authorization: 'authorizer', cache: 'cache', integration: 'integration' }

/**
 * One observed request (allocated only while metrics, logs or tracing
 * subscribe to `requestStartChannel` / `requestEndChannel`): what served it
 * (its start is the context's `arrivedAtMs`), and, once answered, its request-end event itself (§13). It
 * is also the request's `PhaseTimes` (`ctx.phaseTimes`), which
 * `observePhase()` fills with IntegrationLatency and the authorizer's time: one
 * object per observed request, no separate event, stash or phase messages.
 * Subscribers see `routes`/`settings` too; they read the event fields only.
 */
class Observation implements RequestEndEvent, PhaseTimes {
  readonly ctx: GatewayContext<object>
  apiName: string
  routes: RouteMetricIndex | undefined = undefined
  settings: StageSettings | undefined = undefined
  route: RouteMetricSettings | undefined = undefined
  accessLogFormat: string | undefined = undefined
  latencyMs = 0
  requestBytes = 0
  responseBytes = 0
  integrationLatencyMs: number | undefined = undefined
  authorizerLatencyMs: number | undefined = undefined

  constructor(ctx: GatewayContext<object>, apiName: string) {
    this.ctx = ctx
    this.apiName = apiName
  }
}

/** A stage's composed pipeline and its methods/routes with their metric settings (read only for observed requests). */
interface StagePipeline {
  readonly run: Middleware<object>
  readonly routes: RouteMetricIndex
}

/** What a deployment compiles once. */
interface Compiled {
  readonly gatewayResponses: CompiledGatewayResponses | undefined
  /** One pipeline per stage-settings object (stage settings apply without redeploy, §6.1). */
  readonly pipelines: WeakMap<StageSettings, StagePipeline>
}

/** `UpdateStage` input of the management object. */
export interface GatewayStageUpdate {
  deploymentId?: string
  description?: string
  /** Replaces the variables (REST `variables`, HTTP `stageVariables`). */
  variables?: Record<string, string>
  /** `null` removes the canary (§6.4). */
  canarySettings?: { percentTraffic?: number; deploymentId?: string; stageVariableOverrides?: Record<string, string>; useStageCache?: boolean } | null
  /** REST `methodSettings` (replaced as a whole; §6.1). */
  methodSettings?: RestStageDefinition['methodSettings']
  /** HTTP `defaultRouteSettings` / `routeSettings` (§6.2). */
  defaultRouteSettings?: HttpStageDefinition['defaultRouteSettings']
  routeSettings?: HttpStageDefinition['routeSettings']
}

/** The management object (§6, AWS control-plane calls). */
export interface GatewayManagement {
  /** Replaces the working definition (validated). Clients see it only after `createDeployment` (§6.1), except on HTTP stages with `autoDeploy`. */
  putDefinition(definition: ApiDefinitionInput): void
  /** Snapshots the working definition (§6.1 CreateDeployment); with `canarySettings`, as the stage's canary (§6.4). */
  createDeployment(input?: { stageName?: string; description?: string; variables?: Record<string, string>; canarySettings?: { percentTraffic?: number; stageVariableOverrides?: Record<string, string>; useStageCache?: boolean } }): { id: string; createdDate: string; description?: string }
  /** Applies stage changes atomically. */
  updateStage(stageName: string, input: GatewayStageUpdate): StageDescription
  /** §6.4 promotion. */
  promoteCanary(stageName: string): StageDescription
  /** §6.4 `remove /canarySettings`. */
  deleteCanary(stageName: string): StageDescription
  /** Points the stage at an earlier deployment; requests in flight finish on theirs. */
  rollback(stageName: string, deploymentId: string): StageDescription
  getStage(stageName: string): StageDescription | undefined
  getStages(): StageDescription[]
  getDeployments(): { id: string; createdDate: string; description?: string }[]
  /** @throws GwError GW_STAGES_BAD_REQUEST while a stage or canary uses it */
  deleteDeployment(id: string): void
  /** FlushStageCache (§7): empties the stage's response cache (every instance, on a shared store). @throws GwError GW_STAGES_NOT_FOUND */
  flushStageCache(stageName: string): Promise<void>
  /**
   * FlushStageAuthorizersCache (§7): forgets the stage's cached Lambda authorizer results; other stages keep theirs.
   * On a shared `authorizerCache.store` every instance invokes again within 1 s. @throws GwError GW_STAGES_NOT_FOUND
   */
  flushStageAuthorizersCache(stageName: string): Promise<void>
}

/** What `createGateway()` returns. */
export interface Gateway {
  /** The whole gateway as one middleware, usable with every adapter. */
  readonly handler: Middleware<object>
  /** The WebSocket APIs `listen()` serves (§14): `postToConnection`, `getConnection`, `deleteConnection`, `handleUpgrade`. */
  readonly websocket: readonly WebSocketApi[]
  /** Serves the handler on node:http. */
  listen(port?: number, host?: string): Promise<Server>
  readonly management: GatewayManagement
  /** Closes the servers `listen()` started and the integrations' connection pools. */
  close(): Promise<void>
}

function describeDeployment(d: Deployment<ApiDefinition, Compiled>): { id: string; createdDate: string; description?: string } {
  const out: { id: string; createdDate: string; description?: string } = { id: d.id, createdDate: d.createdDate.toISOString() }
  if (d.description !== undefined) out.description = d.description
  return out
}

/**
 * Assembles an API Gateway REST or HTTP API definition into one pipeline:
 * stage selection (§1.1) → canary split (§6.4) → API-level steps → route
 * match (§1.2/§1.3) → per-method chain in §0.1/§0.2 order (throttle, auth,
 * API key, validation, cache, integration) → response headers (§12.5).
 * The definition is validated once; each deployment is a frozen snapshot and
 * its chains are composed once per stage settings.
 * @throws GwError GW_CONFIG_INVALID naming the path and reason of a bad definition or option
 * @throws GwError GW_GATEWAY_UNSUPPORTED when a method needs a slot that is not configured (e.g. `AWS_IAM` without `options.iam`)
 * @example
 * const gw = createGateway({
 *   protocol: 'REST', name: 'pets', stages: { prod: {} },
 *   resources: { '/pets': { resourceMethods: { GET: { integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '[]' } } } } } } } }
 * })
 * await gw.listen(3000) // GET /prod/pets → 200 []
 * // AWS_IAM methods (§10.8): SigV4 keys from a provider function or a static table
 * createGateway(definition, { iam: { credentials: { AKIAEXAMPLE000000001: { secretAccessKey, principal: { arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' } } } } })
 */
export function createGateway(definition: ApiDefinitionInput | WebSocketApiDefinitionInput, options: GatewayOptions = {}): Gateway {
  const opts = parseOptions(optionsSchema, options, 'createGateway options')
  // The REST / HTTP definition is checked first, so a bad one leaves no WebSocket API running.
  const parsedDefinition = isWebSocketDefinition(definition) ? undefined : parseOptions(apiDefinitionSchema, definition, 'createGateway')
  const buildWebSocket = (): WebSocketApi[] =>
    buildWebSocketApis([...(isWebSocketDefinition(definition) ? [definition] : []), ...(options.websocketApis ?? [])], {
      integrations: options.integrations ?? {},
      usagePlans: options.usagePlans,
      rateLimitStore: options.rateLimitStore,
      logger: opts.logger ?? jsonLogger,
      iam: options.iam,
      websocket: options.websocket
    })
  if (parsedDefinition === undefined) return websocketOnlyGateway(buildWebSocket(), opts.logger ?? jsonLogger)
  let working: ApiDefinition = parsedDefinition
  const flavour = working.protocol
  const apiId = working.id
  const logger = opts.logger ?? jsonLogger
  const closables = new Set<{ close(): Promise<void> }>()
  // §7: one bounded memory store per stage (sized by cacheClusterSize; a new size is a new, empty cache), or the shared store.
  const sharedCache = opts.cache?.store
  const stageCaches = new Map<string, { size: string; store: CacheStore }>()
  const cacheStore = (stageName: string, size: string | undefined): CacheStore => {
    if (sharedCache !== undefined) return sharedCache
    const wanted = size ?? DEFAULT_CACHE_CLUSTER_SIZE
    let entry = stageCaches.get(stageName)
    if (entry?.size !== wanted) {
      const bound = Math.min(cacheClusterBytes(wanted as CacheClusterSize), opts.cache?.maxBytes ?? Number.MAX_SAFE_INTEGER)
      stageCaches.set(stageName, (entry = { size: wanted, store: new MemoryCacheStore({ maxBytes: bound }) }))
    }
    return entry.store
  }
  const lambdaAuthorizers = new Set<Middleware<object>>()
  const iam = opts.iam === undefined || options.iam === undefined ? undefined : { region: opts.iam.region, accountId: opts.iam.accountId, credentials: credentialsProvider(options.iam.credentials) }
  const deps: DefaultSlotDeps = {
    apiId,
    rateLimitStore: options.rateLimitStore,
    usagePlans: options.usagePlans,
    integrationOptions: options.integrations ?? {},
    logger,
    ...(iam === undefined ? {} : { iam, canInvalidateCache: iamInvalidateCache(iam.credentials, apiArn({ apiId, iam })) }),
    ...(opts.cognito === undefined ? {} : { cognito: opts.cognito }),
    onIntegration: (c) => closables.add(c),
    cacheStore,
    // §6.4: a canary with useStageCache false keeps its own entries; the same deployment on both sides shares them.
    cacheVariant: (stageName) => (ctx) => {
      const c = registry.stage(stageName)?.canary
      return c == null || c.useStageCache ? '' : `${ctx.deploymentId ?? ''}|`
    },
    onAuthorizer: (mw) => lambdaAuthorizers.add(mw),
    ...(opts.authorizerCache?.store === undefined ? {} : { authorizerStore: opts.authorizerCache.store })
  }
  const defaults = defaultSlots(deps)
  const slots: Required<GatewaySlots> = { ...defaults, ...options.slots }
  const apiSlots: GatewayApiSlots = { resourcePolicy: defaultResourcePolicy(apiArn(deps)), cors: defaultCors, ...options.apiSlots }
  const stageSettings = new Map<string, StageSettings>()

  function checkApiSlots(api: ApiDefinition, routes: ApiRoutes): Middleware<object>[] {
    const out: Middleware<object>[] = []
    if (api.protocol === 'REST' && api.policy !== undefined) {
      if (apiSlots.resourcePolicy === undefined) throw GatewayUnsupported('policy: a resource policy needs options.apiSlots.resourcePolicy (@gw/authorizers)')
      const mw = apiSlots.resourcePolicy(api)
      if (mw !== null) out.push(mw)
    }
    if (api.protocol === 'HTTP' && api.corsConfiguration !== undefined) {
      if (apiSlots.cors === undefined) throw GatewayUnsupported('corsConfiguration: CORS needs options.apiSlots.cors')
      const mw = apiSlots.cors(api, routes)
      if (mw !== null) out.push(mw)
    }
    return out
  }

  /** Every method of a definition as slot inputs for one stage. */
  function methodsOf(api: ApiDefinition, stageName: string, stage: StageSettings): SlotInput[] {
    const out: SlotInput[] = []
    if (api.protocol === 'REST') {
      for (const [resourcePath, resource] of Object.entries(api.resources))
        for (const [httpMethod, method] of Object.entries(resource.resourceMethods)) {
          if (method === undefined) continue
          out.push({ flavour, api, stageName, stage, resourcePath, httpMethod, routeKey: `${httpMethod} ${resourcePath}`, method, integration: method.integration, authorizer: method.authorizerId === undefined ? undefined : api.authorizers[method.authorizerId] })
        }
    } else {
      for (const [routeKey, route] of Object.entries(api.routes)) {
        const space = routeKey.indexOf(' ')
        const httpMethod = routeKey === '$default' ? 'ANY' : routeKey.slice(0, space)
        const resourcePath = routeKey === '$default' ? '$default' : routeKey.slice(space + 1)
        const integration = route.integration ?? (route.integrationId === undefined ? undefined : api.integrations[route.integrationId])
        out.push({ flavour, api, stageName, stage, resourcePath, httpMethod, routeKey, method: route, integration, authorizer: route.authorizerId === undefined ? undefined : api.authorizers[route.authorizerId] })
      }
    }
    return out
  }

  /** Composes a deployment's pipeline for one stage's settings: API-level steps, then the router with per-method chains. */
  function buildPipeline(api: ApiDefinition, stageName: string, stage: StageSettings): StagePipeline {
    const table = createRouter<(ctx: GatewayContext<object>, next: Next) => Promise<void> | void>({ flavour })
    const routes = new RouteMetricIndex()
    for (const input of methodsOf(api, stageName, stage)) {
      const chain: Middleware<object>[] = []
      for (const name of SLOT_ORDER[flavour]) {
        const mw = slots[name](input)
        if (mw === null) continue
        // Timed phases publish to phaseStart/phaseEndChannel only while someone subscribes (§13.1 IntegrationLatency).
        const phase = name === 'authorization' && input.method.authorizationType === 'NONE' ? undefined : PHASES[name]
        chain.push(phase === undefined ? mw : observePhase(phase, mw))
      }
      table.add(input.httpMethod, input.resourcePath, chain.length === 1 ? (chain[0] as Middleware<object>) : compose(chain))
      routes.add(input)
    }
    const route = routerMiddleware(table)
    const before = checkApiSlots(api, { hasOptionsRoute: (path) => table.match('OPTIONS', path) !== undefined })
    return { run: before.length === 0 ? route : compose([...before, route]), routes }
  }

  const registry = createStageRegistry<ApiDefinition, Compiled>({
    flavour,
    compile: (api) => ({
      gatewayResponses: api.protocol === 'REST' && Object.keys(api.gatewayResponses).length !== 0 ? compileGatewayResponses(api.gatewayResponses) : undefined,
      pipelines: new WeakMap()
    })
  })
  const resolveStage = createStageResolver(registry, { basePathMappings: working.basePathMappings, disableExecuteApiEndpoint: working.disableExecuteApiEndpoint })
  const canary = createCanary(registry, opts.canary ?? {})

  function pipelineFor(d: Deployment<ApiDefinition, Compiled>, stageName: string, settings: StageSettings): StagePipeline {
    let p = d.compiled.pipelines.get(settings)
    if (p === undefined) d.compiled.pipelines.set(settings, (p = buildPipeline(d.definition, stageName, settings)))
    return p
  }

  // Initial deployment and stages. Every chain is built now, so a definition that
  // cannot be served fails here, at construction, never at request time.
  const stagesIn: Record<string, StageSettings> = { ...working.stages }
  if (Object.keys(stagesIn).length === 0) {
    if (flavour === 'REST') throw GatewayUnsupported('stages: a REST API needs at least one stage to be served (§6.1)')
    stagesIn.$default = httpStageSchema.parse({})
  }
  const initial = registry.createDeployment(working, { description: 'initial deployment' })
  for (const [stageName, settings] of Object.entries(stagesIn)) {
    const s = settings as Partial<RestStageDefinition> & Partial<HttpStageDefinition>
    if (s.canarySettings?.deploymentId !== undefined)
      throw GatewayUnsupported(`stages.${stageName}.canarySettings.deploymentId: a definition cannot name deployments; use management.createDeployment({ stageName, canarySettings })`)
    const create: Parameters<typeof registry.createStage>[0] = { stageName, deploymentId: initial.id, variables: s.variables ?? s.stageVariables ?? {} }
    if (s.description !== undefined) create.description = s.description
    if (s.canarySettings !== undefined) create.canarySettings = s.canarySettings
    registry.createStage(create)
    stageSettings.set(stageName, settings)
    pipelineFor(initial, stageName, settings)
  }

  // Not an async function: a request waiting on its integration keeps one small closure, not a suspended frame.
  const handler: Middleware<object> = function gateway(ctx, next) {
    // §13: metrics, access logs and spans only cost something while @gw/metrics (or anyone) subscribes.
    if (requestEndChannel.hasSubscribers || requestStartChannel.hasSubscribers) return observed(ctx, next)
    return serve(ctx, next, undefined)
  }

  function serve(ctx: GatewayContext<object>, next: Next, seen: Observation | undefined): Promise<void> | undefined {
    ctx.apiId = apiId
    const resolved = resolveStage(ctx)
    if (resolved === undefined) return undefined
    const state = resolved.state
    const settings = stageSettings.get(state.stageName) as StageSettings
    const decision = canary.decide(state, ctx)
    const d = decision.deployment
    ctx.gatewayResponses = d.compiled.gatewayResponses
    const pipeline = pipelineFor(d, state.stageName, settings)
    if (seen !== undefined) {
      seen.apiName = d.definition.name
      seen.routes = pipeline.routes
      seen.settings = settings
    }
    const out = pipeline.run(ctx, next)
    if (isPending(out)) {
      if (seen === undefined) return out.then(() => answered(ctx, decision.canary))
      // Observed: the end is published from this continuation, not from one more chained on it (one promise, one
      // closure and one microtask less per request); a rejection or a throw of answered() is rendered as observed() would.
      const canaryRequest = decision.canary
      return out.then(
        () => {
          try {
            answered(ctx, canaryRequest)
          } catch (err) {
            handlePipelineError(ctx, err, logger)
          }
          ended(ctx, seen)
        },
        (err: unknown) => {
          handlePipelineError(ctx, err, logger)
          ended(ctx, seen)
        }
      )
    }
    answered(ctx, decision.canary)
    return undefined
  }

  /**
   * A request while someone listens (§13): publishes its start, serves it, renders a thrown error here (so the
   * error's 500 is counted), and publishes its end with Latency (authorizers and mapping included, §13.1).
   */
  function observed(ctx: GatewayContext<object>, next: Next): Promise<void> | undefined {
    const seen = new Observation(ctx, working.name)
    ctx.phaseTimes = seen
    if (requestStartChannel.hasSubscribers) requestStartChannel.publish({ ctx })
    let out: Promise<void> | undefined
    try {
      out = serve(ctx, next, seen)
    } catch (err) {
      handlePipelineError(ctx, err, logger)
    }
    // A pending answer publishes its end itself (serve()); a synchronous one ends here.
    if (out === undefined) ended(ctx, seen)
    return out
  }

  /** Completes the observation into the request-end event and publishes it (the phase times are already on it). */
  function ended(ctx: GatewayContext<object>, seen: Observation): void {
    if (!requestEndChannel.hasSubscribers) return
    const resource = ctx.resourcePath
    seen.route = seen.routes === undefined || resource === undefined ? undefined : seen.routes.find(ctx, resource)
    seen.accessLogFormat = seen.settings?.accessLogSettings?.format
    // Latency counts from the request's arrival (§13.1), read once by its context.
    seen.latencyMs = monotonicMs() - ctx.arrivedAtMs
    seen.requestBytes = requestBytes(ctx)
    seen.responseBytes = bodyBytes(ctx)
    requestEndChannel.publish(seen)
  }

  /** After the route's pipeline: the gateway's own response headers, and the canary's count. */
  function answered(ctx: GatewayContext<object>, canaryRequest: boolean): void {
    if (ctx.error === undefined) decorateResponse(ctx)
    if (canaryRequest) canary.record(ctx)
  }

  function settingsSchemaFor(): z.ZodType<StageSettings> {
    return flavour === 'REST' ? restStageSchema : httpStageSchema
  }

  function describe(stageName: string): StageDescription {
    return registry.getStage(stageName) as StageDescription
  }

  const management: GatewayManagement = {
    putDefinition(next) {
      const parsed = parseOptions(apiDefinitionSchema, next, 'putDefinition')
      if (parsed.protocol !== flavour) throw GatewayUnsupported(`putDefinition: protocol cannot change from ${flavour} to ${parsed.protocol}`)
      working = parsed
      if (flavour === 'HTTP') {
        // §6.2 autoDeploy: HTTP stages that ask for it get a deployment per change
        const auto = [...stageSettings].filter(([, s]) => (s as HttpStageDefinition).autoDeploy)
        if (auto.length !== 0) {
          const d = registry.createDeployment(working, { description: 'autoDeploy' })
          for (const [name, s] of auto) {
            pipelineFor(d, name, s)
            registry.updateStage(name, { deploymentId: d.id })
          }
        }
      }
    },
    createDeployment(input = {}) {
      const deployInput: Parameters<typeof registry.createDeployment>[1] = {}
      if (input.stageName !== undefined) deployInput.stageName = input.stageName
      if (input.description !== undefined) deployInput.description = input.description
      if (input.variables !== undefined) deployInput.variables = input.variables
      if (input.canarySettings !== undefined) deployInput.canarySettings = input.canarySettings
      // build the chains first: a deployment that cannot be served is refused before any stage points at it
      for (const [name, s] of stageSettings) buildPipeline(working, name, s)
      const isNewStage = input.stageName !== undefined && !stageSettings.has(input.stageName)
      const d = registry.createDeployment(working, deployInput)
      if (isNewStage && input.stageName !== undefined) stageSettings.set(input.stageName, settingsSchemaFor().parse({}))
      for (const [name, s] of stageSettings) pipelineFor(d, name, s)
      return describeDeployment(d)
    },
    updateStage(stageName, input) {
      const current = stageSettings.get(stageName)
      if (current === undefined) registry.updateStage(stageName, {}) // AWS's 404
      const settingsPatch: Record<string, unknown> = {}
      if (input.methodSettings !== undefined) settingsPatch.methodSettings = input.methodSettings
      if (input.defaultRouteSettings !== undefined) settingsPatch.defaultRouteSettings = input.defaultRouteSettings
      if (input.routeSettings !== undefined) settingsPatch.routeSettings = input.routeSettings
      let nextSettings = current as StageSettings
      if (Object.keys(settingsPatch).length !== 0) {
        nextSettings = parseOptions(settingsSchemaFor(), { ...current, ...settingsPatch }, `updateStage ${stageName}`)
        // compile before swapping, so a bad setting never reaches traffic
        const state = registry.stage(stageName)
        if (state !== undefined) {
          pipelineFor(state.deployment, stageName, nextSettings)
          if (state.canary !== null) pipelineFor(state.canary.deployment, stageName, nextSettings)
        }
      }
      const patch: Parameters<typeof registry.updateStage>[1] = {}
      if (input.deploymentId !== undefined) {
        const d = registry.getDeployment(input.deploymentId)
        if (d !== undefined) pipelineFor(d, stageName, nextSettings)
        patch.deploymentId = input.deploymentId
      }
      if (input.description !== undefined) patch.description = input.description
      if (input.variables !== undefined) patch.variables = input.variables
      if (input.canarySettings !== undefined) patch.canarySettings = input.canarySettings
      registry.updateStage(stageName, patch)
      stageSettings.set(stageName, nextSettings)
      return describe(stageName)
    },
    promoteCanary(stageName) {
      canary.promote(stageName)
      return describe(stageName)
    },
    deleteCanary(stageName) {
      canary.remove(stageName)
      return describe(stageName)
    },
    rollback(stageName, deploymentId) {
      registry.rollback(stageName, deploymentId)
      return describe(stageName)
    },
    getStage: (stageName) => registry.getStage(stageName),
    getStages: () => registry.stageNames().map(describe),
    getDeployments: () => registry.listDeployments().map(describeDeployment),
    deleteDeployment: (id) => registry.deleteDeployment(id),
    async flushStageCache(stageName) {
      if (registry.getStage(stageName) === undefined) throw StagesNotFound()
      if (sharedCache !== undefined) await sharedCache.flush(`${apiId}/${stageName}`)
      else await stageCaches.get(stageName)?.store.flush(`${apiId}/${stageName}`)
    },
    async flushStageAuthorizersCache(stageName) {
      if (registry.getStage(stageName) === undefined) throw StagesNotFound()
      // Authorizers are built once per definition and shared by the stages that use them; each keeps its results per stage.
      await Promise.all([...lambdaAuthorizers].map((mw) => flushAuthorizerCache(mw, stageName)))
    }
  }

  // Last: every HTTP-side refusal above leaves no WebSocket API running.
  const websocket = buildWebSocket()
  const servers = new Set<Server>()
  const nodeOptions: NonNullable<Parameters<typeof createGatewayServer>[1]> = { logger, flavour }
  if (opts.bodyLimit !== undefined) nodeOptions.bodyLimit = opts.bodyLimit
  if (opts.serverLimits !== undefined) nodeOptions.limits = opts.serverLimits

  return {
    handler,
    websocket,
    listen: (port = 0, host = '127.0.0.1') => listenGatewayServer(createGatewayServer(handler, nodeOptions), websocket, servers, port, host),
    management,
    async close() {
      await closeGatewayServers(websocket, servers)
      await Promise.all([...closables].map((c) => c.close()))
      closables.clear()
    }
  }
}

/** Listens on `port`/`host` with the WebSocket APIs mounted on the same server, and remembers the server for `close()`. */
async function listenGatewayServer(server: Server, websocket: readonly WebSocketApi[], servers: Set<Server>, port: number, host: string): Promise<Server> {
  mountWebSocketApis(server, websocket)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  await Promise.all(websocket.map((w) => w.ready()))
  servers.add(server)
  return server
}

/** Closes the WebSocket APIs, then every listening server (idle keep-alive sockets first, so close() does not wait for them). */
async function closeGatewayServers(websocket: readonly WebSocketApi[], servers: Set<Server>): Promise<void> {
  await Promise.all(websocket.map((w) => w.close()))
  await Promise.all(
    [...servers].map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeIdleConnections()
          s.close(() => resolve())
        })
    )
  )
  servers.clear()
}

/** A gateway whose definition is a WebSocket API (§14): `listen()` serves its stages; there is no REST-style management. */
function websocketOnlyGateway(websocket: readonly WebSocketApi[], logger: Logger): Gateway {
  const servers = new Set<Server>()
  const unsupported = (): never => {
    throw GatewayUnsupported('a WebSocket API has no deployments or stage management here (§6.2); change the definition and create a new gateway')
  }
  return {
    handler: websocketOnlyHandler,
    websocket,
    listen: (port = 0, host = '127.0.0.1') =>
      listenGatewayServer(createGatewayServer(websocketOnlyHandler, { logger, flavour: 'HTTP' }), websocket, servers, port, host),
    management: {
      putDefinition: unsupported,
      createDeployment: unsupported,
      updateStage: unsupported,
      promoteCanary: unsupported,
      deleteCanary: unsupported,
      rollback: unsupported,
      getStage: () => undefined,
      getStages: () => [],
      getDeployments: () => [],
      deleteDeployment: unsupported,
      flushStageCache: unsupported,
      flushStageAuthorizersCache: unsupported
    },
    close: () => closeGatewayServers(websocket, servers)
  }
}
