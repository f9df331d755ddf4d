import { methodThrottle, routeThrottle, throttler, type MethodSetting, type RouteSetting } from '@gw/throttler'
import type { CacheStore, GatewayContext, KeyValueStore, Logger, RateLimitStore } from '@gw/core'
import { stageCache } from '@gw/cache'
import { apiKeys, type UsagePlans } from '@gw/usage-plans'
import type { HttpStageDefinition, MethodDefinition, RestStageDefinition } from './definition.js'
import { GatewayUnsupported } from './errors.js'
import { createIntegration, functionOfUri, inProcessInvoker, lambdaAuthorizerInvoke, type IntegrationOptions } from '@gw/integrations'
import {
  cognitoAuthorizer,
  compileResourcePolicy,
  iamAuthorizer,
  jwtAuthorizer,
  lambdaAuthorizer,
  resourcePolicy,
  type ArnOptions,
  type AuthorizerInvoke,
  type CredentialsProvider,
  type ResourcePolicy
} from '@gw/authorizers'
import type { Middleware } from '@gw/core'
import { createRequestValidator } from '@gw/mapping'
import type { ApiDefinition, AuthorizerDefinition } from './definition.js'
import type { ApiRoutes, GatewaySlots, SlotFactory, SlotInput } from './slots.js'
import { httpApiCors } from '@gw/cors'

/** What the default slots need from `createGateway()` options. */
export interface DefaultSlotDeps {
  readonly apiId: string
  readonly rateLimitStore: RateLimitStore | undefined
  readonly usagePlans: UsagePlans | undefined
  /** Options passed to every `createIntegration()` (Lambda resolver, AWS endpoint, pools). */
  readonly integrationOptions: IntegrationOptions
  readonly logger: Logger
  /** Extra `cognitoAuthorizer()` options for every Cognito authorizer (e.g. `issuerBaseUrl` for a local JWKS). */
  readonly cognito?: { readonly issuerBaseUrl?: string | undefined }
  /**
   * `AWS_IAM` methods and routes (§10.8): access key → secret, principal and identity policy. `region` and
   * `accountId` are the API's: SigV4 credential scope and every method ARN (§10.1), resource policy included.
   * Without it an `AWS_IAM` method is refused at construction.
   */
  readonly iam?: { readonly credentials: CredentialsProvider; readonly region?: string | undefined; readonly accountId?: string | undefined }
  /** Every integration built, so `close()` can release their connection pools. */
  readonly onIntegration: (closable: { close(): Promise<void> }) => void
  /** The stage response cache (§7): the store of a stage with `cacheClusterEnabled`, sized by `cacheClusterSize`. */
  readonly cacheStore?: (stageName: string, cacheClusterSize: string | undefined) => CacheStore
  /** Key prefix of a request's deployment while the stage's canary keeps its own cache (§6.4 `useStageCache: false`). */
  readonly cacheVariant?: (stageName: string) => (ctx: GatewayContext<object>) => string
  /** Whether a caller may send `Cache-Control: max-age=0` under `requireAuthorizationForCacheControl` (§7). */
  readonly canInvalidateCache?: (ctx: GatewayContext<object>) => boolean | Promise<boolean>
  /** Every Lambda authorizer built, so FlushStageAuthorizersCache can reach its result cache. */
  readonly onAuthorizer?: (authorizer: Middleware<object>) => void
  /** Where every Lambda authorizer keeps its results (§10.4): a store shared by instances. @default in-process, per stage */
  readonly authorizerStore?: KeyValueStore
}

/**
 * `invoke(event)` for a Lambda authorizer: the function named by
 * `authorizerUri`, found through the integrations' Lambda resolver (in-process
 * handlers). A timeout or failed invocation rejects (→ 500, §10.2).
 */
function authorizerInvoke(where: string, auth: AuthorizerDefinition, options: IntegrationOptions): AuthorizerInvoke {
  const uri = auth.authorizerUri
  if (uri === undefined) throw GatewayUnsupported(`${where}: a ${auth.type} authorizer needs authorizerUri`)
  const fn = functionOfUri(uri)
  if (options.lambda === undefined) throw GatewayUnsupported(`${where}: authorizer function ${fn} needs options.integrations.lambda (a LambdaResolver)`)
  const invoker = inProcessInvoker(options.lambda, options.aws?.region ?? 'us-east-1')(fn)
  if (invoker === undefined) throw GatewayUnsupported(`${where}: authorizer function ${fn} is not in options.integrations.lambda`)
  return lambdaAuthorizerInvoke(fn, invoker)
}

