import { isGatewayResponseType } from '@gw/core'
import type {
  ApiDefinitionInput,
  AuthorizerDefinitionInput,
  HttpApiDefinitionInput,
  IntegrationDefinitionInput,
  MethodDefinitionInput,
  RestApiDefinitionInput,
  RouteDefinitionInput
} from '@gw/gateway'
import { OpenApiInvalid } from './errors.js'
import { toPointer } from './json-pointer.js'
import { asRecord, asString, asStringArray, asStringMap, setDefined } from './read-helpers.js'
import { rewriteModelRefs } from './model-refs.js'
import { resolveRefs } from './resolve-refs.js'
import { loadSourceFile, nearestLine, parseSourceText, type SourceDocument } from './source-document.js'

/** Options of an import (the query options of `POST /restapis?mode=import`, §16.1). */
export interface ImportOptions {
  /** Force REST or HTTP API; by default HTTP when an HTTP-only extension is present (§16.2). */
  protocol?: 'REST' | 'HTTP'
  /** `failonwarnings`: turn the first warning into an error. @default false */
  failOnWarnings?: boolean
  /** `basepath`: `ignore` keeps paths and records `basePath`; `prepend` prefixes paths; `split` drops the first segment (the stage) and prefixes the rest. @default 'ignore' */
  basePath?: 'ignore' | 'prepend' | 'split'
  /** `endpointConfigurationTypes`: the endpoint type; when given it replaces the document's `types`. */
  endpointConfigurationTypes?: 'EDGE' | 'REGIONAL' | 'PRIVATE'
}

/** A non-fatal finding of an import: an unsupported or ignored part, with its JSON pointer. */
export interface ImportWarning {
  /** JSON pointer into the document (`#/paths/~1pets/get/x-amazon-apigateway-documentation`). */
  pointer: string
  /** 1-based line when known. */
  line?: number
  message: string
}

/** What an import returns. */
export interface ImportResult {
  /**
   * The API as `createGateway()` of @gw/gateway takes it (the input of its `apiDefinitionSchema`): REST methods under
   * `resources[path].resourceMethods[METHOD]`, HTTP API routes under `routes[routeKey]`. No `stages`: add them
   * (`{ ...definition, stages: { dev: {} } }`).
   */
  definition: ApiDefinitionInput
  /** Unsupported or ignored parts, each with its JSON pointer; never silently dropped. */
  warnings: ImportWarning[]
  /** Which dialect the document was. */
  format: 'swagger2' | 'oas30' | 'oas31'
}

/** `endpointConfiguration` as a definition writes it (its defaults are the gateway's to fill). */
type EndpointConfiguration = NonNullable<ApiDefinitionInput['endpointConfiguration']>
type AuthorizationType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'COGNITO_USER_POOLS' | 'JWT'
type MethodResponse = { responseParameters: Record<string, boolean>; responseModels: Record<string, string> }
type IntegrationResponse = NonNullable<IntegrationDefinitionInput['responses']>[string]

/** One operation as read, before it is placed as a REST method or an HTTP API route. */
interface Operation {
  method: string
  path: string
  operationName?: string
  authorizationType: AuthorizationType
  authorizerId?: string
  authorizationScopes?: string[]
  apiKeyRequired: boolean
  requestParameters: Record<string, boolean>
  requestModels: Record<string, string>
  methodResponses: Record<string, MethodResponse>
  requestValidatorId?: string
  integration?: IntegrationDefinitionInput
  isDefaultRoute?: boolean
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const
const ANY_METHOD = 'x-amazon-apigateway-any-method'
const EXT = 'x-amazon-apigateway-'
/** §16.1: alphanumerics `_ - . , :` and whole-segment `{param}` / trailing `{proxy+}`. */
const PATH_PATTERN = /^\/$|^(?:\/(?:\{[A-Za-z0-9_.-]+\}|[A-Za-z0-9_.,:-]+))*(?:\/\{[A-Za-z0-9_.-]+\+\})?$/
const MODEL_NAME = /^[A-Za-z0-9]+$/
const MODEL_REF_PREFIX = /^#\/(?:definitions|components\/schemas)\//
const INTEGRATION_TYPES = new Set(['AWS', 'AWS_PROXY', 'HTTP', 'HTTP_PROXY', 'MOCK'])
const PASSTHROUGH = new Set(['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'])
const CONTENT_HANDLING = new Set(['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'])
const ENDPOINT_TYPES = new Set(['EDGE', 'REGIONAL', 'PRIVATE'])
const INTEGRATION_KEYS = new Set([
  'type', 'uri', 'httpMethod', 'credentials', 'requestParameters', 'requestTemplates', 'passthroughBehavior',
  'contentHandling', 'timeoutInMillis', 'cacheNamespace', 'cacheKeyParameters', 'connectionType', 'connectionId',
  'tlsConfig', 'responses', 'payloadFormatVersion', 'integrationSubtype', 'responseParameters'
])
const AUTHORIZER_TYPES: Readonly<Record<string, AuthorizerDefinitionInput['type']>> = {
  token: 'TOKEN',
  request: 'REQUEST',
  cognito_user_pools: 'COGNITO_USER_POOLS',
  jwt: 'JWT'
}
const HTTP_ONLY = ['x-amazon-apigateway-importexport-version', 'x-amazon-apigateway-cors'] as const
/** Root extensions of REST APIs that an HTTP API has no field for (§16.2: "REST unless noted"). */
const REST_ONLY = ['api-key-source', 'binary-media-types', 'minimum-compression-size', 'policy', 'gateway-responses', 'request-validators', 'request-validator'] as const

type Path = (string | number)[]
type SchemeKind = { kind: 'authorizer'; type: AuthorizationType } | { kind: 'apiKey' } | { kind: 'iam' }

/**
 * Imports an OpenAPI 3.0 / 3.1 or Swagger 2.0 file (YAML or JSON) with its `x-amazon-apigateway-*` extensions
 * (§16.1, §16.2) into the definition `createGateway()` takes. Relative-file and local `$ref`s are resolved.
 * @throws GwError GW_OPENAPI_INVALID (message: `file:line: #/pointer: why`), GW_OPENAPI_REF
 * @example
 * const { definition, warnings } = importOpenApiFile('./petstore.yaml')
 * const gateway = createGateway({ ...definition, stages: { dev: {} } })
 */
export function importOpenApiFile(file: string, options: ImportOptions = {}): ImportResult {
  return importSourceDocument(loadSourceFile(file), options)
}

/**
 * Imports OpenAPI text (YAML or JSON). `file` labels messages and anchors relative `$ref`s.
 * @throws GwError GW_OPENAPI_INVALID, GW_OPENAPI_REF
 * @example
 * importOpenApiText(readFileSync('api.yaml', 'utf8'), 'api.yaml')
 */
export function importOpenApiText(text: string, file = 'openapi.yaml', options: ImportOptions = {}): ImportResult {
  return importSourceDocument(parseSourceText(text, file), options)
}

/**
 * Imports an already-parsed OpenAPI object (e.g. the output of `exportOpenApi()`).
 * @throws GwError GW_OPENAPI_INVALID, GW_OPENAPI_REF
 * @example
 * importOpenApiObject(exportOpenApi(definition))
 */
export function importOpenApiObject(value: unknown, options: ImportOptions = {}, file = 'openapi.json'): ImportResult {
  return importSourceDocument({ file, value, lineOf: () => undefined }, options)
}

function importSourceDocument(source: SourceDocument, options: ImportOptions): ImportResult {
  const resolved = resolveRefs(source)
  return new Importer(source, resolved, options).run()
}

class Importer {
  readonly warnings: ImportWarning[] = []
  readonly handled = new Set<string>()
  readonly schemes = new Map<string, SchemeKind>()
  format: ImportResult['format'] = 'oas30'
  protocol: 'REST' | 'HTTP' = 'REST'
  /** Root fields shared by both protocols, and the REST-only ones (dropped with a warning on HTTP APIs). */
  readonly root: Record<string, unknown> = {}
  readonly models: Record<string, unknown> = {}
  readonly authorizers: Record<string, AuthorizerDefinitionInput> = {}
  readonly requestValidators: Record<string, { validateRequestBody: boolean; validateRequestParameters: boolean }> = {}
  /** Root `x-amazon-apigateway-request-validator`: becomes the `requestValidatorId` of every method without its own (§5). */
  defaultValidator: string | undefined
  endpoint: (EndpointConfiguration & { disableExecuteApiEndpoint?: boolean }) | undefined
  readonly operations: Operation[] = []

