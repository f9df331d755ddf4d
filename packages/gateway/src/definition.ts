import { z } from 'zod'
import { routeSettingsSchema, stageVariablesSchema } from '@gw/core'
import { CACHE_CLUSTER_SIZES } from '@gw/cache'
import { corsConfigurationSchema as corsSchema } from '@gw/cors'
import { integrationSchema, integrationResponseSchema as integrationResponseDefinitionSchema } from '@gw/integrations'

/*
 * The typed API definition createGateway() takes. Shapes and field names are
 * AWS's own objects (RestApi / Resource / Method / Integration / Stage of the
 * `apigateway` API; Api / Route / Integration / Stage of `apigatewayv2`) and the
 * `x-amazon-apigateway-*` OpenAPI extensions, so an OpenAPI import maps onto it
 * 1:1 (aws-semantics §1, §6, §16). Validated once, at construction.
 */

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const
/** Methods of a REST method or HTTP API route (§1.2, §1.3). */
export const httpMethodSchema = z.enum(HTTP_METHODS)
/** `GET` … `OPTIONS` or `ANY`. */
export type HttpMethod = z.output<typeof httpMethodSchema>

/** REST resource path: `/`, or `/seg/{param}/{greedy+}` with AWS's pathPart charset (§1.2, `,` `:` from OpenAPI import). */
const RESOURCE_PATH = /^\/$|^(\/([A-Za-z0-9._\-,:]+|\{[A-Za-z0-9._-]+\}|\{[A-Za-z0-9._-]+\+\}))+$/
/** HTTP API route key (§1.3): `$default` or `METHOD /path` (no trailing slash). */
const ROUTE_KEY = /^\$default$|^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (\/|(\/([^/{}\s]+|\{[A-Za-z0-9._-]+\}|\{[A-Za-z0-9._-]+\+\}))+)$/
/** Stage names: letters, digits, `-`, `_`, ≤ 128 (§1.1); HTTP APIs also `$default`. */
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/

function greedyIsLast(path: string): boolean {
  const greedy = path.indexOf('+}')
  return greedy === -1 || greedy === path.length - 2
}

/**
 * A record whose keys are checked one by one, so an error names the key and
 * the reason (zod's own key schemas only say "Invalid key in record").
 */
function keyed<V extends z.ZodType>(value: V, check: (key: string) => string | undefined) {
  return z.record(z.string(), value).superRefine((record, issue) => {
    for (const key of Object.keys(record)) {
      const message = check(key)
      if (message !== undefined) issue.addIssue({ code: 'custom', path: [key], message })
    }
  })
}

const rule = (re: RegExp, message: string) => (key: string): string | undefined => (re.test(key) ? undefined : message)

/** Stage variables: names and values as §6.3 allows, at most 100. */
export const stageVariablesDefinitionSchema = stageVariablesSchema
/** Validated stage variables. */
export type StageVariablesDefinition = z.output<typeof stageVariablesSchema>

/** One integration response of a non-proxy REST integration (§4.8): @gw/integrations' schema, one source of truth. */
export const integrationResponseSchema = integrationResponseDefinitionSchema

/**
 * `x-amazon-apigateway-integration` / the `Integration` object (§3, §16.2):
 * @gw/integrations' own schema, so the definition accepts exactly what
 * `createIntegration()` runs.
 */
export const integrationDefinitionSchema = integrationSchema
/** An integration as written in a definition. */
export type IntegrationDefinitionInput = z.input<typeof integrationDefinitionSchema>
/** A validated integration. */
export type IntegrationDefinition = z.output<typeof integrationDefinitionSchema>

/** A method response: declared headers and models. */
export const methodResponseSchema = z
  .object({
    responseParameters: z.record(z.string(), z.boolean()).default({}),
    responseModels: z.record(z.string(), z.string()).default({})
  })
  .strict()

const requestParameterKey = rule(/^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.[^.]+$/, 'keys look like method.request.{path|querystring|header}.{name} (§3.7)')

