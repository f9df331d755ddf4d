import { isGatewayResponseType, type GatewayResponseCustomization, type GatewayResponseType } from '@gw/core'
import type {
  ApiDefinition,
  AuthorizationType,
  AuthorizerDefinition,
  CorsConfiguration,
  EndpointConfiguration,
  ImportWarning,
  IntegrationDefinition,
  IntegrationResponse,
  MethodResponse,
  RequestValidator,
  RouteDefinition
} from './api-definition.js'
import { OpenApiInvalid } from './errors.js'
import { toPointer } from './json-pointer.js'
import { asRecord, asString, asStringArray, asStringMap, setDefined } from './read-helpers.js'
import { rewriteModelRefs } from './model-refs.js'
import { resolveRefs } from './resolve-refs.js'
import { loadSourceFile, parseSourceText, type SourceDocument } from './source-document.js'

/** Options of an import (the query options of `POST /restapis?mode=import`, §16.1). */
export interface ImportOptions {
  /** Force REST or HTTP API; by default HTTP when an HTTP-only extension is present (§16.2). */
  protocol?: 'REST' | 'HTTP'
  /** `failonwarnings`: turn the first warning into an error. @default false */
  failOnWarnings?: boolean
  /** `basepath`: `ignore` keeps paths and records `basePath`; `prepend` prefixes paths; `split` drops the first segment (the stage) and prefixes the rest. @default 'ignore' */
  basePath?: 'ignore' | 'prepend' | 'split'
}