  readonly source: SourceDocument
  readonly doc: unknown
  readonly options: ImportOptions

  constructor(source: SourceDocument, doc: unknown, options: ImportOptions) {
    this.source = source
    this.doc = doc
    this.options = options
  }

  fail(path: Path, message: string): never {
    throw OpenApiInvalid(`${this.where(path)}: ${toPointer(path)}: ${message}`)
  }

  where(path: Path): string {
    const line = this.line(path)
    return line === undefined ? this.source.file : `${this.source.file}:${String(line)}`
  }

  line(path: Path): number | undefined {
    return nearestLine(this.source, path)
  }

  warn(path: Path, message: string): void {
    const warning: ImportWarning = { pointer: toPointer(path), message }
    setDefined(warning, 'line', this.line(path))
    if (this.options.failOnWarnings === true) this.fail(path, `${message} (failOnWarnings)`)
    this.warnings.push(warning)
  }

  ext(record: Record<string, unknown>, path: Path, name: string): unknown {
    const value = record[name]
    if (value !== undefined) this.handled.add(toPointer([...path, name]))
    return value
  }

  run(): ImportResult {
    const root = asRecord(this.doc) ?? this.fail([], 'the document is not an object')
    const swagger = asString(root.swagger)
    const openapi = asString(root.openapi)
    if (swagger !== undefined) {
      if (swagger !== '2.0') this.fail(['swagger'], `unsupported Swagger version '${swagger}', expected '2.0'`)
      this.format = 'swagger2'
    } else if (openapi !== undefined && /^3\.0\.\d+/.test(openapi)) this.format = 'oas30'
    else if (openapi !== undefined && /^3\.1\.\d+/.test(openapi)) this.format = 'oas31'
    else this.fail(openapi === undefined ? [] : ['openapi'], `not an OpenAPI 3.0/3.1 or Swagger 2.0 document (openapi: ${openapi ?? 'missing'})`)

    const http = HTTP_ONLY.some((name) => root[name] !== undefined)
    this.protocol = this.options.protocol ?? (http ? 'HTTP' : 'REST')
    const info = asRecord(root.info) ?? {}
    const common: Record<string, unknown> = { name: asString(info.title) ?? this.fail(['info', 'title'], 'info.title is required (it is the API name)') }
    // An empty version is how an export says "none" (OpenAPI requires the field).
    const version = asString(info.version)
    if (version !== undefined && version !== '') common.version = version
    setDefined(common, 'description', asString(info.description))

    this.readRoot(root)
    this.readModels(root)
    this.readSecuritySchemes(root)
    const basePath = this.readBasePath(root)
    this.readPaths(root, basePath)
    this.reportUnhandled(root, [])

    if (basePath === undefined && this.root.basePath !== undefined) common.basePath = this.root.basePath
    const types = this.options.endpointConfigurationTypes === undefined ? this.endpoint?.types : [this.options.endpointConfigurationTypes]
    const endpoint: EndpointConfiguration = {}
    setDefined(endpoint, 'types', types)
    setDefined(endpoint, 'vpcEndpointIds', this.endpoint?.vpcEndpointIds)
    if (Object.keys(endpoint).length > 0) common.endpointConfiguration = endpoint
    // `false` is the default: not recording it keeps import → export → import exact.
    if (this.endpoint?.disableExecuteApiEndpoint === true) common.disableExecuteApiEndpoint = true
    if (Object.keys(this.authorizers).length > 0) common.authorizers = this.authorizers
    const definition = this.protocol === 'HTTP' ? this.httpDefinition(common) : this.restDefinition(common)
    return { definition, warnings: this.warnings, format: this.format }
  }

