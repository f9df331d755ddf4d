import { existsSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { emit, KeyRegistry, newApi, type ApiState } from './api-state.js'
import { dependenciesOf, findCycle, type Dependency } from './dependencies.js'
import { GLOBAL_SECTIONS, mergeGlobals } from './globals.js'
import { codeDirectory, isNodeRuntime, resolveHandler } from './handlers.js'
import { Evaluator, type PseudoParameters } from './intrinsics.js'
import { functionArn, lambdaInvocationUri, type RouteInput } from './openapi-builder.js'
import { SamInvalid } from './errors.js'
import { loadTemplateFile } from './source.js'
import { asRecord, Diagnostics, type GwConfigObject, type GwStageConfig, type GwTranslation } from './translation.js'
import { bool, lowerKeys, num, str, strings, unquote } from './values.js'

/** Options of {@link translateSamTemplate}. */
export interface SamTranslateOptions {
  /** `--parameter-overrides K=V`: values of the template's `Parameters`. */
  parameterOverrides?: Readonly<Record<string, string>>
  /** Serve every API under this stage name instead of the template's `StageName`. */
  stage?: string
  /** `AWS::Region`. @default 'us-east-1' */
  region?: string
  /** `AWS::AccountId`. @default '123456789012' */
  accountId?: string
  /** `AWS::StackName`. @default the template directory's name */
  stackName?: string
}

type Path = (string | number)[]
type Resource = { Type: string; Properties: Record<string, unknown>; raw: Record<string, unknown> }

/** Properties of AWS::Serverless::Function that change what gw serves. */
const FUNCTION_PROPS = new Set(['Handler', 'CodeUri', 'Runtime', 'Environment', 'Events', 'FunctionName', 'Description', 'Tags'])
const REST_API_PROPS = new Set([
  'Name', 'StageName', 'DefinitionBody', 'DefinitionUri', 'Variables', 'Auth', 'Cors', 'CacheClusterEnabled', 'CacheClusterSize',
  'MethodSettings', 'GatewayResponses', 'EndpointConfiguration', 'BinaryMediaTypes', 'MinimumCompressionSize', 'Description',
  'OpenApiVersion', 'ApiKeySourceType', 'DisableExecuteApiEndpoint', 'Models', 'Tags', 'FailOnWarnings'
])
const HTTP_API_PROPS = new Set(['Name', 'StageName', 'DefinitionBody', 'DefinitionUri', 'StageVariables', 'Auth', 'CorsConfiguration', 'DefaultRouteSettings', 'RouteSettings', 'Description', 'DisableExecuteApiEndpoint', 'Tags', 'FailOnWarnings'])
/** Resource types that only matter on AWS (permissions, roles, logs): noted once, they change nothing locally. */
const NOT_EMULATED_NOTE = 'not emulated locally (gw serves the APIs and runs the Node.js functions in-process)'

/**
 * Translates an AWS SAM template into a gw config object plus OpenAPI documents with AWS's extensions, the same
 * shapes SAM's own transform writes (implicit `ServerlessRestApi` / `ServerlessHttpApi`, generated usage plans and
 * keys, authorizers as security schemes). `@gw/cli` loads the result like any `gw.config.yaml`.
 * @throws GwError GW_SAM_INVALID naming the file, line, logical id and property
 * @example
 * const { config, documents, warnings } = translateSamTemplate('template.yaml', { parameterOverrides: { Stage: 'dev' } })
 */
export function translateSamTemplate(file: string, options: SamTranslateOptions = {}): GwTranslation {
  return new SamTranslator(file, options).run()
}

class SamTranslator {
  readonly file: string
  readonly dir: string
  readonly diag: Diagnostics
  readonly ev: Evaluator
  readonly pseudo: PseudoParameters
  readonly options: SamTranslateOptions
  readonly template: Record<string, unknown>
  readonly resources = new Map<string, Resource>()
  readonly apis = new Map<string, ApiState>()
  readonly registry: KeyRegistry
  readonly lambdas: GwConfigObject['lambdas'] = {}
  readonly files: string[]
  /** Function names by logical id (resolved once; FunctionName may use intrinsics). */
  private readonly functionNames = new Map<string, string>()

  constructor(file: string, options: SamTranslateOptions) {
    const source = loadTemplateFile(file)
    this.file = source.file
    this.dir = dirname(this.file)
    this.files = [this.file]
    this.options = options
    this.diag = new Diagnostics(source, 'Resources')
    this.registry = new KeyRegistry(this.file)
    const template = asRecord(source.value)
    if (template === undefined) throw SamInvalid(`${this.file}: a SAM template is a YAML or JSON object`)
    this.template = template
    if (asRecord(template.Resources) === undefined) throw SamInvalid(`${this.file}: Resources: a SAM template needs a Resources section`)
    this.pseudo = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '123456789012', stackName: options.stackName ?? (basename(this.dir).replace(/[^A-Za-z0-9-]/g, '-') || 'sam-app') }
    this.ev = new Evaluator(this.diag, template, options.parameterOverrides ?? {}, this.pseudo)
  }

  run(): GwTranslation {
    this.collectResources()
    this.refuseCycles()
    this.ev.resources = {
      has: (id) => this.resources.has(id) || this.implicitApiId(id) !== undefined || this.stageAlias(id) !== undefined,
      ref: (id) => this.refOf(id),
      getAtt: (id, attribute) => this.getAttOf(id, attribute)
    }
    for (const [id, r] of this.resources) {
      if (r.Type === 'AWS::Serverless::Api') this.restApi(id, r.Properties, false)
      else if (r.Type === 'AWS::Serverless::HttpApi') this.httpApi(id, r.Properties, false)
      else if (r.Type === 'AWS::ApiGateway::RestApi' || r.Type === 'AWS::ApiGatewayV2::Api') this.plainApi(id, r)
    }
    for (const [id, r] of this.resources) if (r.Type === 'AWS::Serverless::Function') this.func(id, r.Properties)
    this.plainResources()
    for (const api of this.apis.values()) {
      if (Object.keys(api.stages).length === 0) {
        this.diag.warn(api.id, [], 'the API has no stage (no AWS::ApiGateway::Stage / Deployment StageName): served as stage \'dev\'')
        api.stages.dev = { variables: {} }
      }
    }
    const out = emit(this.file, [...this.apis.values()], this.registry, this.lambdas)
    if (out.config.apis.length === 0) throw SamInvalid(`${this.file}: Resources: the template declares no API (no Api/HttpApi events, AWS::Serverless::Api, AWS::Serverless::HttpApi, AWS::ApiGateway::RestApi or AWS::ApiGatewayV2::Api)`)
    return { file: this.file, ...out, files: this.files, warnings: this.diag.warnings }
  }

  /** Resources whose Condition holds, with Globals merged in (before intrinsics, as SAM does). */
  private collectResources(): void {
    const globals = asRecord(this.template.Globals) ?? {}
    for (const section of Object.keys(globals)) {
      if (!(section in GLOBAL_SECTIONS)) this.diag.warn(section, [], `unknown Globals section (SAM has ${Object.keys(GLOBAL_SECTIONS).join(', ')})`, ['Globals', section])
    }
    for (const [id, raw] of Object.entries(asRecord(this.template.Resources) ?? {})) {
      const resource = asRecord(raw)
      if (resource === undefined || typeof resource.Type !== 'string') this.diag.fail(id, ['Type'], 'a resource needs a Type')
      if (typeof resource.Condition === 'string' && !this.ev.condition(resource.Condition, id, ['Condition'])) continue
      const section = Object.entries(GLOBAL_SECTIONS).find(([, type]) => type === resource.Type)?.[0]
      const global = section === undefined ? undefined : asRecord(globals[section])
      const props = asRecord(resource.Properties) ?? {}
      this.resources.set(id, { Type: resource.Type, Properties: global === undefined ? props : (mergeGlobals(global, props) as Record<string, unknown>), raw: resource })
    }
  }

  /** CloudFormation refuses circular dependencies between resources; so does gw, naming where the cycle closes. */
  private refuseCycles(): void {
    const known = new Set(this.resources.keys())
    const graph = new Map<string, Dependency[]>()
    for (const [id, r] of this.resources) {
      // SAM moves a function's Events (and an API's authorizer / definition references) into generated resources.
      graph.set(id, dependenciesOf({ ...r.raw, Properties: r.Properties }, known, r.Type === 'AWS::Serverless::Function' ? ['Properties.Events'] : []))
    }
    const found = findCycle(graph)
    if (found === undefined) return
    const at = found.cycle[found.cycle.length - 2] as string
    this.diag.fail(at, found.path, `circular reference between resources: ${found.cycle.join(' → ')}`)
  }

  private implicitApiId(id: string): 'REST' | 'HTTP' | undefined {
    if (id === 'ServerlessRestApi') return 'REST'
    if (id === 'ServerlessHttpApi') return 'HTTP'
    return undefined
  }

  /** SAM's `!Ref MyApi.Stage` (the stage name). */
  private stageAlias(id: string): string | undefined {
    const m = /^(.+)\.Stage$/.exec(id)
    if (m === null) return undefined
    const api = this.resources.get(m[1] as string)
    if (api?.Type !== 'AWS::Serverless::Api' && api?.Type !== 'AWS::Serverless::HttpApi') return undefined
    return this.options.stage ?? str(this.ev.resolve(api.Properties.StageName, m[1] as string, ['Properties', 'StageName'])) ?? '$default'
  }

  private refOf(id: string): unknown {
    const alias = this.stageAlias(id)
    if (alias !== undefined) return alias
    const r = this.resources.get(id)
    if (r === undefined) return id
    switch (r.Type) {
      case 'AWS::Serverless::Function':
      case 'AWS::Lambda::Function':
        return this.functionName(id)
      case 'AWS::Cognito::UserPool':
        return `${this.pseudo.region}_${id}`
      case 'AWS::ApiGateway::Stage':
      case 'AWS::ApiGatewayV2::Stage':
        return str(this.ev.resolve(r.Properties.StageName, id, ['Properties', 'StageName'])) ?? id
      default:
        return id
    }
  }

  private getAttOf(id: string, attribute: string): unknown {
    const r = this.resources.get(id)
    const type = r?.Type ?? (this.implicitApiId(id) === 'REST' ? 'AWS::Serverless::Api' : 'AWS::Serverless::HttpApi')
    if ((type === 'AWS::Serverless::Function' || type === 'AWS::Lambda::Function') && attribute === 'Arn') return functionArn(this.functionName(id), this.pseudo)
    if (type === 'AWS::Cognito::UserPool' && attribute === 'Arn') return `arn:aws:cognito-idp:${this.pseudo.region}:${this.pseudo.accountId}:userpool/${this.pseudo.region}_${id}`
    if (type === 'AWS::Cognito::UserPool' && attribute === 'ProviderURL') return `https://cognito-idp.${this.pseudo.region}.amazonaws.com/${this.pseudo.region}_${id}`
    if (type === 'AWS::Cognito::UserPool' && attribute === 'ProviderName') return `cognito-idp.${this.pseudo.region}.amazonaws.com/${this.pseudo.region}_${id}`
    if (type === 'AWS::Cognito::UserPoolClient' && attribute === 'ClientId') return id
    if ((type === 'AWS::Serverless::Api' || type === 'AWS::ApiGateway::RestApi') && attribute === 'RootResourceId') return `${id}Root`
    if ((type === 'AWS::Serverless::HttpApi' || type === 'AWS::ApiGatewayV2::Api') && attribute === 'ApiEndpoint') return `https://${id}.execute-api.${this.pseudo.region}.amazonaws.com`
    if (attribute === 'Arn') return `arn:aws:${type.split('::')[1]?.toLowerCase() ?? 'aws'}:${this.pseudo.region}:${this.pseudo.accountId}:${id}`
    return undefined
  }

  private functionName(id: string): string {
    const known = this.functionNames.get(id)
    if (known !== undefined) return known
    const r = this.resources.get(id)
    const given = r === undefined ? undefined : str(this.ev.resolve(r.Properties.FunctionName, id, ['Properties', 'FunctionName']))
    const name = given ?? id
    if (!/^[A-Za-z0-9_-]{1,140}$/.test(name)) this.diag.fail(id, ['Properties', 'FunctionName'], `'${name}' is not a Lambda function name (letters, digits, - and _)`)
    this.functionNames.set(id, name)
    return name
  }

  private props(id: string, props: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const name of names) {
      if (props[name] !== undefined) {
        const v = this.ev.resolve(props[name], id, ['Properties', name])
        if (v !== undefined) out[name] = v
      }
    }
    return out
  }

  private warnUnknownProps(id: string, props: Record<string, unknown>, known: ReadonlySet<string>, what: string): void {
    const unknown = Object.keys(props).filter((k) => !known.has(k))
    if (unknown.length > 0) this.diag.warn(id, ['Properties', unknown[0] as string], `${what} properties not emulated locally: ${unknown.join(', ')}`)
  }

  private definitionBody(id: string, props: Record<string, unknown>): Record<string, unknown> | undefined {
    if (props.DefinitionBody !== undefined) {
      const body = asRecord(this.ev.resolve(props.DefinitionBody, id, ['Properties', 'DefinitionBody']))
      if (body === undefined) this.diag.fail(id, ['Properties', 'DefinitionBody'], 'must be an OpenAPI document (an object)')
      // SAM's AWS::Include transform: the document is in a file
      const include = asRecord(body['Fn::Transform'])
      if (include !== undefined) return this.includeFile(id, ['Properties', 'DefinitionBody', 'Fn::Transform', 'Parameters', 'Location'], str(asRecord(include.Parameters)?.Location))
      return body
    }
    if (props.DefinitionUri !== undefined) {
      const uri = this.ev.resolve(props.DefinitionUri, id, ['Properties', 'DefinitionUri'])
      if (typeof uri !== 'string') this.diag.fail(id, ['Properties', 'DefinitionUri'], 'gw reads a local file path; an S3 location ({ Bucket, Key }) is not available locally')
      return this.includeFile(id, ['Properties', 'DefinitionUri'], uri)
    }
    return undefined
  }

  private includeFile(id: string, path: Path, location: string | undefined): Record<string, unknown> {
    if (location === undefined || location.startsWith('s3://')) this.diag.fail(id, path, 'gw reads a local file path; an S3 location is not available locally')
    const file = resolve(this.dir, location)
    if (!existsSync(file)) this.diag.fail(id, path, `file not found: ${file}`)
    this.files.push(file)
    let doc
    try {
      doc = loadTemplateFile(file)
    } catch (err) {
      this.diag.fail(id, path, (err as Error).message)
    }
    // The included document may itself use intrinsics (SAM resolves them when it is inline or included).
    const value = asRecord(this.ev.resolve(doc.value, id, path))
    if (value === undefined) this.diag.fail(id, path, `${file} is not an OpenAPI document`)
    return value
  }

  private stageName(id: string, value: unknown, fallback: string): string {
    const name = this.options.stage ?? str(value) ?? fallback
    if (!/^(\$default|[A-Za-z0-9_-]+)$/.test(name)) this.diag.fail(id, ['Properties', 'StageName'], `'${name}' is not a stage name (letters, digits, _ and -)`)
    return name
  }

  /** AWS::Serverless::Api, or the implicit ServerlessRestApi (Globals.Api applies to both). */
  private restApi(id: string, raw: Record<string, unknown>, implicit: boolean): ApiState {
    const p = this.props(id, raw, [...REST_API_PROPS])
    if (!implicit) this.warnUnknownProps(id, raw, REST_API_PROPS, 'AWS::Serverless::Api')
    const body = this.definitionBody(id, raw)
    const api = newApi(id, 'REST', str(p.Name) ?? (implicit ? this.pseudo.stackName : id), body)
    if (p.StageName === undefined && !implicit) this.diag.fail(id, ['Properties', 'StageName'], 'AWS::Serverless::Api needs a StageName')
    const stage: GwStageConfig = { variables: this.stageVariables(id, p.Variables, 'Variables') }
    if (p.Description !== undefined) stage.description = str(p.Description) ?? ''
    const cache = bool(p.CacheClusterEnabled)
    if (cache !== undefined) stage.cacheClusterEnabled = cache
    if (p.CacheClusterSize !== undefined) stage.cacheClusterSize = str(p.CacheClusterSize) ?? '0.5'
    if (p.MethodSettings !== undefined) stage.methodSettings = this.methodSettings(id, p.MethodSettings)
    api.stages[this.stageName(id, p.StageName, 'Prod')] = stage
    if (p.Cors !== undefined) api.cors = this.restCors(id, p.Cors)
    if (p.BinaryMediaTypes !== undefined) api.doc.extension('binary-media-types', strings(p.BinaryMediaTypes)?.map((t) => t.replace(/~1/g, '/')))
    if (p.MinimumCompressionSize !== undefined) api.doc.extension('minimum-compression-size', num(p.MinimumCompressionSize))
    if (p.ApiKeySourceType !== undefined) api.doc.extension('api-key-source', str(p.ApiKeySourceType))
    const endpoint = this.endpointConfiguration(p.EndpointConfiguration, p.DisableExecuteApiEndpoint)
    if (endpoint !== undefined) api.doc.extension('endpoint-configuration', endpoint)
    if (p.GatewayResponses !== undefined) api.doc.extension('gateway-responses', this.gatewayResponses(id, p.GatewayResponses))
    if (p.Models !== undefined) {
      const defs = (api.doc.doc.definitions ??= {}) as Record<string, unknown>
      Object.assign(defs, asRecord(p.Models))
    }
    this.restAuth(api, asRecord(p.Auth))
    this.apis.set(id, api)
    return api
  }

  private stageVariables(id: string, value: unknown, property: string): Record<string, string> {
    if (value === undefined) return {}
    const record = asRecord(value) ?? this.diag.fail(id, ['Properties', property], 'must be a map of name → value')
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, str(v) ?? this.diag.fail(id, ['Properties', property, k], 'a stage variable value is a string')]))
  }

  /** CloudFormation MethodSettings (a list) → stage methodSettings keyed `*\/*` / `/path/GET` (§6.1). */
  private methodSettings(id: string, value: unknown): Record<string, Record<string, unknown>> {
    if (!Array.isArray(value)) this.diag.fail(id, ['Properties', 'MethodSettings'], 'must be a list of method settings')
    const out: Record<string, Record<string, unknown>> = {}
    value.forEach((raw, i) => {
      const s = asRecord(raw) ?? this.diag.fail(id, ['Properties', 'MethodSettings', i], 'must be an object')
      const resourcePath = str(s.ResourcePath) ?? '/*'
      const method = (str(s.HttpMethod) ?? '*').toUpperCase()
      const key = resourcePath === '/*' && method === '*' ? '*/*' : `${resourcePath === '/*' ? '*' : resourcePath.replace(/~1/g, '/')}/${method}`
      out[key] = lowerKeys(s, (k, v) => (k === 'ResourcePath' || k === 'HttpMethod' ? undefined : k === 'LoggingLevel' ? str(v) : typeof v === 'boolean' || bool(v) !== undefined ? bool(v) : num(v) ?? v))
    })
    return out
  }

  /** SAM `Cors` (quoted mapping values, §11.1) → the config's `cors` (the console's "Enable CORS"). */
  private restCors(id: string, value: unknown): Record<string, unknown> {
    if (typeof value === 'string') return { allowOrigins: [unquote(value)] }
    const c = asRecord(value) ?? this.diag.fail(id, ['Properties', 'Cors'], "must be an origin string (\"'*'\") or { AllowOrigin, AllowMethods, AllowHeaders, MaxAge, AllowCredentials }")
    const list = (v: unknown): string[] | undefined => (typeof v === 'string' ? unquote(v).split(',').map((s) => s.trim()).filter((s) => s !== '') : undefined)
    const out: Record<string, unknown> = {}
    const origin = str(c.AllowOrigin)
    if (origin === undefined) this.diag.fail(id, ['Properties', 'Cors', 'AllowOrigin'], 'SAM requires AllowOrigin')
    out.allowOrigins = [unquote(origin)]
    if (c.AllowMethods !== undefined) out.allowMethods = list(c.AllowMethods)
    if (c.AllowHeaders !== undefined) out.allowHeaders = list(c.AllowHeaders)
    if (c.MaxAge !== undefined) out.maxAge = num(unquote(str(c.MaxAge) ?? ''))
    if (c.AllowCredentials !== undefined) out.allowCredentials = bool(c.AllowCredentials)
    return out
  }

  private endpointConfiguration(value: unknown, disable: unknown): Record<string, unknown> | undefined {
    const out: Record<string, unknown> = {}
    const record = asRecord(value)
    const ids = strings(record?.VpcEndpointIds)
    if (ids !== undefined) out.vpcEndpointIds = ids
    if (bool(disable) !== undefined) out.disableExecuteApiEndpoint = bool(disable)
    return Object.keys(out).length === 0 ? undefined : out
  }

  /** SAM GatewayResponses → `x-amazon-apigateway-gateway-responses` (§12.2). */
  private gatewayResponses(id: string, value: unknown): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [type, raw] of Object.entries(asRecord(value) ?? {})) {
      const r = asRecord(raw) ?? this.diag.fail(id, ['Properties', 'GatewayResponses', type], 'must be an object')
      const response: Record<string, unknown> = {}
      if (r.StatusCode !== undefined) response.statusCode = str(r.StatusCode) ?? ''
      const params = asRecord(r.ResponseParameters) ?? {}
      const mapped: Record<string, string> = {}
      for (const [group, prefix] of [['Headers', 'header'], ['Paths', 'path'], ['QueryStrings', 'querystring']] as const) {
        for (const [name, v] of Object.entries(asRecord(params[group]) ?? {})) mapped[`gatewayresponse.${prefix}.${name}`] = String(v)
      }
      if (Object.keys(mapped).length > 0) response.responseParameters = mapped
      if (r.ResponseTemplates !== undefined) response.responseTemplates = r.ResponseTemplates
      out[type] = response
    }
    return out
  }

  private lambdaUriFromArn(arn: string): string {
    return lambdaInvocationUri(arn, this.pseudo)
  }

  /** Auth of a REST API: authorizers as security schemes, DefaultAuthorizer, ApiKeyRequired, UsagePlan, ResourcePolicy. */
  private restAuth(api: ApiState, auth: Record<string, unknown> | undefined): void {
    if (auth === undefined) return
    const at = ['Properties', 'Auth']
    for (const [name, raw] of Object.entries(asRecord(auth.Authorizers) ?? {})) {
      const a = asRecord(raw) ?? this.diag.fail(api.id, [...at, 'Authorizers', name], 'must be an object')
      const identity = asRecord(a.Identity) ?? {}
      if (a.UserPoolArn !== undefined) {
        const arns = strings(a.UserPoolArn) ?? this.diag.fail(api.id, [...at, 'Authorizers', name, 'UserPoolArn'], 'must be a user pool ARN or a list of them')
        api.doc.cognitoAuthorizer(name, arns, str(identity.Header))
        api.auth.authorizers.set(name, 'cognito')
      } else if (a.FunctionArn !== undefined) {
        const arn = str(a.FunctionArn) ?? this.diag.fail(api.id, [...at, 'Authorizers', name, 'FunctionArn'], 'must be a function ARN')
        const type = (str(a.FunctionPayloadType) ?? 'TOKEN').toUpperCase()
        if (type !== 'TOKEN' && type !== 'REQUEST') this.diag.fail(api.id, [...at, 'Authorizers', name, 'FunctionPayloadType'], "must be 'TOKEN' or 'REQUEST'")
        const ttl = num(identity.ReauthorizeEvery) ?? 300
        if (type === 'TOKEN') {
          const header = str(identity.Header) ?? 'Authorization'
          const token: Parameters<ApiState['doc']['lambdaAuthorizer']>[1] = { type: 'token', uri: this.lambdaUriFromArn(arn), header, identitySource: `method.request.header.${header}`, ttl }
          const validation = str(identity.ValidationExpression)
          if (validation !== undefined) token.validationExpression = validation
          api.doc.lambdaAuthorizer(name, token)
        } else {
          const sources = [
            ...(strings(identity.Headers) ?? []).map((h) => `method.request.header.${h}`),
            ...(strings(identity.QueryStrings) ?? []).map((q) => `method.request.querystring.${q}`),
            ...(strings(identity.StageVariables) ?? []).map((s) => `stageVariables.${s}`),
            ...(strings(identity.Context) ?? []).map((c) => `context.${c}`)
          ]
          api.doc.lambdaAuthorizer(name, { type: 'request', uri: this.lambdaUriFromArn(arn), identitySource: sources.join(', '), ttl: sources.length === 0 ? 0 : ttl })
        }
        api.auth.authorizers.set(name, 'lambda')
      } else this.diag.fail(api.id, [...at, 'Authorizers', name], 'an authorizer needs UserPoolArn (Cognito) or FunctionArn (Lambda)')
    }
    const def = str(auth.DefaultAuthorizer)
    if (def !== undefined) {
      if (def !== 'AWS_IAM' && !api.auth.authorizers.has(def)) this.diag.fail(api.id, [...at, 'DefaultAuthorizer'], `'${def}' is not in Auth.Authorizers`)
      api.auth.defaultAuthorizer = def
    }
    const keyRequired = bool(auth.ApiKeyRequired)
    if (keyRequired !== undefined) api.auth.apiKeyRequired = keyRequired
    if (auth.UsagePlan !== undefined) this.samUsagePlan(api, asRecord(auth.UsagePlan) ?? {})
    const policy = asRecord(auth.ResourcePolicy)
    if (policy !== undefined) {
      const custom = policy.CustomStatements
      if (custom !== undefined) api.doc.extension('policy', { Version: '2012-10-17', Statement: Array.isArray(custom) ? custom : [custom] })
      const other = Object.keys(policy).filter((k) => k !== 'CustomStatements')
      if (other.length > 0) this.diag.warn(api.id, [...at, 'ResourcePolicy', other[0] as string], `only CustomStatements are translated; ${other.join(', ')} not emulated (write them as CustomStatements)`)
    }
    if (bool(auth.AddDefaultAuthorizerToCorsPreflight) === true) this.diag.warn(api.id, [...at, 'AddDefaultAuthorizerToCorsPreflight'], 'CORS preflights are answered without the authorizer')
    const other = Object.keys(auth).filter((k) => !['Authorizers', 'DefaultAuthorizer', 'ApiKeyRequired', 'UsagePlan', 'ResourcePolicy', 'AddDefaultAuthorizerToCorsPreflight', 'AddApiKeyRequiredToCorsPreflight'].includes(k))
    if (other.length > 0) this.diag.warn(api.id, [...at, other[0] as string], `Auth properties not emulated: ${other.join(', ')}`)
  }

  /** SAM's `Auth.UsagePlan` with `CreateUsagePlan: PER_API | SHARED | NONE` and the key SAM creates with it. */
  private samUsagePlan(api: ApiState, plan: Record<string, unknown>): void {
    const mode = str(plan.CreateUsagePlan)
    if (mode === undefined || mode === 'NONE') return
    if (mode !== 'PER_API' && mode !== 'SHARED') this.diag.fail(api.id, ['Properties', 'Auth', 'UsagePlan', 'CreateUsagePlan'], "must be PER_API, SHARED or NONE")
    const planId = mode === 'SHARED' ? 'ServerlessUsagePlan' : `${api.id}UsagePlan`
    const keyId = mode === 'SHARED' ? 'ServerlessApiKey' : `${api.id}ApiKey`
    const quota = asRecord(plan.Quota)
    const throttle = asRecord(plan.Throttle)
    const init: Parameters<KeyRegistry['plan']>[1] = {}
    const name = str(plan.UsagePlanName)
    if (name !== undefined) init.name = name
    if (plan.Description !== undefined) init.description = str(plan.Description) ?? ''
    if (throttle !== undefined) init.throttle = { rateLimit: num(throttle.RateLimit) ?? 10000, burstLimit: num(throttle.BurstLimit) ?? 5000 }
    if (quota !== undefined) init.quota = { limit: num(quota.Limit) ?? 0, period: (str(quota.Period) ?? 'DAY').toUpperCase() as 'DAY', offset: num(quota.Offset) ?? 0 }
    const usagePlan = this.registry.plan(planId, init)
    for (const stage of Object.keys(api.stages)) usagePlan.apiStages.push({ api: api.id, stage })
    this.registry.key(keyId, {})
    this.registry.link(keyId, planId)
  }

  /** AWS::Serverless::HttpApi, or the implicit ServerlessHttpApi. */
  private httpApi(id: string, raw: Record<string, unknown>, implicit: boolean): ApiState {
    const p = this.props(id, raw, [...HTTP_API_PROPS])
    if (!implicit) this.warnUnknownProps(id, raw, HTTP_API_PROPS, 'AWS::Serverless::HttpApi')
    const api = newApi(id, 'HTTP', str(p.Name) ?? (implicit ? this.pseudo.stackName : id), this.definitionBody(id, raw))
    const stage: GwStageConfig = { variables: this.stageVariables(id, p.StageVariables, 'StageVariables') }
    if (p.DefaultRouteSettings !== undefined) stage.defaultRouteSettings = this.routeSettings(asRecord(p.DefaultRouteSettings) ?? {})
    if (p.RouteSettings !== undefined) {
      stage.routeSettings = Object.fromEntries(Object.entries(asRecord(p.RouteSettings) ?? {}).map(([key, v]) => [key, this.routeSettings(asRecord(v) ?? {})]))
    }
    api.stages[this.stageName(id, p.StageName, '$default')] = stage
    if (p.CorsConfiguration !== undefined) {
      const c = p.CorsConfiguration
      api.cors = bool(c) === true ? true : lowerKeys(asRecord(c) ?? {}, (_k, v) => (Array.isArray(v) ? v.map(String) : bool(v) ?? num(v) ?? v))
    }
    if (p.DisableExecuteApiEndpoint !== undefined) api.doc.extension('endpoint-configuration', { disableExecuteApiEndpoint: bool(p.DisableExecuteApiEndpoint) })
    const auth = asRecord(p.Auth)
    if (auth !== undefined) {
      const at = ['Properties', 'Auth']
      for (const [name, rawAuth] of Object.entries(asRecord(auth.Authorizers) ?? {})) {
        const a = asRecord(rawAuth) ?? this.diag.fail(id, [...at, 'Authorizers', name], 'must be an object')
        if (a.JwtConfiguration !== undefined) {
          const jwt = asRecord(a.JwtConfiguration) ?? {}
          const issuer = str(jwt.issuer) ?? this.diag.fail(id, [...at, 'Authorizers', name, 'JwtConfiguration', 'issuer'], 'a JWT authorizer needs an issuer')
          api.doc.jwtAuthorizer(name, str(a.IdentitySource) ?? '$request.header.Authorization', issuer, strings(jwt.audience) ?? [])
          api.auth.authorizers.set(name, 'jwt')
        } else if (a.FunctionArn !== undefined) {
          const arn = str(a.FunctionArn) ?? this.diag.fail(id, [...at, 'Authorizers', name, 'FunctionArn'], 'must be a function ARN')
          const version = str(a.AuthorizerPayloadFormatVersion) ?? this.diag.fail(id, [...at, 'Authorizers', name, 'AuthorizerPayloadFormatVersion'], "a Lambda authorizer of an HTTP API needs AuthorizerPayloadFormatVersion '1.0' or '2.0'")
          const identity = asRecord(a.Identity) ?? {}
          const sources = [
            ...(strings(identity.Headers) ?? []).map((h) => `$request.header.${h}`),
            ...(strings(identity.QueryStrings) ?? []).map((q) => `$request.querystring.${q}`),
            ...(strings(identity.StageVariables) ?? []).map((s) => `$stageVariables.${s}`),
            ...(strings(identity.Context) ?? []).map((c) => `$context.${c}`)
          ]
          const simple = bool(a.EnableSimpleResponses)
          api.doc.lambdaAuthorizer(name, {
            type: 'request',
            uri: this.lambdaUriFromArn(arn),
            identitySource: sources.join(', '),
            ttl: sources.length === 0 ? 0 : num(identity.ReauthorizeEvery) ?? 300,
            payloadFormatVersion: version,
            ...(simple === undefined ? {} : { simpleResponses: simple })
          })
          api.auth.authorizers.set(name, 'lambda')
        } else this.diag.fail(id, [...at, 'Authorizers', name], 'an HTTP API authorizer needs JwtConfiguration or FunctionArn')
      }
      const def = str(auth.DefaultAuthorizer)
      if (def !== undefined) {
        if (def !== 'AWS_IAM' && !api.auth.authorizers.has(def)) this.diag.fail(id, [...at, 'DefaultAuthorizer'], `'${def}' is not in Auth.Authorizers`)
        api.auth.defaultAuthorizer = def
      }
      const other = Object.keys(auth).filter((k) => !['Authorizers', 'DefaultAuthorizer', 'EnableIamAuthorizer'].includes(k))
      if (other.length > 0) this.diag.warn(id, [...at, other[0] as string], `Auth properties not emulated: ${other.join(', ')}`)
    }
    this.apis.set(id, api)
    return api
  }

  private routeSettings(s: Record<string, unknown>): Record<string, unknown> {
    return lowerKeys(s, (_k, v) => bool(v) ?? num(v) ?? v)
  }

  /** The API an event names (RestApiId / ApiId), creating the implicit one SAM would create. */
  private apiOf(fn: string, path: Path, protocol: 'REST' | 'HTTP', ref: unknown): ApiState {
    if (ref === undefined) {
      const implicit = protocol === 'REST' ? 'ServerlessRestApi' : 'ServerlessHttpApi'
      const existing = this.apis.get(implicit)
      if (existing !== undefined) return existing
      const globals = asRecord(asRecord(this.template.Globals)?.[protocol === 'REST' ? 'Api' : 'HttpApi']) ?? {}
      return protocol === 'REST' ? this.restApi(implicit, globals, true) : this.httpApi(implicit, globals, true)
    }
    const id = str(ref) ?? this.diag.fail(fn, path, 'must be !Ref of an API of this template')
    const api = this.apis.get(id)
    if (api === undefined) this.diag.fail(fn, path, `'${id}' is not an ${protocol === 'REST' ? 'AWS::Serverless::Api' : 'AWS::Serverless::HttpApi'} of this template`)
    if (api.protocol !== protocol) this.diag.fail(fn, path, `'${id}' is ${api.protocol === 'REST' ? 'a REST API (use an Api event)' : 'an HTTP API (use an HttpApi event)'}`)
    return api
  }

  /** AWS::Serverless::Function: the in-process Lambda and the routes of its Api / HttpApi events. */
  private func(id: string, raw: Record<string, unknown>): void {
    const p = this.props(id, raw, ['Handler', 'CodeUri', 'Runtime', 'Environment', 'InlineCode', 'PackageType'])
    this.warnUnknownProps(id, raw, new Set([...FUNCTION_PROPS, 'InlineCode', 'PackageType']), 'AWS::Serverless::Function')
    const runtime = str(p.Runtime)
    const events = asRecord(raw.Events) ?? {}
    const name = this.functionName(id)
    if (!isNodeRuntime(runtime) || str(p.PackageType) === 'Image' || p.InlineCode !== undefined) {
      const why = p.InlineCode !== undefined ? 'InlineCode' : str(p.PackageType) === 'Image' ? 'an image function' : `runtime ${String(runtime)}`
      this.diag.warn(id, ['Properties', p.InlineCode !== undefined ? 'InlineCode' : 'Runtime'], `${why} cannot run in-process (gw runs Node.js handlers): its events are not served`)
      return
    }
    const handler = str(p.Handler) ?? this.diag.fail(id, ['Properties', 'Handler'], 'a Node.js function needs a Handler (file.export)')
    if (p.CodeUri !== undefined && typeof p.CodeUri !== 'string') this.diag.fail(id, ['Properties', 'CodeUri'], 'gw runs code from a local directory; an S3 location ({ Bucket, Key }) is not available locally')
    const resolved = resolveHandler(codeDirectory(this.dir, str(p.CodeUri)), handler)
    if ('error' in resolved) this.diag.fail(id, ['Properties', 'Handler'], resolved.error)
    const variables = asRecord(asRecord(p.Environment)?.Variables)
    if (variables === undefined) this.lambdas[name] = resolved.ref
    else this.lambdas[name] = { handler: resolved.ref, environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, str(v) ?? JSON.stringify(v)])) }
    const uri = lambdaInvocationUri(functionArn(name, this.pseudo), this.pseudo)
    for (const [eventName, rawEvent] of Object.entries(events)) {
      const at: Path = ['Properties', 'Events', eventName]
      const event = asRecord(rawEvent) ?? this.diag.fail(id, at, 'an event is { Type, Properties }')
      const type = str(event.Type)
      if (type !== 'Api' && type !== 'HttpApi') {
        this.diag.warn(id, [...at, 'Type'], `${String(type)} events are not emulated (gw serves Api and HttpApi events)`)
        continue
      }
      const ep = asRecord(this.ev.resolve(event.Properties ?? {}, id, [...at, 'Properties'])) ?? this.diag.fail(id, [...at, 'Properties'], 'must be an object')
      if (type === 'Api') this.restEvent(id, [...at, 'Properties'], ep, uri)
      else this.httpEvent(id, [...at, 'Properties'], ep, uri)
    }
  }

  private method(fn: string, at: Path, value: unknown, protocol: 'REST' | 'HTTP'): string {
    const method = str(value)?.toLowerCase() ?? this.diag.fail(fn, [...at, 'Method'], 'an event needs a Method')
    if (!['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'any'].includes(method)) this.diag.fail(fn, [...at, 'Method'], `'${method}' is not an HTTP method (get, post, put, patch, delete, head, options or any)`)
    if (method === 'any' && protocol === 'HTTP') return 'any'
    return method
  }

  private eventPath(fn: string, at: Path, value: unknown): string {
    const path = str(value) ?? this.diag.fail(fn, [...at, 'Path'], 'an event needs a Path')
    if (!path.startsWith('/')) this.diag.fail(fn, [...at, 'Path'], `'${path}' must start with /`)
    return path
  }

  private authFor(fn: string, at: Path, api: ApiState, authorizer: string | undefined, scopes: unknown): Pick<RouteInput, 'authorizer' | 'iam'> {
    const name = authorizer ?? api.auth.defaultAuthorizer
    if (name === undefined || name === 'NONE') return {}
    if (name === 'AWS_IAM') return { iam: true }
    if (!api.auth.authorizers.has(name)) this.diag.fail(fn, [...at, 'Auth', 'Authorizer'], `'${name}' is not an authorizer of ${api.id} (Auth.Authorizers: ${[...api.auth.authorizers.keys()].join(', ') || 'none'})`)
    return { authorizer: { name, scopes: strings(scopes) ?? [] } }
  }

  private restEvent(fn: string, at: Path, ep: Record<string, unknown>, uri: string): void {
    const api = this.apiOf(fn, [...at, 'RestApiId'], 'REST', ep.RestApiId)
    const path = this.eventPath(fn, at, ep.Path)
    const method = this.method(fn, at, ep.Method, 'REST')
    const auth = asRecord(ep.Auth) ?? {}
    const route: RouteInput = { path, method, uri, ...this.authFor(fn, at, api, str(auth.Authorizer), auth.AuthorizationScopes) }
    const keyRequired = bool(auth.ApiKeyRequired) ?? api.auth.apiKeyRequired
    if (keyRequired === true) route.apiKeyRequired = true
    if (ep.RequestParameters !== undefined) {
      const params: Record<string, boolean> = {}
      for (const [i, p] of (Array.isArray(ep.RequestParameters) ? ep.RequestParameters : []).entries()) {
        if (typeof p === 'string') params[p] = false
        else {
          const record = asRecord(p) ?? this.diag.fail(fn, [...at, 'RequestParameters', i], 'a request parameter is a name or { name: { Required } }')
          for (const [k, v] of Object.entries(record)) params[k] = bool(asRecord(v)?.Required) ?? false
        }
      }
      route.requestParameters = params
    }
    const model = asRecord(ep.RequestModel)
    if (model !== undefined) {
      const name = str(model.Model) ?? this.diag.fail(fn, [...at, 'RequestModel', 'Model'], 'names a model of the API\'s Models')
      route.requestSchemas = { 'application/json': { $ref: `#/definitions/${name}` } }
    }
    const other = Object.keys(ep).filter((k) => !['RestApiId', 'Path', 'Method', 'Auth', 'RequestParameters', 'RequestModel'].includes(k))
    if (other.length > 0) this.diag.warn(fn, [...at, other[0] as string], `Api event properties not emulated: ${other.join(', ')}`)
    api.doc.route(route)
  }

  private httpEvent(fn: string, at: Path, ep: Record<string, unknown>, uri: string): void {
    const api = this.apiOf(fn, [...at, 'ApiId'], 'HTTP', ep.ApiId)
    // No Path and Method: the $default route (SAM).
    const isDefault = ep.Path === undefined && ep.Method === undefined
    const path = isDefault ? '$default' : this.eventPath(fn, at, ep.Path)
    const method = isDefault ? 'any' : this.method(fn, at, ep.Method ?? 'any', 'HTTP')
    const auth = asRecord(ep.Auth) ?? {}
    api.doc.route({ path, method, uri, payloadFormatVersion: str(ep.PayloadFormatVersion) ?? '2.0', ...this.authFor(fn, at, api, str(auth.Authorizer), auth.AuthorizationScopes) })
    const settings = asRecord(ep.RouteSettings)
    if (settings !== undefined) {
      const stage = Object.values(api.stages)[0] as GwStageConfig
      stage.routeSettings = { ...stage.routeSettings, [isDefault ? '$default' : `${method === 'any' ? 'ANY' : method.toUpperCase()} ${path}`]: this.routeSettings(settings) }
    }
    const other = Object.keys(ep).filter((k) => !['ApiId', 'Path', 'Method', 'Auth', 'PayloadFormatVersion', 'RouteSettings', 'TimeoutInMillis'].includes(k))
    if (other.length > 0) this.diag.warn(fn, [...at, other[0] as string], `HttpApi event properties not emulated: ${other.join(', ')}`)
  }

  /** AWS::ApiGateway::RestApi / AWS::ApiGatewayV2::Api with a Body (stages come from Stage resources). */
  private plainApi(id: string, r: Resource): void {
    const rest = r.Type === 'AWS::ApiGateway::RestApi'
    const p = this.props(id, r.Properties, ['Name', 'Body', 'BodyS3Location', 'ProtocolType', 'CorsConfiguration', 'Target'])
    if (!rest && str(p.ProtocolType) === 'WEBSOCKET') {
      this.diag.warn(id, ['Properties', 'ProtocolType'], 'WebSocket APIs in templates are not translated (describe them in gw.config.yaml websocketApis)')
      return
    }
    const location = asRecord(p.BodyS3Location)
    if (p.Body === undefined && p.BodyS3Location === undefined && p.Target === undefined) {
      this.diag.warn(id, ['Properties'], `${r.Type} without Body: APIs built from AWS::ApiGateway::Resource / Method resources are not translated; give the API a Body (OpenAPI)`)
      return
    }
    const body = p.Body !== undefined ? asRecord(p.Body) : location !== undefined ? this.includeFile(id, ['Properties', 'BodyS3Location'], str(location.Key)) : undefined
    const api = newApi(id, rest ? 'REST' : 'HTTP', str(p.Name) ?? id, body)
    if (!rest && p.CorsConfiguration !== undefined) api.cors = lowerKeys(asRecord(p.CorsConfiguration) ?? {}, (_k, v) => (Array.isArray(v) ? v.map(String) : bool(v) ?? num(v) ?? v))
    if (!rest && p.Target !== undefined) {
      // Quick create: a $default route to the target Lambda and a $default stage with auto-deploy.
      api.doc.route({ path: '$default', method: 'any', uri: str(p.Target) ?? '', payloadFormatVersion: '2.0' })
      api.stages.$default = { variables: {} }
    }
    this.apis.set(id, api)
  }

  /** AWS::ApiGateway::Stage / Deployment / UsagePlan / ApiKey / UsagePlanKey, AWS::ApiGatewayV2::Stage; the rest are noted. */
  private plainResources(): void {
    const handled = new Set(['AWS::Serverless::Function', 'AWS::Serverless::Api', 'AWS::Serverless::HttpApi', 'AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api'])
    const later: [string, Resource][] = []
    for (const [id, r] of this.resources) {
      if (handled.has(r.Type)) continue
      const p = (name: string): unknown => this.ev.resolve(r.Properties[name], id, ['Properties', name])
      switch (r.Type) {
        case 'AWS::ApiGateway::Stage':
        case 'AWS::ApiGateway::Deployment':
        case 'AWS::ApiGatewayV2::Stage': {
          const v2 = r.Type === 'AWS::ApiGatewayV2::Stage'
          const apiId = str(p(v2 ? 'ApiId' : 'RestApiId'))
          const api = apiId === undefined ? undefined : this.apis.get(apiId)
          if (api === undefined) {
            this.diag.warn(id, ['Properties', v2 ? 'ApiId' : 'RestApiId'], 'names no API translated from this template')
            break
          }
          const stageName = str(p('StageName'))
          if (stageName === undefined) break // a Deployment without StageName creates no stage
          const stage: GwStageConfig = (api.stages[this.options.stage ?? stageName] ??= { variables: {} })
          Object.assign(stage.variables, this.stageVariables(id, p(v2 ? 'StageVariables' : 'Variables'), v2 ? 'StageVariables' : 'Variables'))
          if (v2) {
            const d = asRecord(p('DefaultRouteSettings'))
            if (d !== undefined) stage.defaultRouteSettings = this.routeSettings(d)
            const rs = asRecord(p('RouteSettings'))
            if (rs !== undefined) stage.routeSettings = Object.fromEntries(Object.entries(rs).map(([k, v]) => [k, this.routeSettings(asRecord(v) ?? {})]))
          } else {
            const ms = p('MethodSettings')
            if (ms !== undefined) stage.methodSettings = this.methodSettings(id, ms)
            const cache = bool(p('CacheClusterEnabled'))
            if (cache !== undefined) stage.cacheClusterEnabled = cache
            const size = p('CacheClusterSize')
            if (size !== undefined) stage.cacheClusterSize = str(size) ?? '0.5'
          }
          break
        }
        case 'AWS::ApiGateway::ApiKey': {
          const init: Parameters<KeyRegistry['key']>[1] = {}
          const name = str(p('Name'))
          const value = str(p('Value'))
          const enabled = bool(p('Enabled'))
          if (name !== undefined) init.name = name
          if (value !== undefined) init.value = value
          if (enabled !== undefined) init.enabled = enabled
          this.registry.key(id, init)
          break
        }
        case 'AWS::ApiGateway::UsagePlan':
        case 'AWS::ApiGateway::UsagePlanKey':
          later.push([id, r])
          break
        default:
          this.diag.warn(id, ['Type'], `${r.Type}: ${NOT_EMULATED_NOTE}`)
      }
    }
    // Plans after stages and keys, links after plans.
    for (const [id, r] of later.sort(([, a]) => (a.Type === 'AWS::ApiGateway::UsagePlan' ? -1 : 1))) {
      const p = (name: string): unknown => this.ev.resolve(r.Properties[name], id, ['Properties', name])
      if (r.Type === 'AWS::ApiGateway::UsagePlan') {
        const throttle = asRecord(p('Throttle'))
        const quota = asRecord(p('Quota'))
        const init: Parameters<KeyRegistry['plan']>[1] = {}
        const name = str(p('UsagePlanName'))
        if (name !== undefined) init.name = name
        if (throttle !== undefined) init.throttle = { rateLimit: num(throttle.RateLimit) ?? 10000, burstLimit: num(throttle.BurstLimit) ?? 5000 }
        if (quota !== undefined) init.quota = { limit: num(quota.Limit) ?? 0, period: (str(quota.Period) ?? 'DAY').toUpperCase() as 'DAY', offset: num(quota.Offset) ?? 0 }
        const plan = this.registry.plan(id, init)
        const stages = p('ApiStages')
        ;(Array.isArray(stages) ? stages : []).forEach((raw, i) => {
          const s = asRecord(raw) ?? {}
          const apiId = str(s.ApiId)
          const api = apiId === undefined ? undefined : this.apis.get(apiId)
          const stage = this.options.stage ?? str(s.Stage)
          if (api === undefined || stage === undefined || api.stages[stage] === undefined) this.diag.fail(id, ['Properties', 'ApiStages', i], `names no API stage of this template (ApiId ${String(apiId)}, Stage ${String(stage)})`)
          const entry: GwConfigObject['usagePlans'][number]['apiStages'][number] = { api: api.id, stage }
          const methodThrottle = asRecord(s.Throttle)
          if (methodThrottle !== undefined) {
            entry.throttle = Object.fromEntries(Object.entries(methodThrottle).map(([k, v]) => [k, { rateLimit: num(asRecord(v)?.RateLimit) ?? 10000, burstLimit: num(asRecord(v)?.BurstLimit) ?? 5000 }]))
          }
          plan.apiStages.push(entry)
        })
      } else {
        const keyId = str(p('KeyId'))
        const planId = str(p('UsagePlanId'))
        if (keyId === undefined || !this.registry.keys.has(keyId)) this.diag.fail(id, ['Properties', 'KeyId'], 'must be !Ref of an AWS::ApiGateway::ApiKey of this template')
        if (planId === undefined || !this.registry.plans.has(planId)) this.diag.fail(id, ['Properties', 'UsagePlanId'], 'must be !Ref of an AWS::ApiGateway::UsagePlan of this template')
        this.registry.link(keyId, planId)
      }
    }
  }
}

/** `Key=Value` pairs (`--parameter-overrides`, also `ParameterKey=K,ParameterValue=V` as the AWS CLI writes them). */
export function parseParameterOverrides(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const value of values) {
    const aws = /^ParameterKey=([^,]+),ParameterValue=(.*)$/.exec(value)
    if (aws !== null) {
      out[aws[1] as string] = aws[2] as string
      continue
    }
    const eq = value.indexOf('=')
    if (eq <= 0) throw SamInvalid(`--parameter-overrides expects Name=Value, got '${value}'`)
    out[value.slice(0, eq)] = value.slice(eq + 1)
  }
  return out
}

