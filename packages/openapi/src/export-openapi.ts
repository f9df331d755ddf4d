import { stringify } from 'yaml'
import type { ApiDefinitionInput, AuthorizerDefinitionInput, HttpApiDefinitionInput, IntegrationDefinitionInput, MethodDefinitionInput, RestApiDefinitionInput, RouteDefinitionInput } from '@gw/gateway'
import { rewriteModelRefs } from './model-refs.js'

/** Options of an export (§16.3). */
export interface ExportOptions {
  /** `extensions=apigateway`: include `x-amazon-apigateway-*` extensions. @default true */
  extensions?: boolean
  /** Server URL to publish (the stage invoke URL); by default the definition's `basePath`. */
  serverUrl?: string
  /** `exports/oas30` (OpenAPI 3.0.1) or `exports/swagger` (Swagger 2.0). @default 'oas30' */
  format?: 'oas30' | 'swagger2'
}

/** One REST method or HTTP API route as the export walks it. */
interface ExportedOperation {
  method: string
  path: string
  operationName?: string | undefined
  authorizationType: string
  authorizerId?: string | undefined
  authorizationScopes?: string[] | undefined
  apiKeyRequired: boolean
  requestParameters: Record<string, boolean>
  requestModels: Record<string, string>
  methodResponses: Record<string, { responseParameters?: Record<string, boolean> | undefined; responseModels?: Record<string, string> | undefined }>
  requestValidatorId?: string | undefined
  integration?: IntegrationDefinitionInput | undefined
  isDefaultRoute: boolean
}