/** A REST `Method` (§1.2, §5, §9, §10). */
export const methodDefinitionSchema = z
  .object({
    operationName: z.string().optional(),
    authorizationType: z.enum(['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS']).default('NONE'),
    /** Key of `authorizers` (required for CUSTOM / COGNITO_USER_POOLS). */
    authorizerId: z.string().optional(),
    authorizationScopes: z.array(z.string()).optional(),
    apiKeyRequired: z.boolean().default(false),
    /** `method.request.{path|querystring|header}.{name}` → required (§5.1). */
    requestParameters: keyed(z.boolean(), requestParameterKey).default({}),
    /** Key of `requestValidators` (§5). */
    requestValidatorId: z.string().optional(),
    /** content type → model name (§5.2). */
    requestModels: z.record(z.string(), z.string()).default({}),
    /** status → method response (§3.3). */
    methodResponses: keyed(methodResponseSchema, rule(/^[1-5]\d\d$/, 'keys are status codes such as "200"')).default({}),
    integration: integrationDefinitionSchema.optional()
  })
  .strict()
  .superRefine((m, issue) => {
    if ((m.authorizationType === 'CUSTOM' || m.authorizationType === 'COGNITO_USER_POOLS') && m.authorizerId === undefined)
      issue.addIssue({ code: 'custom', path: ['authorizerId'], message: `authorizationType ${m.authorizationType} needs an authorizerId (§10)` })
  })
/** A REST method as written. */
export type MethodDefinitionInput = z.input<typeof methodDefinitionSchema>
/** A validated REST method. */
export type MethodDefinition = z.output<typeof methodDefinitionSchema>

/** A REST `Resource`: its methods by HTTP method (`resourceMethods`). */
export const resourceDefinitionSchema = z
  .object({ resourceMethods: z.partialRecord(httpMethodSchema, methodDefinitionSchema).default({}) })
  .strict()

/** An authorizer (§10): REST `TOKEN` / `REQUEST` / `COGNITO_USER_POOLS`, HTTP API `JWT` / `REQUEST`. */
export const authorizerDefinitionSchema = z
  .object({
    type: z.enum(['TOKEN', 'REQUEST', 'COGNITO_USER_POOLS', 'JWT', 'AWS_IAM']),
    name: z.string().optional(),
    /** AWS's free-form `authType` label (`x-amazon-apigateway-authtype`: `custom`, `oauth2`, `cognito_user_pools`); no effect, kept for export (§16.2). */
    authType: z.string().optional(),
    authorizerUri: z.string().optional(),
    authorizerCredentials: z.string().optional(),
    identitySource: z.union([z.string(), z.array(z.string())]).optional(),
    identityValidationExpression: z.string().optional(),
    authorizerResultTtlInSeconds: z.number().int().min(0).max(3600).optional(),
    authorizerPayloadFormatVersion: z.enum(['1.0', '2.0']).optional(),
    enableSimpleResponses: z.boolean().optional(),
    jwtConfiguration: z.object({ issuer: z.string().optional(), audience: z.array(z.string()).optional() }).strict().optional(),
    providerARNs: z.array(z.string()).optional()
  })
  .strict()
/** A validated authorizer definition. */
export type AuthorizerDefinition = z.output<typeof authorizerDefinitionSchema>
/** An authorizer as written. */
export type AuthorizerDefinitionInput = z.input<typeof authorizerDefinitionSchema>

/** `x-amazon-apigateway-request-validators` entry (§5). */
export const requestValidatorSchema = z
  .object({ validateRequestBody: z.boolean().default(false), validateRequestParameters: z.boolean().default(false) })
  .strict()

/** One `methodSettings` entry (§6.1), keyed `{resourcePath}/{httpMethod}` or `*\/*`. */
export const methodSettingSchema = z
  .object({
    metricsEnabled: z.boolean().optional(),
    loggingLevel: z.enum(['OFF', 'ERROR', 'INFO']).optional(),
    dataTraceEnabled: z.boolean().optional(),
    throttlingBurstLimit: z.number().int().min(0).optional(),
    throttlingRateLimit: z.number().min(0).optional(),
    cachingEnabled: z.boolean().optional(),
    cacheTtlInSeconds: z.number().int().min(0).max(3600).optional(),
    cacheDataEncrypted: z.boolean().optional(),
    requireAuthorizationForCacheControl: z.boolean().optional(),
    unauthorizedCacheControlHeaderStrategy: z.enum(['FAIL_WITH_403', 'SUCCEED_WITH_RESPONSE_HEADER', 'SUCCEED_WITHOUT_RESPONSE_HEADER']).optional()
  })
  .strict()
/** A validated method setting. */
export type MethodSetting = z.output<typeof methodSettingSchema>

/** `canarySettings` of a REST stage (§6.4). */
export const canarySettingsSchema = z
  .object({
    percentTraffic: z.number().min(0).max(100).default(0),
    /** Deployment id of the canary; absent = the definition's current snapshot. */
    deploymentId: z.string().optional(),
    stageVariableOverrides: stageVariablesSchema.default({}),
    useStageCache: z.boolean().default(false)
  })
  .strict()