function where(input: SlotInput): string {
  return `${input.stageName} ${input.routeKey}`
}

/** The API's method-ARN parts (§10.1): its id, and the region / account of `deps.iam` (defaults otherwise). */
export function apiArn(deps: Pick<DefaultSlotDeps, 'apiId' | 'iam'>): ArnOptions {
  const arn: ArnOptions = { apiId: deps.apiId }
  if (deps.iam?.region !== undefined) arn.region = deps.iam.region
  if (deps.iam?.accountId !== undefined) arn.accountId = deps.iam.accountId
  return arn
}

// One compiled resource policy per deployment's definition (§10.9), shared by the pre-routing check, the NONE
// guard and the authorizers: the document is compiled once.
const policies = new WeakMap<ApiDefinition, ResourcePolicy>()
function compiledPolicy(api: ApiDefinition, arn: ArnOptions): ResourcePolicy | undefined {
  if (api.protocol !== 'REST' || api.policy === undefined) return undefined
  let p = policies.get(api)
  if (p === undefined) policies.set(api, (p = compileResourcePolicy(api.policy as Parameters<typeof compileResourcePolicy>[0], arn)))
  return p
}

/**
 * Default API-level resource-policy step (§0.1 step 3): an explicit Deny
 * ends the request with 403 ACCESS_DENIED before routing; the rest of §10.9
 * (NONE needs an explicit Allow, authorizer combination) runs in the
 * method's authorization slot with the same compiled policy.
 */
export function defaultResourcePolicy(arn: ArnOptions): (api: ApiDefinition) => Middleware<object> | null {
  return (api) => {
    const policy = compiledPolicy(api, arn)
    return policy === undefined ? null : resourcePolicy({ policy, arn, authorizationType: 'CUSTOM' })
  }
}

/**
 * Default CORS step of HTTP APIs (§0.2 steps 2 and 7, §11.2): @gw/cors `httpApiCors()` from the API's
 * `corsConfiguration`; a preflight that an `OPTIONS`, greedy or `$default` route matches goes to that route.
 * No step (nothing on the hot path) without a configuration.
 */
export function defaultCors(api: ApiDefinition, routes: ApiRoutes): Middleware<object> | null {
  if (api.protocol !== 'HTTP' || api.corsConfiguration === undefined) return null
  return httpApiCors(api.corsConfiguration, { hasOptionsRoute: (path) => routes.hasOptionsRoute(path) })
}

// One NONE-auth policy check per deployment's definition, shared by its methods.
const noneGuards = new WeakMap<ApiDefinition, Middleware<object>>()
/**
 * §10.9 phase 2 for `authorizationType: NONE` (REST with a `policy`): only an explicit Allow of the resource policy
 * admits the call; `null` (no step) without a policy.
 */
function requireExplicitAllow(api: ApiDefinition, arn: ArnOptions): Middleware<object> | null {
  const policy = compiledPolicy(api, arn)
  if (policy === undefined) return null
  let mw = noneGuards.get(api)
  if (mw === undefined) noneGuards.set(api, (mw = resourcePolicy({ policy, arn, authorizationType: 'NONE' })))
  return mw
}

/**
 * The slots createGateway() fills when the caller gives none: throttling from
 * @gw/throttler, API keys from @gw/usage-plans, request validation from
 * @gw/mapping, authorizers from @gw/authorizers, integrations from
 * @gw/integrations, and refusals (at construction) for features whose package
 * is not plugged in.
 */
