import { stringify } from 'yaml'
import { rewriteModelRefs } from './model-refs.js'
import type { ApiDefinition, AuthorizerDefinition, IntegrationDefinition, RouteDefinition } from './api-definition.js'

/** Options of an export (§16.3). */
export interface ExportOptions {
  /** `extensions=apigateway`: include `x-amazon-apigateway-*` extensions. @default true */
  extensions?: boolean
  /** Server URL to publish (the stage invoke URL); by default the definition's `basePath`. */
  serverUrl?: string
}

const EXT = 'x-amazon-apigateway-'
const API_KEY_SCHEME = 'api_key'
const SIGV4_SCHEME = 'sigv4'
const PARAM_IN: Readonly<Record<string, string>> = { path: 'path', querystring: 'query', header: 'header' }

/**
 * Exports an {@link ApiDefinition} as an OpenAPI 3.0.1 document with API Gateway's extensions (§16.3): integrations,
 * any-method, authorizers, request validators, gateway responses, binary media types, API key source, policy, CORS.
 * `importOpenApiObject(exportOpenApi(d)).definition` deep-equals `d` for every imported definition.
 * @example
 * const doc = exportOpenApi(importOpenApiFile('api.yaml').definition)
 * writeFileSync('out.yaml', formatOpenApi(doc, 'yaml'))
 */
export function exportOpenApi(definition: ApiDefinition, options: ExportOptions = {}): Record<string, unknown> {
  const withExt = options.extensions !== false
  const info: Record<string, unknown> = { title: definition.name, version: definition.version ?? '' }
  if (definition.description !== undefined) info.description = definition.description
  const doc: Record<string, unknown> = { openapi: '3.0.1', info }

  const serverUrl = options.serverUrl ?? definition.basePath
  if (serverUrl !== undefined || (withExt && definition.endpointConfiguration !== undefined)) {
    const server: Record<string, unknown> = { url: serverUrl ?? '/' }
    if (withExt && definition.endpointConfiguration !== undefined) server[`${EXT}endpoint-configuration`] = definition.endpointConfiguration
    doc.servers = [server]
  }

  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of definition.routes) {
    const item = (paths[route.path] ??= {})
    item[route.method === 'ANY' ? `${EXT}any-method` : route.method.toLowerCase()] = exportOperation(route, withExt)
  }
  doc.paths = paths

  const components: Record<string, unknown> = {}
  if (Object.keys(definition.models).length > 0) {
    const schemas: Record<string, unknown> = {}
    for (const [name, schema] of Object.entries(definition.models)) schemas[name] = rewriteModelRefs(schema, /^#\/definitions\//, '#/components/schemas/')
    components.schemas = schemas
  }
  const schemes: Record<string, unknown> = {}
  if (definition.routes.some((r) => r.apiKeyRequired)) schemes[API_KEY_SCHEME] = { type: 'apiKey', name: 'x-api-key', in: 'header' }
  if (withExt && definition.routes.some((r) => r.authorizationType === 'AWS_IAM')) {
    schemes[SIGV4_SCHEME] = { type: 'apiKey', name: 'Authorization', in: 'header', [`${EXT}authtype`]: 'awsSigv4' }
  }
  if (withExt) for (const [name, authorizer] of Object.entries(definition.authorizers)) schemes[name] = exportAuthorizer(authorizer)
  if (Object.keys(schemes).length > 0) components.securitySchemes = schemes
  if (Object.keys(components).length > 0) doc.components = components

  if (withExt) {
    const root: Record<string, unknown> = {
      [`${EXT}api-key-source`]: definition.apiKeySource,
      [`${EXT}binary-media-types`]: definition.binaryMediaTypes,
      [`${EXT}minimum-compression-size`]: definition.minimumCompressionSize,
      [`${EXT}policy`]: definition.policy,
      [`${EXT}gateway-responses`]: definition.gatewayResponses,
      [`${EXT}request-validators`]: definition.requestValidators,
      [`${EXT}request-validator`]: definition.requestValidator,
      [`${EXT}cors`]: definition.cors,
      [`${EXT}importexport-version`]: definition.importExportVersion
    }
    for (const [key, value] of Object.entries(root)) if (value !== undefined) doc[key] = value
  }
  return doc
}