/** Canary settings as written. */
export type CanarySettingsInput = z.input<typeof canarySettingsSchema>
/** Validated canary settings. */
export type CanarySettingsDefinition = z.output<typeof canarySettingsSchema>

/** Access-log format presets @gw/metrics expands by name, per flavour (§13.2). */
const ACCESS_LOG_PRESETS = ['CLF', 'JSON', 'XML', 'CSV'] as const
const isPreset = (format: string): boolean => (ACCESS_LOG_PRESETS as readonly string[]).includes(format)
/** §13.2: a REST format must contain `$context.requestId` or `$context.extendedRequestId`. */
const HAS_REQUEST_ID = /\$context\.(requestId|extendedRequestId)(?![A-Za-z0-9_])/
/** §13.2: one line (a trailing newline is allowed). */
const oneLine = (format: string): boolean => !format.replace(/\n$/, '').includes('\n')

/** REST `accessLogSettings` (§13.2): a `$context` template or a preset name (CLF, JSON, XML, CSV). */
const restAccessLogSettingsSchema = z
  .object({
    format: z
      .string()
      .min(1)
      .refine(oneLine, 'an access log format is a single line (§13.2)')
      .refine((f) => isPreset(f) || HAS_REQUEST_ID.test(f), 'a REST access log format must contain $context.requestId or $context.extendedRequestId (§13.2)')
      .optional(),
    destinationArn: z.string().optional()
  })
  .strict()

/** HTTP API `accessLogSettings` (§13.2): a template of at most 3 KB, or a preset name. */
const httpAccessLogSettingsSchema = z
  .object({
    format: z.string().min(1).max(3072, 'an HTTP API access log format is at most 3 KB (§13.2)').refine(oneLine, 'an access log format is a single line (§13.2)').optional(),
    destinationArn: z.string().optional()
  })
  .strict()

/** A REST `Stage` (§6.1). */
export const restStageSchema = z
  .object({
    description: z.string().optional(),
    variables: stageVariablesSchema.default({}),
    methodSettings: keyed(methodSettingSchema, rule(/^.*\/(\*|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY)$/, 'keys look like "/pets/GET", "~1pets/GET" or "*/*" (§6.1)')).default({}),
    canarySettings: canarySettingsSchema.optional(),
    cacheClusterEnabled: z.boolean().default(false),
    /** GB of the stage cache (§7); bounds the memory store. @default '0.5' when the cache is enabled */
    cacheClusterSize: z.enum(CACHE_CLUSTER_SIZES).optional(),
    tracingEnabled: z.boolean().default(false),
    accessLogSettings: restAccessLogSettingsSchema.optional(),
    tags: z.record(z.string(), z.string()).optional()
  })
  .strict()
/** A validated REST stage. */
export type RestStageDefinition = z.output<typeof restStageSchema>

/** HTTP API route settings (§6.2): @gw/core's schema, shared with WebSocket stages. */
export { routeSettingsSchema }

/** An HTTP API `Stage` (§6.2). */
export const httpStageSchema = z
  .object({
    description: z.string().optional(),
    autoDeploy: z.boolean().default(true),
    stageVariables: stageVariablesSchema.default({}),
    defaultRouteSettings: routeSettingsSchema.optional(),
    routeSettings: keyed(routeSettingsSchema, rule(ROUTE_KEY, 'keys are route keys such as "GET /pets"')).default({}),
    accessLogSettings: httpAccessLogSettingsSchema.optional(),
    tags: z.record(z.string(), z.string()).optional()
  })
  .strict()
/** A validated HTTP API stage. */
export type HttpStageDefinition = z.output<typeof httpStageSchema>

/** An HTTP API `Route` (§1.3). Its integration is inline or by id (`target: "integrations/{id}"` in AWS). */
export const routeDefinitionSchema = z
  .object({
    operationName: z.string().optional(),
    authorizationType: z.enum(['NONE', 'JWT', 'CUSTOM', 'AWS_IAM']).default('NONE'),
    authorizerId: z.string().optional(),
    authorizationScopes: z.array(z.string()).optional(),
    requestParameters: z.record(z.string(), z.object({ required: z.boolean() }).strict()).optional(),
    /** Key of `integrations`. */
    integrationId: z.string().optional(),
    integration: integrationDefinitionSchema.optional()
  })
  .strict()
  .superRefine((r, issue) => {
    if (r.integrationId !== undefined && r.integration !== undefined)
      issue.addIssue({ code: 'custom', path: ['integrationId'], message: 'give either integrationId or an inline integration, not both' })
    if ((r.authorizationType === 'JWT' || r.authorizationType === 'CUSTOM') && r.authorizerId === undefined)
      issue.addIssue({ code: 'custom', path: ['authorizerId'], message: `authorizationType ${r.authorizationType} needs an authorizerId (§10)` })
  })