  restDefinition(common: Record<string, unknown>): RestApiDefinitionInput {
    const resources: NonNullable<RestApiDefinitionInput['resources']> = {}
    for (const op of this.operations) {
      const method: MethodDefinitionInput = {
        // readAuthorizer refuses JWT authorizers on REST APIs, so no REST method is JWT-authorized.
        authorizationType: op.authorizationType as Exclude<AuthorizationType, 'JWT'>,
        apiKeyRequired: op.apiKeyRequired,
        requestParameters: op.requestParameters,
        requestModels: op.requestModels,
        methodResponses: op.methodResponses
      }
      setDefined(method, 'operationName', op.operationName)
      setDefined(method, 'authorizerId', op.authorizerId)
      setDefined(method, 'authorizationScopes', op.authorizationScopes)
      setDefined(method, 'requestValidatorId', op.requestValidatorId ?? this.defaultValidator)
      setDefined(method, 'integration', op.integration)
      const resource = (resources[op.path] ??= { resourceMethods: {} })
      ;(resource.resourceMethods ??= {})[op.method as 'GET'] = method
    }
    const models: Record<string, unknown> = {}
    for (const [name, schema] of Object.entries(this.models)) models[name] = rewriteModelRefs(schema, MODEL_REF_PREFIX, '#/definitions/')
    const api: RestApiDefinitionInput = { protocol: 'REST', ...(common as { name: string }), resources }
    if (Object.keys(models).length > 0) api.models = models
    if (Object.keys(this.requestValidators).length > 0) api.requestValidators = this.requestValidators
    for (const key of ['apiKeySource', 'binaryMediaTypes', 'minimumCompressionSize', 'policy', 'gatewayResponses'] as const) {
      if (this.root[key] !== undefined) (api as Record<string, unknown>)[key] = this.root[key]
    }
    return api
  }

  httpDefinition(common: Record<string, unknown>): HttpApiDefinitionInput {
    const routes: NonNullable<HttpApiDefinitionInput['routes']> = {}
    for (const op of this.operations) {
      const key = op.path === '/$default' || op.isDefaultRoute === true ? '$default' : `${op.method} ${op.path}`
      // HTTP APIs authorize Cognito user pools as JWT issuers (§10.7).
      const route: RouteDefinitionInput = { authorizationType: op.authorizationType === 'COGNITO_USER_POOLS' ? 'JWT' : op.authorizationType }
      setDefined(route, 'operationName', op.operationName)
      setDefined(route, 'authorizerId', op.authorizerId)
      setDefined(route, 'authorizationScopes', op.authorizationScopes)
      const params = Object.entries(op.requestParameters)
      if (params.length > 0) route.requestParameters = Object.fromEntries(params.map(([name, required]) => [name, { required }]))
      setDefined(route, 'integration', op.integration)
      routes[key] = route
    }
    const api: HttpApiDefinitionInput = { protocol: 'HTTP', ...(common as { name: string }), routes }
    setDefined(api, 'corsConfiguration', this.root.cors as HttpApiDefinitionInput['corsConfiguration'])
    // An HTTP API export always carries the version marker (§16.3); recording it keeps import → export → import exact.
    api.importExportVersion = (this.root.importExportVersion as string | undefined) ?? '1.0'
    return api
  }

  readRoot(root: Record<string, unknown>): void {
    const out = this.root
    if (this.protocol === 'HTTP') {
      for (const name of REST_ONLY) {
        const key = `${EXT}${name}`
        if (this.ext(root, [], key) !== undefined) this.warn([key], `'${key}' is a REST API extension; HTTP APIs have no such setting (§16.2); ignored`)
      }
    } else {
      for (const key of HTTP_ONLY) {
        if (this.ext(root, [], key) !== undefined) this.warn([key], `'${key}' is an HTTP API extension; ignored on a REST API (§16.2)`)
      }
    }
    const keySource = this.protocol === 'REST' ? this.ext(root, [], `${EXT}api-key-source`) : undefined
    if (keySource !== undefined) {
      const value = asString(keySource)?.toUpperCase()
      if (value !== 'HEADER' && value !== 'AUTHORIZER') this.fail([`${EXT}api-key-source`], "must be 'HEADER' or 'AUTHORIZER' (§9.2)")
      out.apiKeySource = value
    }
    const binary = this.protocol === 'REST' ? this.ext(root, [], `${EXT}binary-media-types`) : undefined
    if (binary !== undefined) {
      const types = asStringArray(binary) ?? this.fail([`${EXT}binary-media-types`], 'must be an array of media types')
      if (types.length > 0) out.binaryMediaTypes = types
    }
    const compression = this.protocol === 'REST' ? this.ext(root, [], `${EXT}minimum-compression-size`) : undefined
    if (compression !== undefined) {
      if (typeof compression !== 'number' || !Number.isInteger(compression) || compression < 0 || compression > 10_485_760) {
        this.fail([`${EXT}minimum-compression-size`], 'must be an integer from 0 to 10485760 (§17.5)')
      }
      out.minimumCompressionSize = compression
    }
    const policy = this.protocol === 'REST' ? this.ext(root, [], `${EXT}policy`) : undefined
    if (policy !== undefined) {
      if (asRecord(policy) === undefined || !Array.isArray(asRecord(policy)?.Statement)) this.fail([`${EXT}policy`], 'must be an IAM policy document with a Statement array (§10.9)')
      out.policy = policy
    }
    const endpoint = this.ext(root, [], `${EXT}endpoint-configuration`)
    if (endpoint !== undefined) this.endpoint = this.readEndpoint(endpoint, [`${EXT}endpoint-configuration`])
    const responses = this.protocol === 'REST' ? this.ext(root, [], `${EXT}gateway-responses`) : undefined
    if (responses !== undefined) {
      const read = this.readGatewayResponses(responses, [`${EXT}gateway-responses`])
      if (Object.keys(read).length > 0) out.gatewayResponses = read
    }
    const validators = this.protocol === 'REST' ? this.ext(root, [], `${EXT}request-validators`) : undefined
    if (validators !== undefined) Object.assign(this.requestValidators, this.readValidators(validators, [`${EXT}request-validators`]))
    const validator = this.protocol === 'REST' ? this.ext(root, [], `${EXT}request-validator`) : undefined
    if (validator !== undefined) this.defaultValidator = this.readValidatorName(validator, [`${EXT}request-validator`])
    const cors = this.protocol === 'HTTP' ? this.ext(root, [], `${EXT}cors`) : undefined
    if (cors !== undefined) out.cors = this.readCors(cors, [`${EXT}cors`])
    const version = this.protocol === 'HTTP' ? this.ext(root, [], `${EXT}importexport-version`) : undefined
    if (version !== undefined) out.importExportVersion = asString(version) ?? this.fail([`${EXT}importexport-version`], "must be a string such as '1.0'")
  }