function exportOperation(route: RouteDefinition, withExt: boolean): Record<string, unknown> {
  const op: Record<string, unknown> = {}
  if (route.operationName !== undefined) op.operationId = route.operationName
  const parameters: Record<string, unknown>[] = []
  for (const [key, required] of Object.entries(route.requestParameters)) {
    const match = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(key)
    if (match === null) continue
    const where = PARAM_IN[match[1] ?? ''] ?? 'query'
    const param: Record<string, unknown> = { name: match[2], in: where }
    if (required || where === 'path') param.required = true
    param.schema = { type: 'string' }
    parameters.push(param)
  }
  if (parameters.length > 0) op.parameters = parameters
  if (Object.keys(route.requestModels).length > 0) {
    op.requestBody = { content: mediaMap(route.requestModels), required: true }
  }
  const responses: Record<string, unknown> = {}
  for (const [status, response] of Object.entries(route.methodResponses)) {
    const out: Record<string, unknown> = { description: `${status} response` }
    const headers: Record<string, unknown> = {}
    for (const [key, required] of Object.entries(response.responseParameters)) {
      const name = key.replace(/^method\.response\.header\./, '')
      headers[name] = required ? { required: true, schema: { type: 'string' } } : { schema: { type: 'string' } }
    }
    if (Object.keys(headers).length > 0) out.headers = headers
    if (Object.keys(response.responseModels).length > 0) out.content = mediaMap(response.responseModels)
    responses[status] = out
  }
  op.responses = responses
  const security: Record<string, string[]>[] = []
  if (route.authorizer !== undefined && withExt) security.push({ [route.authorizer]: route.authorizationScopes ?? [] })
  if (route.authorizationType === 'AWS_IAM' && withExt) security.push({ [SIGV4_SCHEME]: [] })
  if (route.apiKeyRequired) security.push({ [API_KEY_SCHEME]: [] })
  if (security.length > 0) op.security = security
  if (withExt) {
    if (route.isDefaultRoute === true) op.isDefaultRoute = true
    if (route.requestValidator !== undefined) op[`${EXT}request-validator`] = route.requestValidator
    if (route.integration !== undefined) op[`${EXT}integration`] = exportIntegration(route.integration)
  }
  return op
}

function mediaMap(models: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [type, name] of Object.entries(models)) out[type] = { schema: { $ref: `#/components/schemas/${name}` } }
  return out
}

/** AWS exports the lower-case spellings of `type` and `passthroughBehavior` (§16.2). */
function exportIntegration(integration: IntegrationDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = { ...integration, type: integration.type.toLowerCase() }
  if (integration.passthroughBehavior !== undefined) out.passthroughBehavior = integration.passthroughBehavior.toLowerCase()
  return out
}

function exportAuthorizer(authorizer: AuthorizerDefinition): Record<string, unknown> {
  const { authType, headerName, type, ...rest } = authorizer
  const scheme: Record<string, unknown> =
    headerName !== undefined
      ? { type: 'apiKey', name: headerName, in: 'header' }
      : type === 'JWT' || type === 'COGNITO_USER_POOLS'
        ? { type: 'oauth2', flows: {} }
        : { type: 'http', scheme: 'bearer' }
  if (authType !== undefined) scheme[`${EXT}authtype`] = authType
  scheme[`${EXT}authorizer`] = { type: type.toLowerCase(), ...rest }
  return scheme
}

/**
 * Serializes an exported document (`Accept: application/json` or `application/yaml`, §16.3).
 * @example
 * formatOpenApi(exportOpenApi(definition), 'json')
 */
export function formatOpenApi(document: Record<string, unknown>, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : stringify(document, { lineWidth: 0, aliasDuplicateObjects: false })
}