/** A validated HTTP API route. */
export type RouteDefinition = z.output<typeof routeDefinitionSchema>
/** An HTTP API route as written. */
export type RouteDefinitionInput = z.input<typeof routeDefinitionSchema>

/** HTTP API `corsConfiguration` (§11.2): @gw/cors' schema, one source of truth (`allowCredentials` with `*` refused). */
export const corsConfigurationSchema = corsSchema

const gatewayResponsesSchema = z.record(
  z.string(),
  z
    .object({
      statusCode: z.union([z.number(), z.string(), z.null()]).optional(),
      responseParameters: z.record(z.string(), z.string()).optional(),
      responseTemplates: z.record(z.string(), z.string()).optional()
    })
    .strict()
)

/** `endpointConfiguration` of a RestApi / `x-amazon-apigateway-endpoint-configuration` (§1.1, §15, §16.2). */
export const endpointConfigurationSchema = z
  .object({
    types: z.array(z.enum(['REGIONAL', 'EDGE', 'PRIVATE'])).length(1, 'one endpoint type: REGIONAL, EDGE or PRIVATE').default(['REGIONAL']),
    vpcEndpointIds: z.array(z.string().regex(/^vpce-[0-9a-z]+$/, 'a VPC endpoint id such as vpce-0123456789abcdef0')).default([])
  })
  .strict()
/** A validated endpoint configuration. */
export type EndpointConfiguration = z.output<typeof endpointConfigurationSchema>

const common = {
  /** `$context.apiId`; 10 lower-case alphanumerics on AWS (§1.1). */
  id: z.string().min(1).default('gwlocalapi'),
  name: z.string().min(1),
  description: z.string().optional(),
  version: z.string().optional(),
  /**
   * The OpenAPI document's base path (Swagger 2 `basePath`, OAS 3 `servers[0].url` path) as imported with
   * `basepath=ignore` (§16.1). Kept for export only: routing never uses it (stages and `basePathMappings` do).
   */
  basePath: z.string().optional(),
  authorizers: z.record(z.string(), authorizerDefinitionSchema).default({}),
  /** Custom-domain base-path mappings: `{ domainName, basePath, stage }` (§1.1), `(none)` or `''` = root. */
  basePathMappings: z
    .array(
      z
        .object({
          domainName: z.string().min(1),
          basePath: z.string().regex(/^(\(none\)|[A-Za-z0-9._\-/]*)$/, 'a base path such as "v1" or "v1/orders" or "(none)"').default('(none)'),
          stage: z.string().min(1)
        })
        .strict()
    )
    .default([]),
  /** `disableExecuteApiEndpoint` (§1.1): the default host answers 403 Forbidden, only mappings serve. */
  disableExecuteApiEndpoint: z.boolean().default(false),
  /**
   * `endpointConfiguration` (`x-amazon-apigateway-endpoint-configuration`, §16.2): the endpoint type (REGIONAL,
   * EDGE through CloudFront, PRIVATE through VPC endpoints) and the VPC endpoints of a private API. Served by
   * @gw/domains (`gw serve`); createGateway() alone serves every type as REGIONAL.
   */
  endpointConfiguration: endpointConfigurationSchema.optional()
}

