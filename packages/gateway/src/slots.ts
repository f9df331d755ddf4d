import type { ApiFlavour, Middleware } from '@gw/core'
import type {
  ApiDefinition,
  AuthorizerDefinition,
  HttpStageDefinition,
  IntegrationDefinition,
  MethodDefinition,
  RestStageDefinition,
  RouteDefinition
} from './definition.js'

/** What a per-method slot factory sees: one method (REST) or route (HTTP) of one deployment on one stage. */
export interface SlotInput {
  readonly flavour: ApiFlavour
  /** The deployment's frozen definition. */
  readonly api: ApiDefinition
  readonly stageName: string
  /** The stage's settings (methodSettings / routeSettings, cache, tracing …). */
  readonly stage: RestStageDefinition | HttpStageDefinition
  /** `/pets/{id}`, or `$default` for the HTTP default route. */
  readonly resourcePath: string
  /** `GET` … or `ANY`. */
  readonly httpMethod: string
  /** `GET /pets/{id}` / `$default`. */
  readonly routeKey: string
  /** REST method or HTTP route as defined. */
  readonly method: MethodDefinition | RouteDefinition
  /** The method's integration (inline or by `integrationId`). */
  readonly integration: IntegrationDefinition | undefined
  /** The method's authorizer, when `authorizerId` names one. */
  readonly authorizer: AuthorizerDefinition | undefined
}

/** Builds one step of a method's chain, or returns `null` when the step does not apply. Called once per method per stage. */
export type SlotFactory = (input: SlotInput) => Middleware<object> | null

/**
 * The per-method steps in the order of §0.1 (REST) / §0.2 (HTTP). Each is
 * composed once per route; `null` steps cost nothing at request time.
 */
export interface GatewaySlots {
  /** §0.1 step 5 / §0.2 step 4. @default @gw/throttler from methodSettings / routeSettings */
  throttle?: SlotFactory
  /** §0.1 step 6 / §0.2 step 5 (authorizationType other than NONE). @default @gw/authorizers for HTTP JWT, Lambda TOKEN/REQUEST, Cognito, and AWS_IAM when `options.iam` is given (refused at construction without it) */
  authorization?: SlotFactory
  /** §0.1 step 7 (apiKeyRequired). @default @gw/usage-plans `apiKeys()` when `options.usagePlans` is given */
  apiKey?: SlotFactory
  /** §0.1 step 8 (requestValidatorId, §5). @default @gw/mapping `createRequestValidator()` from `api.requestValidators`, `api.models` and the method's `requestParameters` / `requestModels` */
  validation?: SlotFactory
  /** §0.1 step 9. @default none (no caching) */
  cache?: SlotFactory
  /** §0.1 steps 10-13 / §0.2 step 6-7. @default built-in MOCK; other types are refused at construction */
  integration?: SlotFactory
}

/** What an API-level step may ask about the deployment's routes. */
export interface ApiRoutes {
  /** Whether a route matches `OPTIONS` on this path (stage already removed). */
  hasOptionsRoute(path: string): boolean
}

/** API-level steps that run before route matching. */
export interface GatewayApiSlots {
  /** §0.1 step 3: resource policy, phase 1 (REST, when `policy` is set). @default @gw/authorizers `resourcePolicy()` (explicit Deny → 403 ACCESS_DENIED; phase 2 runs in the authorization slot) */
  resourcePolicy?: (api: ApiDefinition) => Middleware<object> | null
  /**
   * §0.2 step 2 and 7: CORS (HTTP, when `corsConfiguration` is set): preflights no route matches are answered
   * before routing; actual responses get the configured headers. `routes.hasOptionsRoute(path)` tells whether a
   * route of this deployment matches `OPTIONS` there (§11.2). @default @gw/cors `httpApiCors()`
   */
  cors?: (api: ApiDefinition, routes: ApiRoutes) => Middleware<object> | null
}

/** Step names in chain order, per flavour. */
export const SLOT_ORDER: Readonly<Record<ApiFlavour, readonly (keyof GatewaySlots)[]>> = Object.freeze({
  REST: Object.freeze(['throttle', 'authorization', 'apiKey', 'validation', 'cache', 'integration'] as const),
  HTTP: Object.freeze(['throttle', 'authorization', 'integration'] as const)
})