const EXT = 'x-amazon-apigateway-'
const API_KEY_SCHEME = 'api_key'
const SIGV4_SCHEME = 'sigv4'
const PARAM_IN: Readonly<Record<string, string>> = { path: 'path', querystring: 'query', header: 'header', multivaluequerystring: 'query', multivalueheader: 'header' }
/** The models every REST API has (§5.2): an export that names them must declare them. */
const BUILT_IN_MODELS: Readonly<Record<string, unknown>> = {
  Empty: { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Empty Schema', type: 'object' },
  Error: { $schema: 'http://json-schema.org/draft-04/schema#', title: 'Error Schema', type: 'object', properties: { message: { type: 'string' } } }
}

/**
 * Exports a gateway definition (what `createGateway()` takes: the input of @gw/gateway's `apiDefinitionSchema`, or
 * its parsed output) as an OpenAPI 3.0.1 or Swagger 2.0 document with API Gateway's extensions (§16.3):
 * integrations, any-method, authorizers, request validators, gateway responses, binary media types, API key source,
 * policy, endpoint configuration, CORS. Stages are not part of an export. For every definition `importOpenApi*()`
 * returns, `importOpenApiObject(exportOpenApi(d)).definition` deep-equals `d`.
 * @example
 * const doc = exportOpenApi(importOpenApiFile('api.yaml').definition)
 * writeFileSync('out.yaml', formatOpenApi(doc, 'yaml'))
 */
export function exportOpenApi(definition: ApiDefinitionInput, options: ExportOptions = {}): Record<string, unknown> {
  const withExt = options.extensions !== false
  const swagger = options.format === 'swagger2'
  const info: Record<string, unknown> = { title: definition.name, version: definition.version ?? '' }
  if (definition.description !== undefined) info.description = definition.description
  const doc: Record<string, unknown> = swagger ? { swagger: '2.0', info } : { openapi: '3.0.1', info }

  const endpoint: Record<string, unknown> = { ...definition.endpointConfiguration }
  if (definition.disableExecuteApiEndpoint === true) endpoint.disableExecuteApiEndpoint = true
  const withEndpoint = withExt && Object.keys(endpoint).length > 0
  const serverUrl = options.serverUrl ?? definition.basePath
  if (swagger) {
    if (serverUrl !== undefined) doc.basePath = serverUrl
  } else if (serverUrl !== undefined || withEndpoint) {
    const server: Record<string, unknown> = { url: serverUrl ?? '/' }
    if (withEndpoint) server[`${EXT}endpoint-configuration`] = endpoint
    doc.servers = [server]
  }

  const operations = definition.protocol === 'HTTP' ? httpOperations(definition) : restOperations(definition)
  const paths: Record<string, Record<string, unknown>> = {}
  for (const op of operations) {
    const item = (paths[op.path] ??= {})
    item[op.method === 'ANY' ? `${EXT}any-method` : op.method.toLowerCase()] = exportOperation(op, withExt, swagger, definition.protocol)
  }
  doc.paths = paths

  const models: Record<string, unknown> = definition.protocol === 'REST' ? { ...definition.models } : {}
  for (const op of operations) {
    const named = [...Object.values(op.requestModels), ...Object.values(op.methodResponses).flatMap((r) => Object.values(r.responseModels ?? {}))]
    for (const name of named) if (models[name] === undefined && BUILT_IN_MODELS[name] !== undefined) models[name] = BUILT_IN_MODELS[name]
  }
  const schemas: Record<string, unknown> = {}
  for (const [name, schema] of Object.entries(models)) schemas[name] = swagger ? schema : rewriteModelRefs(schema, /^#\/definitions\//, '#/components/schemas/')
  const schemes: Record<string, unknown> = {}
  if (operations.some((r) => r.apiKeyRequired)) schemes[API_KEY_SCHEME] = { type: 'apiKey', name: 'x-api-key', in: 'header' }
  if (withExt && operations.some((r) => r.authorizationType === 'AWS_IAM')) {
    schemes[SIGV4_SCHEME] = { type: 'apiKey', name: 'Authorization', in: 'header', [`${EXT}authtype`]: 'awsSigv4' }
  }
  if (withExt) {
    for (const [name, authorizer] of Object.entries(definition.authorizers ?? {})) if (authorizer.type !== 'AWS_IAM') schemes[name] = exportAuthorizer(authorizer, swagger)
  }
  if (swagger) {
    if (Object.keys(schemas).length > 0) doc.definitions = schemas
    if (Object.keys(schemes).length > 0) doc.securityDefinitions = schemes
  } else {
    const components: Record<string, unknown> = {}
    if (Object.keys(schemas).length > 0) components.schemas = schemas
    if (Object.keys(schemes).length > 0) components.securitySchemes = schemes
    if (Object.keys(components).length > 0) doc.components = components
  }

  if (withExt) {
    if (swagger && withEndpoint) doc[`${EXT}endpoint-configuration`] = endpoint
    const root: Record<string, unknown> =
      definition.protocol === 'REST'
        ? {
            [`${EXT}api-key-source`]: definition.apiKeySource,
            [`${EXT}binary-media-types`]: nonEmpty(definition.binaryMediaTypes),
            [`${EXT}minimum-compression-size`]: definition.minimumCompressionSize,
            [`${EXT}policy`]: definition.policy,
            [`${EXT}gateway-responses`]: nonEmpty(definition.gatewayResponses),
            [`${EXT}request-validators`]: nonEmpty(definition.requestValidators)
          }
        : {
            [`${EXT}cors`]: definition.corsConfiguration,
            // The marker tells an HTTP API document from a REST one on re-import (§16.2).
            [`${EXT}importexport-version`]: definition.importExportVersion ?? '1.0'
          }
    for (const [key, value] of Object.entries(root)) if (value !== undefined) doc[key] = value
  }
  return doc
}

function nonEmpty<T extends object>(value: T | undefined): T | undefined {
  return value === undefined || Object.keys(value).length === 0 ? undefined : value
}

function restOperations(definition: RestApiDefinitionInput): ExportedOperation[] {
  const out: ExportedOperation[] = []
  for (const [path, resource] of Object.entries(definition.resources ?? {})) {
    for (const [method, m] of Object.entries<MethodDefinitionInput | undefined>(resource.resourceMethods ?? {})) {
      if (m === undefined) continue
      out.push({
        method,
        path,
        operationName: m.operationName,
        authorizationType: m.authorizationType ?? 'NONE',
        authorizerId: m.authorizerId,
        authorizationScopes: m.authorizationScopes,
        apiKeyRequired: m.apiKeyRequired === true,
        requestParameters: m.requestParameters ?? {},
        requestModels: m.requestModels ?? {},
        methodResponses: m.methodResponses ?? {},
        requestValidatorId: m.requestValidatorId,
        integration: m.integration,
        isDefaultRoute: false
      })
    }
  }
  return out
}

function httpOperations(definition: HttpApiDefinitionInput): ExportedOperation[] {
  const out: ExportedOperation[] = []
  for (const [key, route] of Object.entries<RouteDefinitionInput>(definition.routes ?? {})) {
    const isDefault = key === '$default'
    const space = key.indexOf(' ')
    const requestParameters: Record<string, boolean> = {}
    for (const [name, p] of Object.entries(route.requestParameters ?? {})) requestParameters[name] = p.required
    out.push({
      method: isDefault ? 'ANY' : key.slice(0, space),
      path: isDefault ? '/$default' : key.slice(space + 1),
      operationName: route.operationName,
      authorizationType: route.authorizationType ?? 'NONE',
      authorizerId: route.authorizerId,
      authorizationScopes: route.authorizationScopes,
      apiKeyRequired: false,
      requestParameters,
      requestModels: {},
      methodResponses: {},
      integration: route.integration ?? (route.integrationId === undefined ? undefined : definition.integrations?.[route.integrationId]),
      isDefaultRoute: isDefault
    })
  }
  return out
}

function exportOperation(op: ExportedOperation, withExt: boolean, swagger: boolean, protocol: 'REST' | 'HTTP'): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (op.operationName !== undefined) out.operationId = op.operationName
  const parameters: Record<string, unknown>[] = []
  for (const [key, required] of Object.entries(op.requestParameters)) {
    const match = /^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$/.exec(key)
    if (match === null) continue
    const where = PARAM_IN[match[1] ?? ''] ?? 'query'
    const param: Record<string, unknown> = { name: match[2], in: where }
    if (required || where === 'path') param.required = true
    if (swagger) param.type = 'string'
    else param.schema = { type: 'string' }
    parameters.push(param)
  }
  const requestTypes = Object.keys(op.requestModels)
  if (swagger && requestTypes.length > 0) {
    // Swagger 2 has one body schema for all `consumes` types: the first model stands for all of them.
    out.consumes = requestTypes
    parameters.push({ in: 'body', name: 'body', required: true, schema: modelRef(Object.values(op.requestModels)[0] ?? '', swagger) })
  }
  if (parameters.length > 0) out.parameters = parameters
  if (!swagger && requestTypes.length > 0) out.requestBody = { content: mediaMap(op.requestModels), required: true }
  const responses: Record<string, unknown> = {}
  const produces = new Set<string>()
  for (const [status, response] of Object.entries(op.methodResponses)) {
    const entry: Record<string, unknown> = { description: `${status} response` }
    const headers: Record<string, unknown> = {}
    for (const [key, required] of Object.entries(response.responseParameters ?? {})) {
      const name = key.replace(/^method\.response\.header\./, '')
      const schema = swagger ? { type: 'string' } : { schema: { type: 'string' } }
      headers[name] = required ? { required: true, ...schema } : schema
    }
    if (Object.keys(headers).length > 0) entry.headers = headers
    const models = response.responseModels ?? {}
    if (Object.keys(models).length > 0) {
      if (swagger) {
        for (const type of Object.keys(models)) produces.add(type)
        entry.schema = modelRef(Object.values(models)[0] ?? '', swagger)
      } else entry.content = mediaMap(models)
    }
    responses[status] = entry
  }
  if (swagger && produces.size > 0) out.produces = [...produces]
  // HTTP APIs have no method responses; AWS writes a default one (OpenAPI requires `responses`).
  if (protocol === 'HTTP' && Object.keys(responses).length === 0) responses.default = { description: 'Default response' }
  out.responses = responses
  const security: Record<string, string[]>[] = []
  if (op.authorizerId !== undefined && withExt) security.push({ [op.authorizerId]: op.authorizationScopes ?? [] })
  if (op.authorizationType === 'AWS_IAM' && withExt) security.push({ [SIGV4_SCHEME]: [] })
  if (op.apiKeyRequired) security.push({ [API_KEY_SCHEME]: [] })
  if (security.length > 0) out.security = security
  if (withExt) {
    if (op.isDefaultRoute) out.isDefaultRoute = true
    if (op.requestValidatorId !== undefined) out[`${EXT}request-validator`] = op.requestValidatorId
    if (op.integration !== undefined) out[`${EXT}integration`] = exportIntegration(op.integration)
  }
  return out
}

function modelRef(name: string, swagger: boolean): Record<string, string> {
  return { $ref: `${swagger ? '#/definitions/' : '#/components/schemas/'}${name}` }
}

function mediaMap(models: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [type, name] of Object.entries(models)) out[type] = { schema: modelRef(name, false) }
  return out
}