/** What an import returns. */
export interface ImportResult {
  definition: ApiDefinition
  /** Unsupported or ignored parts, each with its JSON pointer; never silently dropped. */
  warnings: ImportWarning[]
  /** Which dialect the document was. */
  format: 'swagger2' | 'oas30' | 'oas31'
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
const INTEGRATION_KEYS = new Set([
  'type', 'uri', 'httpMethod', 'credentials', 'requestParameters', 'requestTemplates', 'passthroughBehavior',
  'contentHandling', 'timeoutInMillis', 'cacheNamespace', 'cacheKeyParameters', 'connectionType', 'connectionId',
  'tlsConfig', 'responses', 'payloadFormatVersion', 'integrationSubtype'
])
const AUTHORIZER_TYPES: Readonly<Record<string, AuthorizerDefinition['type']>> = {
  token: 'TOKEN',
  request: 'REQUEST',
  cognito_user_pools: 'COGNITO_USER_POOLS',
  jwt: 'JWT'
}
const HTTP_ONLY = ['x-amazon-apigateway-importexport-version', 'x-amazon-apigateway-cors'] as const

type Path = (string | number)[]
type SchemeKind = { kind: 'authorizer'; type: AuthorizationType } | { kind: 'apiKey' } | { kind: 'iam' }

/**
 * Imports an OpenAPI 3.0 / 3.1 or Swagger 2.0 file (YAML or JSON) with its `x-amazon-apigateway-*` extensions
 * (§16.1, §16.2) into an {@link ApiDefinition}. Relative-file and local `$ref`s are resolved.
 * @throws GwError GW_OPENAPI_INVALID (message: `file:line: #/pointer: why`), GW_OPENAPI_REF
 * @example
 * const { definition, warnings } = importOpenApiFile('./petstore.yaml')
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
  readonly definition: ApiDefinition = { protocol: 'REST', name: '', models: {}, authorizers: {}, routes: [] }

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
    for (let n = path.length; n >= 0; n--) {
      const line = this.source.lineOf(path.slice(0, n))
      if (line !== undefined) return line
    }
    return undefined
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

    const def = this.definition
    const http = HTTP_ONLY.some((name) => root[name] !== undefined)
    def.protocol = this.options.protocol ?? (http ? 'HTTP' : 'REST')
    // An HTTP API export always carries the version marker (§16.3); recording it keeps import → export → import exact.
    if (def.protocol === 'HTTP' && root[`${EXT}importexport-version`] === undefined) def.importExportVersion = '1.0'
    const info = asRecord(root.info) ?? {}
    def.name = asString(info.title) ?? this.fail(['info', 'title'], 'info.title is required (it is the API name)')
    // An empty version is how an export says "none" (OpenAPI requires the field).
    const version = asString(info.version)
    if (version !== undefined && version !== '') def.version = version
    setDefined(def, 'description', asString(info.description))

    this.readRoot(root)
    this.readModels(root)
    this.readSecuritySchemes(root)
    const basePath = this.readBasePath(root)
    this.readPaths(root, basePath)
    this.reportUnhandled(root, [])
    for (const [name, schema] of Object.entries(def.models)) def.models[name] = rewriteModelRefs(schema, MODEL_REF_PREFIX, '#/definitions/')
    return { definition: def, warnings: this.warnings, format: this.format }
  }

  readRoot(root: Record<string, unknown>): void {
    const def = this.definition
    const keySource = this.ext(root, [], `${EXT}api-key-source`)
    if (keySource !== undefined) {
      const value = asString(keySource)?.toUpperCase()
      if (value !== 'HEADER' && value !== 'AUTHORIZER') this.fail([`${EXT}api-key-source`], "must be 'HEADER' or 'AUTHORIZER' (§9.2)")
      def.apiKeySource = value
    }
    const binary = this.ext(root, [], `${EXT}binary-media-types`)
    if (binary !== undefined) {
      def.binaryMediaTypes = asStringArray(binary) ?? this.fail([`${EXT}binary-media-types`], 'must be an array of media types')
    }
    const compression = this.ext(root, [], `${EXT}minimum-compression-size`)
    if (compression !== undefined) {
      if (typeof compression !== 'number' || !Number.isInteger(compression) || compression < 0 || compression > 10_485_760) {
        this.fail([`${EXT}minimum-compression-size`], 'must be an integer from 0 to 10485760 (§17.5)')
      }
      def.minimumCompressionSize = compression
    }
    const policy = this.ext(root, [], `${EXT}policy`)
    if (policy !== undefined) {
      if (asRecord(policy) === undefined || !Array.isArray(asRecord(policy)?.Statement)) this.fail([`${EXT}policy`], 'must be an IAM policy document with a Statement array (§10.9)')
      def.policy = policy
    }
    const endpoint = this.ext(root, [], `${EXT}endpoint-configuration`)
    if (endpoint !== undefined) def.endpointConfiguration = this.readEndpoint(endpoint, [`${EXT}endpoint-configuration`])
    const responses = this.ext(root, [], `${EXT}gateway-responses`)
    if (responses !== undefined) def.gatewayResponses = this.readGatewayResponses(responses, [`${EXT}gateway-responses`])
    const validators = this.ext(root, [], `${EXT}request-validators`)
    if (validators !== undefined) def.requestValidators = this.readValidators(validators, [`${EXT}request-validators`])
    const validator = this.ext(root, [], `${EXT}request-validator`)
    if (validator !== undefined) def.requestValidator = this.readValidatorName(validator, [`${EXT}request-validator`])
    const cors = this.ext(root, [], `${EXT}cors`)
    if (cors !== undefined) def.cors = this.readCors(cors, [`${EXT}cors`])
    const version = this.ext(root, [], `${EXT}importexport-version`)
    if (version !== undefined) def.importExportVersion = asString(version) ?? this.fail([`${EXT}importexport-version`], "must be a string such as '1.0'")
  }

  readEndpoint(value: unknown, path: Path): EndpointConfiguration {
    const record = asRecord(value) ?? this.fail(path, 'must be an object')
    const out: EndpointConfiguration = {}
    if (record.types !== undefined) out.types = asStringArray(record.types) ?? this.fail([...path, 'types'], 'must be an array of strings')
    if (record.disableExecuteApiEndpoint !== undefined) {
      if (typeof record.disableExecuteApiEndpoint !== 'boolean') this.fail([...path, 'disableExecuteApiEndpoint'], 'must be a boolean')
      out.disableExecuteApiEndpoint = record.disableExecuteApiEndpoint
    }
    if (record.vpcEndpointIds !== undefined) out.vpcEndpointIds = asStringArray(record.vpcEndpointIds) ?? this.fail([...path, 'vpcEndpointIds'], 'must be an array of strings')
    return out
  }

  readGatewayResponses(value: unknown, path: Path): Partial<Record<GatewayResponseType, GatewayResponseCustomization>> {
    const record = asRecord(value) ?? this.fail(path, 'must be a map of response type → response')
    const out: Partial<Record<GatewayResponseType, GatewayResponseCustomization>> = {}
    for (const [type, raw] of Object.entries(record)) {
      if (!isGatewayResponseType(type)) this.fail([...path, type], `unknown gateway response type '${type}' (§12.1)`)
      const response = asRecord(raw) ?? this.fail([...path, type], 'must be an object')
      const custom: GatewayResponseCustomization = {}
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

  readValidators(value: unknown, path: Path): Record<string, RequestValidator> {
    const record = asRecord(value) ?? this.fail(path, 'must be a map of name → validator')
    const out: Record<string, RequestValidator> = {}
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
    if (this.definition.requestValidators?.[name] === undefined) this.fail(path, `validator '${name}' is not declared in x-amazon-apigateway-request-validators`)
    return name
  }

  readCors(value: unknown, path: Path): CorsConfiguration {
    const record = asRecord(value) ?? this.fail(path, 'must be an object')
    const out: CorsConfiguration = {}
    for (const key of ['allowOrigins', 'exposeHeaders', 'allowMethods', 'allowHeaders'] as const) {
      if (record[key] !== undefined) out[key] = asStringArray(record[key]) ?? this.fail([...path, key], 'must be an array of strings')
    }
    if (record.allowCredentials !== undefined) {
      if (typeof record.allowCredentials !== 'boolean') this.fail([...path, 'allowCredentials'], 'must be a boolean')
      out.allowCredentials = record.allowCredentials
    }
    if (record.maxAge !== undefined) {
      if (typeof record.maxAge !== 'number' || !Number.isInteger(record.maxAge) || record.maxAge < 0 || record.maxAge > 86_400) this.fail([...path, 'maxAge'], 'must be an integer from 0 to 86400 (§11.2)')
      out.maxAge = record.maxAge
    }
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
      this.definition.models[name] = schema
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
        const authorizer = this.readAuthorizer(authorizerRaw, [...path, `${EXT}authorizer`], scheme)
        setDefined(authorizer, 'authType', authType)
        this.definition.authorizers[name] = authorizer
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

  readAuthorizer(value: unknown, path: Path, scheme: Record<string, unknown>): AuthorizerDefinition {
    const record = asRecord(value) ?? this.fail(path, 'must be an object')
    const rawType = asString(record.type)?.toLowerCase()
    const type = rawType === undefined ? undefined : AUTHORIZER_TYPES[rawType]
    if (type === undefined) this.fail([...path, 'type'], "must be 'token', 'request', 'cognito_user_pools' or 'jwt' (§16.2)")
    const out: AuthorizerDefinition = { type }
    const strings = ['authorizerUri', 'authorizerCredentials', 'identitySource', 'identityValidationExpression', 'authorizerPayloadFormatVersion'] as const
    for (const key of strings) {
      if (record[key] !== undefined) out[key] = asString(record[key]) ?? this.fail([...path, key], 'must be a string')
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
    const headerName = scheme.type === 'apiKey' && scheme.in === 'header' ? asString(scheme.name) : undefined
    setDefined(out, 'headerName', headerName)
    if (type === 'TOKEN' && out.identitySource === undefined && headerName !== undefined) out.identitySource = `method.request.header.${headerName}`
    for (const key of Object.keys(record)) {
      if (!['type', ...strings, 'authorizerResultTtlInSeconds', 'enableSimpleResponses', 'providerARNs', 'jwtConfiguration'].includes(key)) {
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
        if (endpoint !== undefined) this.definition.endpointConfiguration = this.readEndpoint(endpoint, ['servers', index, `${EXT}endpoint-configuration`])
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
      this.definition.basePath = basePath
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
    if (rootSecurity !== undefined && this.definition.protocol === 'REST') {
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
        this.definition.routes.push(this.readOperation(op, [...base, key], method, path, shared, rootSecurity))
      }
    }
  }

  readOperation(op: Record<string, unknown>, path: Path, method: string, routePath: string, shared: unknown[], rootSecurity: unknown): RouteDefinition {
    const route: RouteDefinition = { method, path: routePath, apiKeyRequired: false, authorizationType: 'NONE', requestParameters: {}, requestModels: {}, methodResponses: {} }
    setDefined(route, 'operationName', asString(op.operationId))
    if (op.isDefaultRoute === true) route.isDefaultRoute = true
    const own: unknown[] = Array.isArray(op.parameters) ? (op.parameters as unknown[]) : []
    this.readParameters(route, [...shared, ...own], path, op)
    if (this.format !== 'swagger2' && op.requestBody !== undefined) {
      const content = asRecord(asRecord(op.requestBody)?.content) ?? {}
      for (const [type, media] of Object.entries(content)) {
        const schema = asRecord(media)?.schema
        if (schema !== undefined) route.requestModels[type] = this.modelFor(schema, [...path, 'requestBody', 'content', type, 'schema'], route, 'Request')
      }
    }
    this.readResponses(route, op, path)
    const security = op.security ?? (this.definition.protocol === 'HTTP' ? rootSecurity : undefined)
    if (security !== undefined) this.readSecurity(route, security, op.security === undefined ? ['security'] : [...path, 'security'])
    const auth = this.ext(op, path, `${EXT}auth`)
    if (auth !== undefined) {
      const type = asString(asRecord(auth)?.type)?.toUpperCase()
      if (type !== 'NONE' && type !== 'AWS_IAM') this.fail([...path, `${EXT}auth`, 'type'], "must be 'NONE' or 'AWS_IAM'")
      route.authorizationType = type
      if (type === 'NONE') delete route.authorizer
    }
    const validator = this.ext(op, path, `${EXT}request-validator`)
    if (validator !== undefined) route.requestValidator = this.readValidatorName(validator, [...path, `${EXT}request-validator`])
    const integration = this.ext(op, path, `${EXT}integration`)
    if (integration !== undefined) route.integration = this.readIntegration(integration, [...path, `${EXT}integration`])
    else this.warn(path, 'operation has no x-amazon-apigateway-integration; the method is created without an integration')
    return route
  }

  readParameters(route: RouteDefinition, parameters: unknown[], path: Path, op: Record<string, unknown>): void {
    const location: Readonly<Record<string, string>> = { path: 'path', query: 'querystring', header: 'header' }
    parameters.forEach((raw, index) => {
      const param = asRecord(raw) ?? this.fail([...path, 'parameters', index], 'a parameter must be an object')
      const where = asString(param.in)
      const name = asString(param.name) ?? this.fail([...path, 'parameters', index, 'name'], 'a parameter needs a name')
      if (where === 'body') {
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

  readResponses(route: RouteDefinition, op: Record<string, unknown>, path: Path): void {
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
  modelFor(schema: unknown, path: Path, route: RouteDefinition, suffix: string): string {
    const ref = asString(asRecord(schema)?.$ref)
    if (ref !== undefined && MODEL_REF_PREFIX.test(ref)) return ref.replace(MODEL_REF_PREFIX, '')
    if (asRecord(schema) === undefined) this.fail(path, 'a schema must be an object')
    const words = `${route.method} ${route.path}`.split(/[^A-Za-z0-9]+/).filter(Boolean)
    const name = `${words.map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('')}${suffix}`
    this.definition.models[name] = schema
    return name
  }

  readSecurity(route: RouteDefinition, value: unknown, path: Path): void {
    if (!Array.isArray(value)) this.fail(path, 'security must be an array of requirement objects')
    value.forEach((raw, index) => {
      const requirement = asRecord(raw) ?? this.fail([...path, index], 'a security requirement must be an object')
      for (const [name, scopes] of Object.entries(requirement)) {
        const scheme = this.schemes.get(name)
        if (scheme === undefined) this.fail([...path, index, name], `security scheme '${name}' is not declared`)
        if (scheme.kind === 'apiKey') route.apiKeyRequired = true
        else if (scheme.kind === 'iam') route.authorizationType = 'AWS_IAM'
        else {
          route.authorizationType = scheme.type
          route.authorizer = name
          const list = asStringArray(scopes) ?? []
          if (list.length > 0) route.authorizationScopes = list
        }
      }
    })
  }

  readIntegration(value: unknown, path: Path): IntegrationDefinition {
    const record = asRecord(value) ?? this.fail(path, 'must be an object')
    const type = asString(record.type)?.toUpperCase()
    if (type === undefined || !INTEGRATION_TYPES.has(type)) this.fail([...path, 'type'], "must be one of aws, aws_proxy, http, http_proxy, mock (§16.2)")
    const out: IntegrationDefinition = { type: type as IntegrationDefinition['type'] }
    for (const key of ['uri', 'credentials', 'cacheNamespace', 'connectionId', 'payloadFormatVersion', 'integrationSubtype'] as const) {
      if (record[key] !== undefined) out[key] = asString(record[key]) ?? this.fail([...path, key], 'must be a string')
    }
    if (record.httpMethod !== undefined) out.httpMethod = (asString(record.httpMethod) ?? this.fail([...path, 'httpMethod'], 'must be a string')).toUpperCase()
    if (out.type !== 'MOCK' && out.uri === undefined && out.integrationSubtype === undefined) this.fail([...path, 'uri'], `a ${out.type} integration needs uri`)
    if (record.requestParameters !== undefined) out.requestParameters = asStringMap(record.requestParameters) ?? this.fail([...path, 'requestParameters'], 'must map integration.request.* to sources')
    if (record.requestTemplates !== undefined) out.requestTemplates = asStringMap(record.requestTemplates) ?? this.fail([...path, 'requestTemplates'], 'must map content types to templates')
    if (record.passthroughBehavior !== undefined) {
      const behavior = asString(record.passthroughBehavior)?.toUpperCase()
      if (behavior === undefined || !PASSTHROUGH.has(behavior)) this.fail([...path, 'passthroughBehavior'], 'must be when_no_match, when_no_templates or never (§4.6)')
      out.passthroughBehavior = behavior as IntegrationDefinition['passthroughBehavior'] & string
    }
    if (record.contentHandling !== undefined) out.contentHandling = this.readContentHandling(record.contentHandling, [...path, 'contentHandling'])
    if (record.timeoutInMillis !== undefined) {
      const timeout = record.timeoutInMillis
      if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 50) this.fail([...path, 'timeoutInMillis'], 'must be an integer of at least 50 ms (§3.1)')
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
        const entry: IntegrationResponse = { statusCode }
        if (response.responseParameters !== undefined) entry.responseParameters = asStringMap(response.responseParameters) ?? this.fail([...rpath, 'responseParameters'], 'must map method.response.header.* to sources')
        if (response.responseTemplates !== undefined) entry.responseTemplates = asStringMap(response.responseTemplates) ?? this.fail([...rpath, 'responseTemplates'], 'must map content types to templates')
        if (response.contentHandling !== undefined) entry.contentHandling = this.readContentHandling(response.contentHandling, [...rpath, 'contentHandling'])
        map[pattern] = entry
      }
      out.responses = map
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