/** A REST API (`apigateway` RestApi and its resources, §1.2). */
export const restApiDefinitionSchema = z
  .object({
    protocol: z.literal('REST'),
    ...common,
    /** Resource path → resource (`/pets/{petId}` → `{ resourceMethods: { GET: … } }`). */
    resources: keyed(resourceDefinitionSchema, (key) =>
      !RESOURCE_PATH.test(key) ? 'a resource path such as "/pets/{petId}" or "/{proxy+}"; a parameter is a whole segment (§1.2)' : !greedyIsLast(key) ? 'a greedy {name+} must be the last segment (§1.2)' : undefined
    ).default({}),
    requestValidators: z.record(z.string(), requestValidatorSchema).default({}),
    models: z.record(z.string(), z.unknown()).default({}),
    gatewayResponses: gatewayResponsesSchema.default({}),
    binaryMediaTypes: z.array(z.string()).default([]),
    apiKeySource: z.enum(['HEADER', 'AUTHORIZER']).default('HEADER'),
    minimumCompressionSize: z.number().int().min(0).max(10_485_760).optional(),
    /** Resource policy document (§10.9). */
    policy: z.unknown().optional(),
    stages: keyed(restStageSchema, rule(STAGE_NAME, 'stage names are letters, digits, - and _, at most 128 (§1.1)')).default({})
  })
  .strict()
  .superRefine((api, issue) => {
    for (const [path, resource] of Object.entries(api.resources)) {
      for (const [method, def] of Object.entries(resource.resourceMethods)) {
        if (def.authorizerId !== undefined && api.authorizers[def.authorizerId] === undefined)
          issue.addIssue({ code: 'custom', path: ['resources', path, 'resourceMethods', method, 'authorizerId'], message: `unknown authorizer "${def.authorizerId}"` })
        if (def.requestValidatorId !== undefined && api.requestValidators[def.requestValidatorId] === undefined)
          issue.addIssue({ code: 'custom', path: ['resources', path, 'resourceMethods', method, 'requestValidatorId'], message: `unknown request validator "${def.requestValidatorId}"` })
        for (const model of Object.values(def.requestModels))
          if (api.models[model] === undefined && model !== 'Empty' && model !== 'Error')
            issue.addIssue({ code: 'custom', path: ['resources', path, 'resourceMethods', method, 'requestModels'], message: `unknown model "${model}"` })
      }
    }
    checkMappings(api.basePathMappings, api.stages, issue)
  })

/** An HTTP API (`apigatewayv2` Api with its routes, §1.3). */
export const httpApiDefinitionSchema = z
  .object({
    protocol: z.literal('HTTP'),
    ...common,
    /** Route key (`GET /pets/{id}`, `ANY /{proxy+}`, `$default`) → route. */
    routes: keyed(routeDefinitionSchema, (key) =>
      !ROUTE_KEY.test(key) ? 'a route key such as "GET /pets/{id}" or "$default", no trailing slash (§1.3)' : !greedyIsLast(key) ? 'a greedy {name+} must be the last segment (§1.3)' : undefined
    ).default({}),
    integrations: z.record(z.string(), integrationDefinitionSchema).default({}),
    corsConfiguration: corsConfigurationSchema.optional(),
    /** `x-amazon-apigateway-importexport-version` (§16.2, HTTP API): `"1.0"`; kept for export. */
    importExportVersion: z.string().optional(),
    stages: keyed(httpStageSchema, rule(/^\$default$|^[A-Za-z0-9_-]{1,128}$/, 'stage names are $default or letters, digits, - and _ (§1.1)')).default({})
  })
  .strict()
  .superRefine((api, issue) => {
    for (const [key, route] of Object.entries(api.routes)) {
      if (route.integrationId !== undefined && api.integrations[route.integrationId] === undefined)
        issue.addIssue({ code: 'custom', path: ['routes', key, 'integrationId'], message: `unknown integration "${route.integrationId}"` })
      if (route.authorizerId !== undefined && api.authorizers[route.authorizerId] === undefined)
        issue.addIssue({ code: 'custom', path: ['routes', key, 'authorizerId'], message: `unknown authorizer "${route.authorizerId}"` })
    }
    checkMappings(api.basePathMappings, api.stages, issue)
  })

function checkMappings(mappings: readonly { stage: string }[], stages: Record<string, unknown>, issue: z.core.$RefinementCtx): void {
  mappings.forEach((m, i) => {
    if (stages[m.stage] === undefined) issue.addIssue({ code: 'custom', path: ['basePathMappings', i, 'stage'], message: `unknown stage "${m.stage}"` })
  })
}

/**
 * The whole definition: a REST API or an HTTP API, told apart by `protocol`
 * (the field name `importOpenApi()` uses).
 */
export const apiDefinitionSchema = z.discriminatedUnion('protocol', [restApiDefinitionSchema, httpApiDefinitionSchema])

/** A definition as written (defaults optional). */
export type ApiDefinitionInput = z.input<typeof apiDefinitionSchema>
/** A validated definition (defaults filled). */
export type ApiDefinition = z.output<typeof apiDefinitionSchema>
/** A validated REST API definition. */
export type RestApiDefinition = z.output<typeof restApiDefinitionSchema>
/** A validated HTTP API definition. */
export type HttpApiDefinition = z.output<typeof httpApiDefinitionSchema>
/** REST API definition as written. */
export type RestApiDefinitionInput = z.input<typeof restApiDefinitionSchema>
/** HTTP API definition as written. */
export type HttpApiDefinitionInput = z.input<typeof httpApiDefinitionSchema>