  readEndpoint(value: unknown, path: Path): EndpointConfiguration & { disableExecuteApiEndpoint?: boolean } {
    const record = asRecord(value) ?? this.fail(path, 'must be an object')
    const out: EndpointConfiguration & { disableExecuteApiEndpoint?: boolean } = {}
    if (record.types !== undefined) {
      const types = asStringArray(record.types)?.map((t) => t.toUpperCase())
      if (types === undefined || types.some((t) => !ENDPOINT_TYPES.has(t))) this.fail([...path, 'types'], "must be an array of 'EDGE', 'REGIONAL' or 'PRIVATE' (§16.1)")
      out.types = types as NonNullable<EndpointConfiguration['types']>
    }
    if (record.disableExecuteApiEndpoint !== undefined) {
      if (typeof record.disableExecuteApiEndpoint !== 'boolean') this.fail([...path, 'disableExecuteApiEndpoint'], 'must be a boolean')
      out.disableExecuteApiEndpoint = record.disableExecuteApiEndpoint
    }
    if (record.vpcEndpointIds !== undefined) out.vpcEndpointIds = asStringArray(record.vpcEndpointIds) ?? this.fail([...path, 'vpcEndpointIds'], 'must be an array of strings')
    for (const key of Object.keys(record)) {
      if (key !== 'types' && key !== 'disableExecuteApiEndpoint' && key !== 'vpcEndpointIds') this.warn([...path, key], `unknown endpoint configuration field '${key}' ignored`)
    }
    return out
  }

  readGatewayResponses(value: unknown, path: Path): Record<string, { statusCode?: string; responseParameters?: Record<string, string>; responseTemplates?: Record<string, string> }> {
    const record = asRecord(value) ?? this.fail(path, 'must be a map of response type → response')
    const out: Record<string, { statusCode?: string; responseParameters?: Record<string, string>; responseTemplates?: Record<string, string> }> = {}
    for (const [type, raw] of Object.entries(record)) {
      if (!isGatewayResponseType(type)) this.fail([...path, type], `unknown gateway response type '${type}' (§12.1)`)
      const response = asRecord(raw) ?? this.fail([...path, type], 'must be an object')
      const custom: { statusCode?: string; responseParameters?: Record<string, string>; responseTemplates?: Record<string, string> } = {}
      if (response.statusCode !== undefined) {
        const status = asString(response.statusCode)
        if (status === undefined || !/^[1-5]\d\d$/.test(status)) this.fail([...path, type, 'statusCode'], 'must be an HTTP status code')
        custom.statusCode = status
      }
      if (response.responseParameters !== undefined) {
        custom.responseParameters = asStringMap(response.responseParameters) ?? this.fail([...path, type, 'responseParameters'], 'must map gatewayresponse.header.{Name} to a source')
      }
      if (response.responseTemplates !== undefined) {
        custom.responseTemplates = asStringMap(response.responseTemplates) ?? this.fail([...path, type, 'responseTemplates'], 'must map content types to templates')
      }
      out[type] = custom
    }
    return out
  }

  readValidators(value: unknown, path: Path): Record<string, { validateRequestBody: boolean; validateRequestParameters: boolean }> {
    const record = asRecord(value) ?? this.fail(path, 'must be a map of name → validator')
    const out: Record<string, { validateRequestBody: boolean; validateRequestParameters: boolean }> = {}
    for (const [name, raw] of Object.entries(record)) {
      const validator = asRecord(raw) ?? this.fail([...path, name], 'must be an object')
      for (const key of ['validateRequestBody', 'validateRequestParameters'] as const) {
        if (validator[key] !== undefined && typeof validator[key] !== 'boolean') this.fail([...path, name, key], 'must be a boolean')
      }
      out[name] = { validateRequestBody: validator.validateRequestBody === true, validateRequestParameters: validator.validateRequestParameters === true }
    }
    return out
  }

  readValidatorName(value: unknown, path: Path): string {
    const name = asString(value) ?? this.fail(path, 'must be a validator name')
    if (this.requestValidators[name] === undefined) this.fail(path, `validator '${name}' is not declared in x-amazon-apigateway-request-validators`)
    return name
  }

  readCors(value: unknown, path: Path): Record<string, unknown> {
    const record = asRecord(value) ?? this.fail(path, 'must be an object')
    const out: Record<string, unknown> = {}
    for (const key of ['allowOrigins', 'exposeHeaders', 'allowMethods', 'allowHeaders'] as const) {
      if (record[key] !== undefined) out[key] = asStringArray(record[key]) ?? this.fail([...path, key], 'must be an array of strings')
    }
    if (record.allowCredentials !== undefined) {
      if (typeof record.allowCredentials !== 'boolean') this.fail([...path, 'allowCredentials'], 'must be a boolean')
      out.allowCredentials = record.allowCredentials
    }
    if (record.maxAge !== undefined) {
      if (typeof record.maxAge !== 'number' || !Number.isInteger(record.maxAge) || record.maxAge < -1 || record.maxAge > 86_400) this.fail([...path, 'maxAge'], 'must be an integer from -1 to 86400 (§11.2)')
      out.maxAge = record.maxAge
    }
    if (out.allowCredentials === true && (out.allowOrigins as string[] | undefined)?.includes('*') === true) this.fail([...path, 'allowCredentials'], "allowCredentials cannot be combined with allowOrigins '*' (§11.2)")
    for (const key of Object.keys(record)) {
      if (!(key in out)) this.warn([...path, key], `unknown CORS field '${key}' ignored`)
    }
    return out
  }

