import type { ApiDefinition, AuthorizerDefinition, IntegrationDefinition, RouteDefinition } from './api-definition.js'

/**
 * The input shape of `@gw/gateway`'s `apiDefinitionSchema` (REST `resources` / HTTP `routes`), as plain data.
 * Declared structurally so @gw/openapi does not pull @gw/gateway's runtime in; tests parse every converted fixture
 * with the gateway's schema.
 */
export type GatewayDefinitionInput = Record<string, unknown> & { protocol: 'REST' | 'HTTP'; name: string }

/** Stage settings passed through to the gateway definition (`stages` of REST or HTTP APIs, §6). */
export type GatewayStagesInput = Record<string, Record<string, unknown>>

const AUTHORIZER_FIELDS = [
  'authorizerUri',
  'authorizerCredentials',
  'identitySource',
  'identityValidationExpression',
  'authorizerResultTtlInSeconds',
  'authorizerPayloadFormatVersion',
  'enableSimpleResponses',
  'jwtConfiguration',
  'providerARNs'
] as const

/**
 * Converts an imported {@link ApiDefinition} into the definition `createGateway()` takes (@gw/gateway): REST methods
 * grouped into `resources[path].resourceMethods[METHOD]`, HTTP API routes keyed by route key (`GET /pets`,
 * `$default`), authorizers named by their security scheme. The root `x-amazon-apigateway-request-validator` becomes
 * each method's `requestValidatorId` unless the operation names its own (§5).
 * @example
 * const gateway = createGateway(toGatewayDefinition(importOpenApiFile('api.yaml').definition, { dev: {} }))
 */
export function toGatewayDefinition(definition: ApiDefinition, stages: GatewayStagesInput = {}): GatewayDefinitionInput {
  const authorizers: Record<string, Record<string, unknown>> = {}
  for (const [name, authorizer] of Object.entries(definition.authorizers)) authorizers[name] = authorizerInput(name, authorizer)
  const common: Record<string, unknown> = { name: definition.name, authorizers, stages }
  if (definition.description !== undefined) common.description = definition.description
  if (definition.version !== undefined) common.version = definition.version
  if (definition.endpointConfiguration?.disableExecuteApiEndpoint !== undefined) common.disableExecuteApiEndpoint = definition.endpointConfiguration.disableExecuteApiEndpoint

  if (definition.protocol === 'HTTP') {
    const routes: Record<string, Record<string, unknown>> = {}
    for (const route of definition.routes) {
      const key = route.path === '/$default' || route.isDefaultRoute === true ? '$default' : `${route.method} ${route.path}`
      const out: Record<string, unknown> = { authorizationType: route.authorizationType === 'COGNITO_USER_POOLS' ? 'JWT' : route.authorizationType }
      if (route.operationName !== undefined) out.operationName = route.operationName
      if (route.authorizer !== undefined) out.authorizerId = route.authorizer
      if (route.authorizationScopes !== undefined) out.authorizationScopes = route.authorizationScopes
      const params = Object.entries(route.requestParameters)
      if (params.length > 0) out.requestParameters = Object.fromEntries(params.map(([k, required]) => [k, { required }]))
      if (route.integration !== undefined) out.integration = integrationInput(route.integration)
      routes[key] = out
    }
    const api: GatewayDefinitionInput = { protocol: 'HTTP', ...common, name: definition.name, routes }
    if (definition.cors !== undefined) api.corsConfiguration = definition.cors
    return api
  }

  const resources: Record<string, { resourceMethods: Record<string, Record<string, unknown>> }> = {}
  for (const route of definition.routes) {
    const resource = (resources[route.path] ??= { resourceMethods: {} })
    resource.resourceMethods[route.method] = methodInput(route, definition.requestValidator)
  }
  const api: GatewayDefinitionInput = {
    protocol: 'REST',
    ...common,
    name: definition.name,
    resources,
    requestValidators: definition.requestValidators ?? {},
    models: definition.models,
    gatewayResponses: definition.gatewayResponses ?? {},
    binaryMediaTypes: definition.binaryMediaTypes ?? [],
    apiKeySource: definition.apiKeySource ?? 'HEADER'
  }
  if (definition.minimumCompressionSize !== undefined) api.minimumCompressionSize = definition.minimumCompressionSize
  if (definition.policy !== undefined) api.policy = definition.policy
  return api
}

function methodInput(route: RouteDefinition, defaultValidator: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {
    authorizationType: route.authorizationType,
    apiKeyRequired: route.apiKeyRequired,
    requestParameters: route.requestParameters,
    requestModels: route.requestModels,
    methodResponses: route.methodResponses
  }
  if (route.operationName !== undefined) out.operationName = route.operationName
  if (route.authorizer !== undefined) out.authorizerId = route.authorizer
  if (route.authorizationScopes !== undefined) out.authorizationScopes = route.authorizationScopes
  const validator = route.requestValidator ?? defaultValidator
  if (validator !== undefined) out.requestValidatorId = validator
  if (route.integration !== undefined) out.integration = integrationInput(route.integration)
  return out
}

function integrationInput(integration: IntegrationDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = { ...integration }
  if (integration.responses !== undefined) {
    // The gateway keeps the selection pattern beside the response too (§4.8); `default` has none.
    const responses: Record<string, unknown> = {}
    for (const [pattern, response] of Object.entries(integration.responses)) {
      responses[pattern] = pattern === 'default' ? { ...response } : { ...response, selectionPattern: pattern }
    }
    out.responses = responses
  }
  return out
}

function authorizerInput(name: string, authorizer: AuthorizerDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = { type: authorizer.type, name }
  for (const field of AUTHORIZER_FIELDS) if (authorizer[field] !== undefined) out[field] = authorizer[field]
  return out
}