/**
 * `x-amazon-apigateway-integration` (§16.2): AWS exports the lower-case spellings of `type` and `passthroughBehavior`;
 * integration responses are keyed by selection pattern (`default`: none, §4.8), whether the definition keys them
 * that way (`responses`) or by status code (`integrationResponses`, the AWS API shape).
 */
function exportIntegration(integration: IntegrationDefinitionInput): Record<string, unknown> {
  const { integrationResponses, responses, ...rest } = integration
  const out: Record<string, unknown> = { ...rest, type: integration.type.toLowerCase() }
  if (integration.passthroughBehavior !== undefined) out.passthroughBehavior = integration.passthroughBehavior.toLowerCase()
  const byPattern: Record<string, unknown> = {}
  for (const [key, response] of Object.entries(responses ?? {})) {
    const { selectionPattern, ...fields } = response
    byPattern[selectionPattern === undefined || selectionPattern === '' ? key : selectionPattern] = fields
  }
  for (const response of Object.values(integrationResponses ?? {})) {
    const { selectionPattern, ...fields } = response
    byPattern[selectionPattern === undefined || selectionPattern === '' ? 'default' : selectionPattern] = fields
  }
  if (responses !== undefined || integrationResponses !== undefined) out.responses = byPattern
  return out
}

/**
 * A security scheme carrying `x-amazon-apigateway-authorizer` (§16.2): JWT authorizers as OAuth 2 schemes (OAS 3),
 * the others as the header `apiKey` scheme AWS exports, named after the header a TOKEN authorizer reads.
 */
function exportAuthorizer(authorizer: AuthorizerDefinitionInput, swagger: boolean): Record<string, unknown> {
  const { authType, name: _name, type, identitySource, ...rest } = authorizer
  const source = Array.isArray(identitySource) ? identitySource.join(', ') : identitySource
  const header = /(?:method\.request|\$request)\.header\.([^,\s]+)/.exec(source ?? '')?.[1] ?? 'Authorization'
  const scheme: Record<string, unknown> = type === 'JWT' && !swagger ? { type: 'oauth2', flows: {} } : { type: 'apiKey', name: header, in: 'header' }
  if (authType !== undefined) scheme[`${EXT}authtype`] = authType
  const body: Record<string, unknown> = { type: type.toLowerCase() }
  if (source !== undefined) body.identitySource = source
  scheme[`${EXT}authorizer`] = { ...body, ...rest }
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