  readModels(root: Record<string, unknown>): void {
    const container = this.format === 'swagger2' ? root.definitions : asRecord(root.components)?.schemas
    const base: Path = this.format === 'swagger2' ? ['definitions'] : ['components', 'schemas']
    if (container === undefined) return
    const record = asRecord(container) ?? this.fail(base, 'must be a map of model name → schema')
    for (const [name, schema] of Object.entries(record)) {
      if (!MODEL_NAME.test(name)) this.fail([...base, name], `model name '${name}' must be alphanumeric (§16.1)`)
      if (asRecord(schema) === undefined) this.fail([...base, name], 'a model must be a JSON schema object')
      this.models[name] = schema
    }
  }

  readSecuritySchemes(root: Record<string, unknown>): void {
    const base: Path = this.format === 'swagger2' ? ['securityDefinitions'] : ['components', 'securitySchemes']
    const container = this.format === 'swagger2' ? root.securityDefinitions : asRecord(root.components)?.securitySchemes
    if (container === undefined) return
    const record = asRecord(container) ?? this.fail(base, 'must be a map of scheme name → scheme')
    for (const [name, raw] of Object.entries(record)) {
      const path = [...base, name]
      const scheme = asRecord(raw) ?? this.fail(path, 'must be an object')
      const authType = asString(this.ext(scheme, path, `${EXT}authtype`))
      const authorizerRaw = this.ext(scheme, path, `${EXT}authorizer`)
      if (authorizerRaw !== undefined) {
        const authorizer = this.readAuthorizer(name, authorizerRaw, [...path, `${EXT}authorizer`], scheme)
        setDefined(authorizer, 'authType', authType)
        this.authorizers[name] = authorizer
        const type: AuthorizationType = authorizer.type === 'COGNITO_USER_POOLS' ? 'COGNITO_USER_POOLS' : authorizer.type === 'JWT' ? 'JWT' : 'CUSTOM'
        this.schemes.set(name, { kind: 'authorizer', type })
      } else if (authType?.toLowerCase() === 'awssigv4') {
        this.schemes.set(name, { kind: 'iam' })
      } else if (scheme.type === 'apiKey') {
        this.schemes.set(name, { kind: 'apiKey' })
      } else {
        this.warn(path, `security scheme type '${asString(scheme.type) ?? '?'}' without x-amazon-apigateway-authorizer is not supported; only apiKey schemes are (§16.1)`)
      }
    }
  }

  readAuthorizer(name: string, value: unknown, path: Path, scheme: Record<string, unknown>): AuthorizerDefinitionInput {
    const record = asRecord(value) ?? this.fail(path, 'must be an object')
    const rawType = asString(record.type)?.toLowerCase()
    const type = rawType === undefined ? undefined : AUTHORIZER_TYPES[rawType]
    if (type === undefined) this.fail([...path, 'type'], "must be 'token', 'request', 'cognito_user_pools' or 'jwt' (§16.2)")
    if (type === 'JWT' && this.protocol === 'REST') this.fail([...path, 'type'], "a jwt authorizer belongs to an HTTP API (§10.7); REST APIs use cognito_user_pools or a Lambda authorizer")
    const out: AuthorizerDefinitionInput = { type, name }
    const strings = ['authorizerUri', 'authorizerCredentials', 'identitySource', 'identityValidationExpression'] as const
    for (const key of strings) {
      if (record[key] !== undefined) out[key] = asString(record[key]) ?? this.fail([...path, key], 'must be a string')
    }
    if (record.authorizerPayloadFormatVersion !== undefined) {
      const version = asString(record.authorizerPayloadFormatVersion)
      if (version !== '1.0' && version !== '2.0') this.fail([...path, 'authorizerPayloadFormatVersion'], "must be '1.0' or '2.0' (§10.5)")
      out.authorizerPayloadFormatVersion = version
    }
    if (record.authorizerResultTtlInSeconds !== undefined) {
      const ttl = record.authorizerResultTtlInSeconds
      if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 3600) this.fail([...path, 'authorizerResultTtlInSeconds'], 'must be an integer from 0 to 3600 (§10)')
      out.authorizerResultTtlInSeconds = ttl
    }
    if (record.enableSimpleResponses !== undefined) {
      if (typeof record.enableSimpleResponses !== 'boolean') this.fail([...path, 'enableSimpleResponses'], 'must be a boolean')
      out.enableSimpleResponses = record.enableSimpleResponses
    }
    if (record.providerARNs !== undefined) out.providerARNs = asStringArray(record.providerARNs) ?? this.fail([...path, 'providerARNs'], 'must be an array of user pool ARNs')
    if (record.jwtConfiguration !== undefined) {
      const jwt = asRecord(record.jwtConfiguration) ?? this.fail([...path, 'jwtConfiguration'], 'must be an object')
      const config: { issuer?: string; audience?: string[] } = {}
      if (jwt.issuer !== undefined) config.issuer = asString(jwt.issuer) ?? this.fail([...path, 'jwtConfiguration', 'issuer'], 'must be a string')
      if (jwt.audience !== undefined) config.audience = asStringArray(jwt.audience) ?? this.fail([...path, 'jwtConfiguration', 'audience'], 'must be an array of strings')
      out.jwtConfiguration = config
    }
    if ((type === 'TOKEN' || type === 'REQUEST') && out.authorizerUri === undefined) this.fail([...path, 'authorizerUri'], 'a Lambda authorizer needs authorizerUri')
    if (type === 'COGNITO_USER_POOLS' && out.providerARNs === undefined) this.fail([...path, 'providerARNs'], 'a Cognito authorizer needs providerARNs')
    if (type === 'JWT' && out.jwtConfiguration?.issuer === undefined) this.fail([...path, 'jwtConfiguration', 'issuer'], 'a JWT authorizer needs jwtConfiguration.issuer')
    // A TOKEN authorizer reads the header its apiKey scheme names (§10.2).
    const headerName = scheme.type === 'apiKey' && scheme.in === 'header' ? asString(scheme.name) : undefined
    if (type === 'TOKEN' && out.identitySource === undefined && headerName !== undefined) out.identitySource = `method.request.header.${headerName}`
    for (const key of Object.keys(record)) {
      if (!['type', ...strings, 'authorizerPayloadFormatVersion', 'authorizerResultTtlInSeconds', 'enableSimpleResponses', 'providerARNs', 'jwtConfiguration'].includes(key)) {
        this.warn([...path, key], `unknown authorizer field '${key}' ignored`)
      }
    }
    return out
  }