export function defaultSlots(deps: DefaultSlotDeps): Required<GatewaySlots> {
  const arn = apiArn(deps)
  const throttle: SlotFactory = (input) => {
    const limits =
      input.flavour === 'REST'
        ? methodThrottle((input.stage as RestStageDefinition).methodSettings as Readonly<Record<string, MethodSetting>>, input.resourcePath, input.httpMethod)
        : routeThrottle((input.stage as HttpStageDefinition).defaultRouteSettings as RouteSetting | undefined, (input.stage as HttpStageDefinition).routeSettings as Readonly<Record<string, RouteSetting>>, input.routeKey)
    if (limits === undefined) return null
    const options: Parameters<typeof throttler>[0] = { name: `${deps.apiId}/${input.stageName}/${input.routeKey}`, rateLimit: limits.rateLimit, burstLimit: limits.burstLimit }
    if (deps.rateLimitStore !== undefined) options.store = deps.rateLimitStore
    return throttler(options)
  }
  // One JWT authorizer per authorizer definition (shared JWKS and token caches), scopes per route key.
  const jwt = new WeakMap<AuthorizerDefinition, Middleware<object>>()
  // One Lambda / Cognito authorizer per definition (shared result and JWKS caches).
  const built = new WeakMap<AuthorizerDefinition, Middleware<object>>()
  // One IAM authorizer per deployment's definition (its resource policy; shared identity-policy cache).
  const iam = new WeakMap<ApiDefinition, Middleware<object>>()
  const authorization: SlotFactory = (input) => {
    if (input.method.authorizationType === 'NONE') return requireExplicitAllow(input.api, arn)
    const policy = compiledPolicy(input.api, arn)
    if (input.method.authorizationType === 'AWS_IAM') {
      if (deps.iam === undefined) throw GatewayUnsupported(`${where(input)}: authorizationType AWS_IAM needs options.iam ({ credentials: (accessKeyId) => ({ secretAccessKey, principal }) }, §10.8) or options.slots.authorization`)
      let mw = iam.get(input.api)
      if (mw === undefined) iam.set(input.api, (mw = iamAuthorizer({ credentials: deps.iam.credentials, arn, ...(policy === undefined ? {} : { resourcePolicy: policy }) })))
      return mw
    }
    const auth = input.authorizer
    if (input.method.authorizationType === 'JWT' && auth?.type === 'JWT' && input.api.protocol === 'HTTP') {
      let mw = jwt.get(auth)
      if (mw === undefined) {
        const routeScopes: Record<string, string[]> = {}
        for (const [key, route] of Object.entries(input.api.routes))
          if (route.authorizerId !== undefined && input.api.authorizers[route.authorizerId] === auth && route.authorizationScopes !== undefined) routeScopes[key] = route.authorizationScopes
        const source = Array.isArray(auth.identitySource) ? auth.identitySource[0] : auth.identitySource
        mw = jwtAuthorizer({
          issuer: auth.jwtConfiguration?.issuer ?? '',
          audience: auth.jwtConfiguration?.audience ?? [],
          ...(source === undefined ? {} : { identitySource: source }),
          routeScopes
        })
        jwt.set(auth, mw)
      }
      return mw
    }
    if (auth !== undefined && (auth.type === 'TOKEN' || auth.type === 'REQUEST' || auth.type === 'COGNITO_USER_POOLS')) {
      let mw = built.get(auth)
      if (mw === undefined) {
        const id = Object.entries(input.api.authorizers).find(([, a]) => a === auth)?.[0] ?? 'default'
        if (auth.type === 'COGNITO_USER_POOLS') {
          mw = cognitoAuthorizer({
            providerARNs: auth.providerARNs ?? [],
            ...(typeof auth.identitySource === 'string' ? { identitySource: auth.identitySource } : {}),
            ...(auth.identityValidationExpression === undefined ? {} : { identityValidationExpression: auth.identityValidationExpression }),
            ...deps.cognito,
            arn,
            ...(policy === undefined ? {} : { resourcePolicy: policy })
          })
        } else {
          mw = lambdaAuthorizer({
            type: auth.type,
            invoke: authorizerInvoke(where(input), auth, deps.integrationOptions),
            ...(policy === undefined ? {} : { resourcePolicy: policy }),
            arn,
            authorizerId: id,
            ...(auth.identitySource === undefined ? {} : { identitySource: auth.identitySource }),
            ...(auth.identityValidationExpression === undefined ? {} : { identityValidationExpression: auth.identityValidationExpression }),
            ...(auth.authorizerResultTtlInSeconds === undefined ? {} : { authorizerResultTtlInSeconds: auth.authorizerResultTtlInSeconds }),
            ...(auth.authorizerPayloadFormatVersion === undefined || input.api.protocol !== 'HTTP' ? {} : { authorizerPayloadFormatVersion: auth.authorizerPayloadFormatVersion }),
            ...(auth.enableSimpleResponses === undefined ? {} : { enableSimpleResponses: auth.enableSimpleResponses }),
            ...(deps.authorizerStore === undefined ? {} : { cache: { store: deps.authorizerStore } })
          })
          deps.onAuthorizer?.(mw)
        }
        built.set(auth, mw)
      }
      return mw
    }
    throw GatewayUnsupported(`${where(input)}: authorizationType ${input.method.authorizationType} needs an authorizer: pass options.slots.authorization (@gw/authorizers; JWT on HTTP APIs is built in)`)
  }
  const apiKey: SlotFactory = (input) => {
    if (input.flavour !== 'REST' || !(input.method as MethodDefinition).apiKeyRequired) return null
    if (deps.usagePlans === undefined) throw GatewayUnsupported(`${where(input)}: apiKeyRequired needs options.usagePlans (@gw/usage-plans)`)
    const api = input.api
    return apiKeys(deps.usagePlans, {
      apiKeySource: api.protocol === 'REST' ? api.apiKeySource : 'HEADER',
      // The api stage and method are fixed per chain (a chain serves one stage): the key's buckets and quota owner
      // are then built once per key and plan, not as new strings and lookups on every request (#21).
      apiId: deps.apiId,
      stage: input.stageName,
      resourcePath: input.resourcePath,
      httpMethod: input.httpMethod
    })
  }
  // One compiled validator per method definition: models compile once, not once per stage.
  const validators = new WeakMap<MethodDefinition, Middleware<object>>()
  const validation: SlotFactory = (input) => {
    if (input.api.protocol !== 'REST') return null
    const id = (input.method as MethodDefinition).requestValidatorId
    const validator = id === undefined ? undefined : input.api.requestValidators[id]
    if (validator === undefined || (!validator.validateRequestBody && !validator.validateRequestParameters)) return null
    const method = input.method as MethodDefinition
    // Only required parameters and declared body models are checked (§5.1/§5.2); a validator with nothing to check costs nothing.
    const hasRequired = validator.validateRequestParameters && Object.values(method.requestParameters).some((r) => r)
    const hasModels = validator.validateRequestBody && Object.keys(method.requestModels).length !== 0
    if (!hasRequired && !hasModels) return null
    let mw = validators.get(method)
    if (mw === undefined) {
      mw = createRequestValidator({
        validateRequestParameters: validator.validateRequestParameters,
        validateRequestBody: validator.validateRequestBody,
        requestParameters: method.requestParameters,
        requestModels: method.requestModels,
        models: input.api.models as Record<string, string | Record<string, unknown>>
      })
      validators.set(method, mw)
    }
    return mw
  }
  // §7: REST stages with cacheClusterEnabled; `null` (no step, no cost) for every method that caches nothing.
  const cache: SlotFactory = (input) => {
    if (input.api.protocol !== 'REST' || deps.cacheStore === undefined) return null
    const stage = input.stage as RestStageDefinition
    if (!stage.cacheClusterEnabled) return null
    return stageCache({
      store: deps.cacheStore(input.stageName, stage.cacheClusterSize),
      partition: `${deps.apiId}/${input.stageName}`,
      cacheClusterEnabled: true,
      methodSettings: stage.methodSettings,
      resourcePath: input.resourcePath,
      httpMethod: input.httpMethod,
      cacheKeyParameters: input.integration?.cacheKeyParameters,
      cacheNamespace: input.integration?.cacheNamespace,
      variant: deps.cacheVariant?.(input.stageName),
      canInvalidate: deps.canInvalidateCache
    })
  }
  const integration: SlotFactory = (input) => {
    const def = input.integration
    if (def === undefined) throw GatewayUnsupported(`${where(input)}: No integration defined for method`)
    const options: IntegrationOptions = { ...deps.integrationOptions, flavour: input.flavour, logger: deps.logger }
    if (input.routeKey === '$default' && input.flavour === 'HTTP') options.defaultRoute = true
    if (input.api.protocol === 'REST') {
      options.binaryMediaTypes = input.api.binaryMediaTypes
      const statuses = Object.keys((input.method as MethodDefinition).methodResponses)
      if (statuses.length !== 0) options.methodResponses = statuses
    }
    const mw = createIntegration(def, options)
    deps.onIntegration(mw)
    return mw
  }
  return { throttle, authorization, apiKey, validation, cache, integration }
}