  readBasePath(root: Record<string, unknown>): string | undefined {
    let basePath: string | undefined
    if (this.format === 'swagger2') {
      basePath = asString(root.basePath)
    } else if (Array.isArray(root.servers)) {
      root.servers.forEach((raw, index) => {
        const server = asRecord(raw)
        if (server === undefined) return
        const endpoint = this.ext(server, ['servers', index], `${EXT}endpoint-configuration`)
        if (endpoint !== undefined) this.endpoint = this.readEndpoint(endpoint, ['servers', index, `${EXT}endpoint-configuration`])
        if (index !== 0) return
        let url = asString(server.url) ?? ''
        const variables = asRecord(server.variables) ?? {}
        url = url.replace(/\{([^}]+)\}/g, (_, name: string) => asString(asRecord(variables[name])?.default) ?? '')
        const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '')
        basePath = path === '' ? undefined : path.startsWith('/') ? path.replace(/\/{2,}/g, '/') : `/${path}`
      })
    }
    if (basePath === undefined || basePath === '/' || basePath === '') return undefined
    const mode = this.options.basePath ?? 'ignore'
    if (mode === 'ignore') {
      this.root.basePath = basePath
      return undefined
    }
    if (mode === 'split') {
      const rest = basePath.split('/').filter(Boolean).slice(1)
      return rest.length === 0 ? undefined : `/${rest.join('/')}`
    }
    return basePath.replace(/\/$/, '')
  }

  readPaths(root: Record<string, unknown>, prefix: string | undefined): void {
    const paths = asRecord(root.paths) ?? this.fail(['paths'], 'paths is required and must be an object')
    const rootSecurity = root.security
    if (rootSecurity !== undefined && this.protocol === 'REST') {
      this.warn(['security'], 'root-level security is ignored for REST APIs; declare security per operation (§16.1)')
    }
    for (const [rawPath, rawItem] of Object.entries(paths)) {
      const base: Path = ['paths', rawPath]
      const isDefault = rawPath === '/$default'
      if (!isDefault && !PATH_PATTERN.test(rawPath)) {
        this.fail(base, `path '${rawPath}' is not valid: segments are alphanumerics, _ - . , : or a whole {param} (§16.1)`)
      }
      const item = asRecord(rawItem) ?? this.fail(base, 'a path item must be an object')
      const shared: unknown[] = Array.isArray(item.parameters) ? (item.parameters as unknown[]) : []
      const path = prefix === undefined || isDefault ? rawPath : rawPath === '/' ? prefix : `${prefix}${rawPath}`
      for (const key of Object.keys(item)) {
        const lower = key.toLowerCase()
        const method = key === ANY_METHOD ? 'ANY' : (METHODS as readonly string[]).includes(lower) ? lower.toUpperCase() : undefined
        if (method === undefined) {
          if (!['parameters', 'summary', 'description', 'servers'].includes(key) && !key.startsWith(EXT)) this.warn([...base, key], `'${key}' is not an API Gateway method; ignored`)
          continue
        }
        if (key === ANY_METHOD) this.handled.add(toPointer([...base, key]))
        const op = asRecord(item[key]) ?? this.fail([...base, key], 'an operation must be an object')
        this.operations.push(this.readOperation(op, [...base, key], method, path, shared, rootSecurity))
      }
    }
  }

  readOperation(op: Record<string, unknown>, path: Path, method: string, routePath: string, shared: unknown[], rootSecurity: unknown): Operation {
    const route: Operation = { method, path: routePath, apiKeyRequired: false, authorizationType: 'NONE', requestParameters: {}, requestModels: {}, methodResponses: {} }
    setDefined(route, 'operationName', asString(op.operationId))
    if (op.isDefaultRoute === true) route.isDefaultRoute = true
    const own: unknown[] = Array.isArray(op.parameters) ? (op.parameters as unknown[]) : []
    this.readParameters(route, [...shared, ...own], path, op)
    // HTTP APIs have no models or method responses: request bodies and responses are ignored, as AWS does (§16.2 "info").
    if (this.protocol === 'REST') {
      if (this.format !== 'swagger2' && op.requestBody !== undefined) {
        const content = asRecord(asRecord(op.requestBody)?.content) ?? {}
        for (const [type, media] of Object.entries(content)) {
          const schema = asRecord(media)?.schema
          if (schema !== undefined) route.requestModels[type] = this.modelFor(schema, [...path, 'requestBody', 'content', type, 'schema'], route, 'Request')
        }
      }
      this.readResponses(route, op, path)
    }
    const security = op.security ?? (this.protocol === 'HTTP' ? rootSecurity : undefined)
    if (security !== undefined) this.readSecurity(route, security, op.security === undefined ? ['security'] : [...path, 'security'])
    const auth = this.ext(op, path, `${EXT}auth`)
    if (auth !== undefined) {
      const type = asString(asRecord(auth)?.type)?.toUpperCase()
      if (type !== 'NONE' && type !== 'AWS_IAM') this.fail([...path, `${EXT}auth`, 'type'], "must be 'NONE' or 'AWS_IAM'")
      route.authorizationType = type
      if (type === 'NONE') delete route.authorizerId
    }
    const validator = this.ext(op, path, `${EXT}request-validator`)
    if (validator !== undefined) {
      if (this.protocol === 'HTTP') this.warn([...path, `${EXT}request-validator`], 'HTTP APIs do not validate requests (§5); ignored')
      else route.requestValidatorId = this.readValidatorName(validator, [...path, `${EXT}request-validator`])
    }
    const integration = this.ext(op, path, `${EXT}integration`)
    if (integration !== undefined) route.integration = this.readIntegration(integration, [...path, `${EXT}integration`])
    else this.warn(path, 'operation has no x-amazon-apigateway-integration; the method is created without an integration')
    return route
  }

  readParameters(route: Operation, parameters: unknown[], path: Path, op: Record<string, unknown>): void {
    const location: Readonly<Record<string, string>> = { path: 'path', query: 'querystring', header: 'header' }
    parameters.forEach((raw, index) => {
      const param = asRecord(raw) ?? this.fail([...path, 'parameters', index], 'a parameter must be an object')
      const where = asString(param.in)
      const name = asString(param.name) ?? this.fail([...path, 'parameters', index, 'name'], 'a parameter needs a name')
      if (where === 'body') {
        if (this.protocol === 'HTTP') return
        const consumes = asStringArray(op.consumes) ?? asStringArray(asRecord(this.doc)?.consumes) ?? ['application/json']
        for (const type of consumes) route.requestModels[type] = this.modelFor(param.schema ?? {}, [...path, 'parameters', index, 'schema'], route, 'Request')
        return
      }
      const mapped = where === undefined ? undefined : location[where]
      if (mapped === undefined) {
        this.warn([...path, 'parameters', index], `parameters in '${where ?? '?'}' are not supported by API Gateway; ignored (§16.1)`)
        return
      }
      route.requestParameters[`method.request.${mapped}.${name}`] = where === 'path' || param.required === true
    })
  }

  readResponses(route: Operation, op: Record<string, unknown>, path: Path): void {
    const responses = asRecord(op.responses) ?? {}
    const produces = asStringArray(op.produces) ?? asStringArray(asRecord(this.doc)?.produces) ?? ['application/json']
    for (const [status, raw] of Object.entries(responses)) {
      const rpath = [...path, 'responses', status]
      if (!/^[1-5]\d\d$/.test(status)) {
        this.warn(rpath, `response '${status}' is not a status code; API Gateway ignores it`)
        continue
      }
      const response = asRecord(raw) ?? this.fail(rpath, 'a response must be an object')
      const out: MethodResponse = { responseParameters: {}, responseModels: {} }
      for (const [header, rawHeader] of Object.entries(asRecord(response.headers) ?? {})) {
        out.responseParameters[`method.response.header.${header}`] = asRecord(rawHeader)?.required === true
      }
      if (this.format === 'swagger2') {
        if (response.schema !== undefined) {
          for (const type of produces) out.responseModels[type] = this.modelFor(response.schema, [...rpath, 'schema'], route, `Response${status}`)
        }
      } else {
        for (const [type, media] of Object.entries(asRecord(response.content) ?? {})) {
          const schema = asRecord(media)?.schema
          if (schema !== undefined) out.responseModels[type] = this.modelFor(schema, [...rpath, 'content', type, 'schema'], route, `Response${status}`)
        }
      }
      route.methodResponses[status] = out
    }
  }

  /** A model name for a schema: the referenced model, or a new model named after the method for an inline schema. */
  modelFor(schema: unknown, path: Path, route: Operation, suffix: string): string {
    const ref = asString(asRecord(schema)?.$ref)
    if (ref !== undefined && MODEL_REF_PREFIX.test(ref)) return ref.replace(MODEL_REF_PREFIX, '')
    if (asRecord(schema) === undefined) this.fail(path, 'a schema must be an object')
    const words = `${route.method} ${route.path}`.split(/[^A-Za-z0-9]+/).filter(Boolean)
    const name = `${words.map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('')}${suffix}`
    this.models[name] = schema
    return name
  }

  readSecurity(route: Operation, value: unknown, path: Path): void {
    if (!Array.isArray(value)) this.fail(path, 'security must be an array of requirement objects')
    value.forEach((raw, index) => {
      const requirement = asRecord(raw) ?? this.fail([...path, index], 'a security requirement must be an object')
      for (const [name, scopes] of Object.entries(requirement)) {
        const scheme = this.schemes.get(name)
        if (scheme === undefined) this.fail([...path, index, name], `security scheme '${name}' is not declared`)
        if (scheme.kind === 'apiKey') {
          if (this.protocol === 'HTTP') this.warn([...path, index, name], 'HTTP APIs have no API keys (§9); ignored')
          else route.apiKeyRequired = true
        } else if (scheme.kind === 'iam') route.authorizationType = 'AWS_IAM'
        else {
          route.authorizationType = scheme.type
          route.authorizerId = name
          const list = asStringArray(scopes) ?? []
          if (list.length > 0) route.authorizationScopes = list
        }
      }
    })
  }

  readIntegration(value: unknown, path: Path): IntegrationDefinitionInput {
    const record = asRecord(value) ?? this.fail(path, 'must be an object')
    const type = asString(record.type)?.toUpperCase()
    if (type === undefined || !INTEGRATION_TYPES.has(type)) this.fail([...path, 'type'], "must be one of aws, aws_proxy, http, http_proxy, mock (§16.2)")
    const out: IntegrationDefinitionInput = { type: type as IntegrationDefinitionInput['type'] }
    for (const key of ['uri', 'credentials', 'cacheNamespace', 'connectionId', 'integrationSubtype'] as const) {
      if (record[key] !== undefined) out[key] = asString(record[key]) ?? this.fail([...path, key], 'must be a string')
    }
    if (record.payloadFormatVersion !== undefined) {
      const version = asString(record.payloadFormatVersion)
      if (version !== '1.0' && version !== '2.0') this.fail([...path, 'payloadFormatVersion'], "must be '1.0' or '2.0' (§2)")
      out.payloadFormatVersion = version
    }
    if (record.httpMethod !== undefined) out.httpMethod = (asString(record.httpMethod) ?? this.fail([...path, 'httpMethod'], 'must be a string')).toUpperCase()
    if (out.type !== 'MOCK' && out.uri === undefined && out.integrationSubtype === undefined) this.fail([...path, 'uri'], `a ${out.type} integration needs uri`)
    if (record.requestParameters !== undefined) out.requestParameters = asStringMap(record.requestParameters) ?? this.fail([...path, 'requestParameters'], 'must map integration.request.* to sources')
    if (record.requestTemplates !== undefined) out.requestTemplates = asStringMap(record.requestTemplates) ?? this.fail([...path, 'requestTemplates'], 'must map content types to templates')
    if (record.passthroughBehavior !== undefined) {
      const behavior = asString(record.passthroughBehavior)?.toUpperCase()
      if (behavior === undefined || !PASSTHROUGH.has(behavior)) this.fail([...path, 'passthroughBehavior'], 'must be when_no_match, when_no_templates or never (§4.6)')
      out.passthroughBehavior = behavior as NonNullable<IntegrationDefinitionInput['passthroughBehavior']>
    }
    if (record.contentHandling !== undefined) out.contentHandling = this.readContentHandling(record.contentHandling, [...path, 'contentHandling'])
    if (record.timeoutInMillis !== undefined) {
      const timeout = record.timeoutInMillis
      if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 50 || timeout > 300_000) this.fail([...path, 'timeoutInMillis'], 'must be an integer of at least 50 ms and at most 300000 (§3.1)')
      out.timeoutInMillis = timeout
    }
    if (record.cacheKeyParameters !== undefined) out.cacheKeyParameters = asStringArray(record.cacheKeyParameters) ?? this.fail([...path, 'cacheKeyParameters'], 'must be an array of method.request.* names')
    if (record.connectionType !== undefined) {
      const connection = asString(record.connectionType)?.toUpperCase()
      if (connection !== 'INTERNET' && connection !== 'VPC_LINK') this.fail([...path, 'connectionType'], "must be 'INTERNET' or 'VPC_LINK'")
      out.connectionType = connection
    }
    if ((out.type === 'HTTP' || out.type === 'HTTP_PROXY') && out.connectionType !== 'VPC_LINK' && out.uri !== undefined && !/^https?:\/\//.test(out.uri)) {
      this.fail([...path, 'uri'], `an ${out.type} integration uri must be an http(s) URL, got '${out.uri}'`)
    }
    if (record.tlsConfig !== undefined) {
      const tls = asRecord(record.tlsConfig) ?? this.fail([...path, 'tlsConfig'], 'must be an object')
      const config: { insecureSkipVerification?: boolean; serverNameToVerify?: string } = {}
      if (typeof tls.insecureSkipVerification === 'boolean') config.insecureSkipVerification = tls.insecureSkipVerification
      setDefined(config, 'serverNameToVerify', asString(tls.serverNameToVerify))
      out.tlsConfig = config
    }
    if (record.responses !== undefined) {
      const responses = asRecord(record.responses) ?? this.fail([...path, 'responses'], 'must map selection patterns to responses')
      const map: Record<string, IntegrationResponse> = {}
      for (const [pattern, rawResponse] of Object.entries(responses)) {
        const rpath = [...path, 'responses', pattern]
        const response = asRecord(rawResponse) ?? this.fail(rpath, 'must be an object')
        const statusCode = asString(response.statusCode)
        if (statusCode === undefined || !/^[1-5]\d\d$/.test(statusCode)) this.fail([...rpath, 'statusCode'], 'must be an HTTP status code (§4.8)')
        // The key is the selection pattern (`default`: none), as the gateway reads it (§4.8).
        const entry: IntegrationResponse = { statusCode }
        if (response.responseParameters !== undefined) entry.responseParameters = asStringMap(response.responseParameters) ?? this.fail([...rpath, 'responseParameters'], 'must map method.response.header.* to sources')
        if (response.responseTemplates !== undefined) entry.responseTemplates = asStringMap(response.responseTemplates) ?? this.fail([...rpath, 'responseTemplates'], 'must map content types to templates')
        if (response.contentHandling !== undefined) entry.contentHandling = this.readContentHandling(response.contentHandling, [...rpath, 'contentHandling'])
        map[pattern] = entry
      }
      out.responses = map
    }
    if (record.responseParameters !== undefined) {
      // HTTP API response mappings: status code → `overwrite:header.x` … (§3.7).
      const statuses = asRecord(record.responseParameters) ?? this.fail([...path, 'responseParameters'], 'must map status codes to parameter mappings')
      const map: Record<string, Record<string, string>> = {}
      for (const [status, mapping] of Object.entries(statuses)) map[status] = asStringMap(mapping) ?? this.fail([...path, 'responseParameters', status], 'must map response parameters to sources')
      out.responseParameters = map
    }
    for (const key of Object.keys(record)) {
      if (!INTEGRATION_KEYS.has(key)) this.warn([...path, key], `unknown integration field '${key}' ignored`)
    }
    return out
  }

  readContentHandling(value: unknown, path: Path): 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT' {
    const handling = asString(value)?.toUpperCase()
    if (handling === undefined || !CONTENT_HANDLING.has(handling)) this.fail(path, 'must be CONVERT_TO_BINARY or CONVERT_TO_TEXT (§17.4)')
    return handling as 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT'
  }

  /** Every `x-amazon-apigateway-*` key not consumed above becomes a warning with its pointer (never a silent drop). */
  reportUnhandled(node: unknown, path: Path): void {
    if (Array.isArray(node)) {
      node.forEach((item, index) => this.reportUnhandled(item, [...path, index]))
      return
    }
    const record = asRecord(node)
    if (record === undefined) return
    for (const [key, value] of Object.entries(record)) {
      const here = [...path, key]
      if (key.startsWith(EXT)) {
        if (this.handled.has(toPointer(here))) continue
        if (key === `${EXT}integrations` && path.length === 1 && path[0] === 'components') continue
        this.warn(here, `extension '${key}' is not supported and was ignored`)
        continue
      }
      this.reportUnhandled(value, here)
    }
  }
}
