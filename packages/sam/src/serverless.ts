import { dirname } from 'node:path'
import { emit, KeyRegistry, newApi, type ApiState } from './api-state.js'
import { SamInvalid } from './errors.js'
import { isNodeRuntime, resolveHandler } from './handlers.js'
import type { PseudoParameters } from './intrinsics.js'
import { functionArn, lambdaInvocationUri, type RouteInput } from './openapi-builder.js'
import { ServerlessVariables, VariableError } from './serverless-variables.js'
import { loadTemplateFile } from './source.js'
import { asRecord, Diagnostics, type GwConfigObject, type GwTranslation } from './translation.js'
import { bool, num, str, strings } from './values.js'

/** Options of {@link translateServerless}. */
export interface ServerlessTranslateOptions {
  /** `--stage` (`${opt:stage}`); default provider.stage, then 'dev'. */
  stage?: string
  /** `--region` (`${opt:region}`). */
  region?: string
  /** `${env:…}`. @default process.env */
  env?: NodeJS.ProcessEnv
  /** `${aws:accountId}` and Lambda ARNs. @default '123456789012' */
  accountId?: string
}

type Path = (string | number)[]

const FUNCTION_KEYS = new Set(['handler', 'events', 'environment', 'name', 'description', 'runtime', 'tags'])
const PROVIDER_KEYS = new Set(['name', 'runtime', 'stage', 'region', 'environment', 'apiGateway', 'httpApi', 'apiKeys', 'usagePlan', 'resourcePolicy', 'tags', 'stackTags', 'deploymentMethod'])

/**
 * Translates a Serverless Framework `serverless.yml` (provider aws) into a gw config object plus OpenAPI
 * documents: `http` events become the REST API (`ApiGatewayRestApi`, stage `provider.stage`), `httpApi` events the
 * HTTP API (`HttpApi`, stage `$default`), `provider.apiGateway` keys and usage plans the config's, handlers
 * in-process Lambdas with `provider.environment` + the function's `environment`.
 * @throws GwError GW_SAM_INVALID naming the file, line, function and property
 * @example
 * const { config, documents } = translateServerless('serverless.yml', { stage: 'dev' })
 */
export function translateServerless(file: string, options: ServerlessTranslateOptions = {}): GwTranslation {
  const source = loadTemplateFile(file)
  const diag: Diagnostics = new Diagnostics(source, 'functions')
  const root = asRecord(source.value)
  if (root === undefined) throw SamInvalid(`${source.file}: serverless.yml is a YAML object`)
  const dir = dirname(source.file)
  const accountId = options.accountId ?? '123456789012'
  const sources = { env: options.env ?? process.env, accountId, dir, ...(options.stage === undefined ? {} : { stage: options.stage }), ...(options.region === undefined ? {} : { region: options.region }) }
  const variables = new ServerlessVariables(root, sources)
  const section = (name: string): Record<string, unknown> => {
    try {
      return asRecord(variables.section(name)) ?? {}
    } catch (err) {
      if (!(err instanceof VariableError)) throw err
      const [top, id, ...rest] = err.path
      return top === 'functions' && id !== undefined ? diag.fail(String(id), rest, err.message) : diag.fail(String(top), id === undefined ? [] : [id, ...rest], err.message, [String(top)])
    }
  }
  const provider = section('provider')
  if (str(provider.name) !== undefined && provider.name !== 'aws') diag.fail('provider', ['name'], `gw emulates provider aws, not '${String(provider.name)}'`, [])
  const serviceRaw = (() => {
    try {
      return variables.section('service')
    } catch (err) {
      return diag.fail('service', [], (err as Error).message, [])
    }
  })()
  const service = str(asRecord(serviceRaw)?.name ?? serviceRaw) ?? diag.fail('service', [], 'serverless.yml needs a service name', [])
  const stage = options.stage ?? str(provider.stage) ?? 'dev'
  const region = options.region ?? str(provider.region) ?? 'us-east-1'
  const pseudo: PseudoParameters = { region, accountId, stackName: `${service}-${stage}` }
  for (const key of Object.keys(provider)) if (!PROVIDER_KEYS.has(key)) diag.warn('provider', [key], 'not emulated locally', ['provider'])
  const functions = section('functions')
  const apiGateway = asRecord(provider.apiGateway) ?? {}
  const httpApiConfig = asRecord(provider.httpApi) ?? {}
  const registry = new KeyRegistry(source.file)
  const lambdas: GwConfigObject['lambdas'] = {}
  let rest: ApiState | undefined
  let http: ApiState | undefined
  const restApi = (): ApiState => {
    if (rest !== undefined) return rest
    rest = newApi('ApiGatewayRestApi', 'REST', str(apiGateway.restApiName) ?? `${stage}-${service}`)
    rest.stages[stage] = { variables: {} }
    const policy = apiGateway.resourcePolicy ?? provider.resourcePolicy
    if (Array.isArray(policy)) rest.doc.extension('policy', { Version: '2012-10-17', Statement: policy })
    const binary = strings(apiGateway.binaryMediaTypes)
    if (binary !== undefined) rest.doc.extension('binary-media-types', binary)
    if (apiGateway.minimumCompressionSize !== undefined) rest.doc.extension('minimum-compression-size', num(apiGateway.minimumCompressionSize))
    if (apiGateway.apiKeySourceType !== undefined) rest.doc.extension('api-key-source', str(apiGateway.apiKeySourceType))
    return rest
  }
  const httpApi = (): ApiState => {
    if (http !== undefined) return http
    http = newApi('HttpApi', 'HTTP', str(httpApiConfig.name) ?? `${stage}-${service}`)
    http.stages.$default = { variables: {} }
    const cors = httpApiConfig.cors
    if (bool(cors) === true) http.cors = true
    else if (asRecord(cors) !== undefined) {
      const c = asRecord(cors) ?? {}
      const out: Record<string, unknown> = {}
      const map: Record<string, string> = { allowedOrigins: 'allowOrigins', allowedHeaders: 'allowHeaders', allowedMethods: 'allowMethods', allowCredentials: 'allowCredentials', exposedResponseHeaders: 'exposeHeaders', maxAge: 'maxAge' }
      for (const [k, v] of Object.entries(c)) {
        const to = map[k]
        if (to === undefined) diag.warn('provider', ['httpApi', 'cors', k], 'not a provider.httpApi.cors option', ['provider'])
        else out[to] = k === 'maxAge' ? num(v) : k === 'allowCredentials' ? bool(v) : strings(v)
      }
      http.cors = out
    }
    for (const [name, raw] of Object.entries(asRecord(httpApiConfig.authorizers) ?? {})) {
      const a = asRecord(raw) ?? {}
      const at: Path = ['httpApi', 'authorizers', name]
      const type = str(a.type) ?? 'jwt'
      if (type === 'jwt') {
        const issuer = str(a.issuerUrl) ?? diag.fail('provider', [...at, 'issuerUrl'], 'a JWT authorizer needs issuerUrl', ['provider'])
        http.doc.jwtAuthorizer(name, str(a.identitySource) ?? '$request.header.Authorization', issuer, strings(a.audience) ?? [])
        http.auth.authorizers.set(name, 'jwt')
      } else if (type === 'request') {
        const fn = str(a.functionName)
        const arn = fn !== undefined ? functionArn(functionNameOf(fn, [...at, 'functionName']), pseudo) : str(a.functionArn) ?? diag.fail('provider', [...at, 'functionName'], 'a Lambda authorizer needs functionName or functionArn', ['provider'])
        const simple = bool(a.enableSimpleResponses)
        const identity = strings(a.identitySource)
        http.doc.lambdaAuthorizer(name, {
          type: 'request',
          uri: lambdaInvocationUri(arn, pseudo),
          identitySource: identity?.join(', ') ?? '',
          ttl: identity === undefined ? 0 : num(a.resultTtlInSeconds) ?? 300,
          payloadFormatVersion: str(a.payloadVersion) ?? '2.0',
          ...(simple === undefined ? {} : { simpleResponses: simple })
        })
        http.auth.authorizers.set(name, 'lambda')
      } else diag.fail('provider', [...at, 'type'], "must be 'jwt' or 'request'", ['provider'])
    }
    return http
  }
  const functionNameOf = (key: string, at: Path): string => {
    const fn = asRecord(functions[key])
    if (fn === undefined) diag.fail('provider', at, `'${key}' is not a function of this service`, ['provider'])
    return str(fn.name) ?? `${service}-${stage}-${key}`
  }
  const providerEnv = asRecord(provider.environment) ?? {}
  const restCors: Record<string, unknown>[] = []
  let restRoutes = 0
  for (const [key, raw] of Object.entries(functions)) {
    const fn = asRecord(raw) ?? diag.fail(key, [], 'a function is an object with a handler')
    for (const k of Object.keys(fn)) if (!FUNCTION_KEYS.has(k)) diag.warn(key, [k], 'not emulated locally')
    const runtime = str(fn.runtime) ?? str(provider.runtime)
    const name = str(fn.name) ?? `${service}-${stage}-${key}`
    if (!/^[A-Za-z0-9_-]{1,140}$/.test(name)) diag.fail(key, ['name'], `'${name}' is not a Lambda function name`)
    if (!isNodeRuntime(runtime)) {
      diag.warn(key, ['runtime'], `runtime ${String(runtime)} cannot run in-process (gw runs Node.js handlers): its events are not served`)
      continue
    }
    const handler = str(fn.handler) ?? diag.fail(key, ['handler'], 'a function needs a handler (file.export)')
    const resolved = resolveHandler(dir, handler)
    if ('error' in resolved) diag.fail(key, ['handler'], resolved.error)
    const environment = { ...providerEnv, ...asRecord(fn.environment) }
    lambdas[name] = Object.keys(environment).length === 0 ? resolved.ref : { handler: resolved.ref, environment: Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, str(v) ?? JSON.stringify(v)])) }
    const uri = lambdaInvocationUri(functionArn(name, pseudo), pseudo)
    const events = fn.events === undefined ? [] : Array.isArray(fn.events) ? fn.events : diag.fail(key, ['events'], 'events is a list')
    events.forEach((rawEvent, i) => {
      const event = asRecord(rawEvent) ?? diag.fail(key, ['events', i], 'an event is { http: … } or { httpApi: … }')
      const [type, value] = Object.entries(event)[0] ?? []
      const at: Path = ['events', i, type ?? '']
      if (type === 'http') {
        restRoutes++
        const api = restApi()
        const e = typeof value === 'string' ? shorthand(value) : asRecord(value) ?? diag.fail(key, at, "an http event is 'METHOD path' or { path, method }")
        const path = `/${(str(e.path) ?? diag.fail(key, [...at, 'path'], 'an http event needs a path')).replace(/^\/+/, '')}`.replace(/\/$/, '') || '/'
        const method = (str(e.method) ?? diag.fail(key, [...at, 'method'], 'an http event needs a method')).toLowerCase()
        if (!['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'any'].includes(method)) diag.fail(key, [...at, 'method'], `'${method}' is not an HTTP method`)
        const route: RouteInput = { path, method, uri }
        if (bool(e.private) === true) route.apiKeyRequired = true
        if (e.authorizer !== undefined) Object.assign(route, restAuthorizer(api, key, [...at, 'authorizer'], e.authorizer))
        const request = asRecord(e.request)
        if (request !== undefined) {
          const params: Record<string, boolean> = {}
          for (const [group, where] of [['querystrings', 'querystring'], ['headers', 'header'], ['paths', 'path']] as const) {
            for (const [n, v] of Object.entries(asRecord(asRecord(request.parameters)?.[group]) ?? {})) params[`method.request.${where}.${n}`] = bool(v) ?? bool(asRecord(v)?.required) ?? false
          }
          if (Object.keys(params).length > 0) route.requestParameters = params
          const schemas = asRecord(request.schemas)
          if (schemas !== undefined) {
            const named = asRecord(asRecord(apiGateway.request)?.schemas) ?? {}
            route.requestSchemas = Object.fromEntries(
              Object.entries(schemas).map(([type, s]) => {
                const byName = typeof s === 'string' ? asRecord(named[s])?.schema : undefined
                const schema = byName ?? asRecord(s)?.schema ?? s
                if (asRecord(schema) === undefined) diag.fail(key, [...at, 'request', 'schemas', type], 'a JSON schema object, or the name of provider.apiGateway.request.schemas')
                return [type, schema]
              })
            )
          }
          const other = Object.keys(request).filter((k) => k !== 'parameters' && k !== 'schemas')
          if (other.length > 0) diag.warn(key, [...at, 'request', other[0] as string], `request options not emulated: ${other.join(', ')}`)
        }
        if (e.cors !== undefined && bool(e.cors) !== false) restCors.push(bool(e.cors) === true ? {} : asRecord(e.cors) ?? {})
        api.doc.route(route)
        const other = Object.keys(e).filter((k) => !['path', 'method', 'private', 'authorizer', 'request', 'cors', 'integration'].includes(k))
        if (other.length > 0) diag.warn(key, [...at, other[0] as string], `http event options not emulated: ${other.join(', ')}`)
        const integration = str(e.integration)
        if (integration !== undefined && !['lambda-proxy', 'aws_proxy'].includes(integration)) diag.warn(key, [...at, 'integration'], `integration ${integration} is served as lambda-proxy`)
      } else if (type === 'httpApi') {
        const api = httpApi()
        let path: string
        let method: string
        let authorizer: unknown
        if (typeof value === 'string') {
          if (value.trim() === '*') [method, path] = ['any', '$default']
          else {
            const e = shorthand(value)
            ;[method, path] = [String(e.method).toLowerCase(), String(e.path)]
          }
        } else {
          const e = asRecord(value) ?? diag.fail(key, at, "an httpApi event is 'METHOD /path', '*' or { method, path }")
          method = (str(e.method) ?? '*').toLowerCase()
          path = str(e.path) ?? diag.fail(key, [...at, 'path'], 'an httpApi event needs a path')
          authorizer = e.authorizer
        }
        if (method === '*') method = 'any'
        if (path === '*') path = '$default'
        const route: RouteInput = { path, method, uri, payloadFormatVersion: str(httpApiConfig.payload) ?? '2.0' }
        if (authorizer !== undefined) {
          const a = asRecord(authorizer) ?? { name: authorizer }
          const name = str(a.name) ?? str(a.id) ?? diag.fail(key, [...at, 'authorizer'], 'names an authorizer of provider.httpApi.authorizers')
          if (a.type === 'aws_iam') route.iam = true
          else {
            if (!api.auth.authorizers.has(name)) diag.fail(key, [...at, 'authorizer'], `'${name}' is not in provider.httpApi.authorizers`)
            route.authorizer = { name, scopes: strings(a.scopes) ?? [] }
          }
        }
        api.doc.route(route)
      } else diag.warn(key, at, `${String(type)} events are not emulated (gw serves http and httpApi events)`)
    })
  }
  // CORS is an API-wide setting in gw (the console's "Enable CORS"): one http event's cors turns it on for the API.
  if (rest !== undefined && restCors.length > 0) {
    const c = restCors[0] as Record<string, unknown>
    const origins = strings(c.origins) ?? strings(c.origin)
    const cors: Record<string, unknown> = {}
    if (origins !== undefined) cors.allowOrigins = origins
    if (c.headers !== undefined) cors.allowHeaders = strings(c.headers)
    if (c.methods !== undefined) cors.allowMethods = strings(c.methods)
    if (c.maxAge !== undefined) cors.maxAge = num(c.maxAge)
    if (c.allowCredentials !== undefined) cors.allowCredentials = bool(c.allowCredentials)
    rest.cors = Object.keys(cors).length === 0 ? true : cors
    if (restCors.length < restRoutes) diag.warn('provider', ['apiGateway'], `cors is set on ${String(restCors.length)} of ${String(restRoutes)} http events: gw answers CORS for the whole REST API`, ['provider'])
  }
  if (rest !== undefined) keysAndPlans(rest)
  if (rest === undefined && http === undefined) throw SamInvalid(`${source.file}: functions: no function has an http or httpApi event, so there is no API to serve`)
  const out = emit(source.file, [rest, http].filter((a): a is ApiState => a !== undefined), registry, lambdas)
  return { file: source.file, ...out, files: [source.file, ...variables.files], warnings: diag.warnings }

  /** `authorizer:` of an http event: a function of the service (TOKEN/REQUEST), a Lambda ARN, a user pool ARN, or aws_iam. */
  function restAuthorizer(api: ApiState, key: string, at: Path, value: unknown): Pick<RouteInput, 'authorizer' | 'iam'> {
    const a = typeof value === 'string' ? (value.startsWith('arn:') ? { arn: value } : { name: value }) : asRecord(value) ?? diag.fail(key, at, 'a function name, an ARN or { name, type, … }')
    const type = str(a.type)?.toLowerCase()
    if (type === 'aws_iam') return { iam: true }
    const arn = str(a.arn)
    const fnName = arn === undefined ? str(a.name) : undefined
    const name = str(a.name) ?? (arn === undefined ? diag.fail(key, at, 'names a function of this service or gives an arn') : (arn.split(/[:/]/).pop() ?? 'authorizer').replace(/[^A-Za-z0-9_]/g, ''))
    const scopes = strings(a.scopes) ?? []
    if (!api.auth.authorizers.has(name)) {
      if (type === 'cognito_user_pools' || arn?.includes(':cognito-idp:') === true) {
        api.doc.cognitoAuthorizer(name, [arn ?? diag.fail(key, [...at, 'arn'], 'a Cognito authorizer needs the user pool arn')])
        api.auth.authorizers.set(name, 'cognito')
      } else {
        const target = fnName !== undefined ? functionArn(functionNameOf(fnName, ['functions', key, ...at]), pseudo) : (arn as string)
        const requestType = type === 'request'
        const identity = str(a.identitySource) ?? (requestType ? '' : 'method.request.header.Authorization')
        const header = /^method\.request\.header\.(.+)$/.exec(identity)?.[1]
        const validation = str(a.identityValidationExpression)
        api.doc.lambdaAuthorizer(name, {
          type: requestType ? 'request' : 'token',
          uri: lambdaInvocationUri(target, pseudo),
          identitySource: identity,
          ...(header === undefined ? {} : { header }),
          ttl: num(a.resultTtlInSeconds) ?? 300,
          ...(validation === undefined ? {} : { validationExpression: validation })
        })
        api.auth.authorizers.set(name, 'lambda')
      }
    }
    return { authorizer: { name, scopes } }
  }

  /** provider.apiGateway.apiKeys / usagePlan (and the v2 places provider.apiKeys / provider.usagePlan). */
  function keysAndPlans(api: ApiState): void {
    const keys = apiGateway.apiKeys ?? provider.apiKeys
    const plan = apiGateway.usagePlan ?? provider.usagePlan
    if (keys === undefined && plan === undefined) return
    const plans: [string, Record<string, unknown>][] = Array.isArray(plan)
      ? plan.flatMap((p) => Object.entries(asRecord(p) ?? {}).map(([n, v]) => [n, asRecord(v) ?? {}] as [string, Record<string, unknown>]))
      : [['ApiGatewayUsagePlan', asRecord(plan) ?? {}]]
    for (const [id, p] of plans) {
      const init: Parameters<KeyRegistry['plan']>[1] = { name: id === 'ApiGatewayUsagePlan' ? `${service}-${stage}` : id }
      const throttle = asRecord(p.throttle)
      const quota = asRecord(p.quota)
      if (throttle !== undefined) init.throttle = { rateLimit: num(throttle.rateLimit) ?? 10000, burstLimit: num(throttle.burstLimit) ?? 5000 }
      if (quota !== undefined) init.quota = { limit: num(quota.limit) ?? 0, period: (str(quota.period) ?? 'DAY').toUpperCase() as 'DAY', offset: num(quota.offset) ?? 0 }
      registry.plan(safeId(id), init).apiStages.push({ api: api.id, stage })
    }
    const declare = (entry: unknown, planId: string, at: Path): void => {
      const k = typeof entry === 'string' ? { name: entry } : asRecord(entry) ?? diag.fail('provider', at, 'an API key is a name or { name, value }', ['provider'])
      const name = str(k.name) ?? diag.fail('provider', [...at, 'name'], 'an API key needs a name', ['provider'])
      const id = safeId(name)
      const init: Parameters<KeyRegistry['key']>[1] = { name }
      const value = str(k.value)
      if (value !== undefined) init.value = value
      const enabled = bool(k.enabled)
      if (enabled !== undefined) init.enabled = enabled
      const description = str(k.description)
      if (description !== undefined) init.description = description
      registry.key(id, init)
      registry.link(id, planId)
    }
    ;(Array.isArray(keys) ? keys : []).forEach((entry, i) => {
      const record = asRecord(entry)
      // { planName: [keys] } links keys to one of several named plans
      if (record !== undefined && Object.keys(record).length === 1 && Array.isArray(Object.values(record)[0])) {
        const [planName, list] = Object.entries(record)[0] as [string, unknown[]]
        list.forEach((k, j) => declare(k, safeId(planName), ['apiGateway', 'apiKeys', i, planName, j]))
      } else declare(entry, safeId(plans[0]?.[0] ?? 'ApiGatewayUsagePlan'), ['apiGateway', 'apiKeys', i])
    })
  }
}

/** `'GET hello/{id}'` → `{ method, path }`. */
function shorthand(value: string): Record<string, unknown> {
  const [method, path] = value.trim().split(/\s+/)
  return { method, path }
}

/** A config id (letters, digits, _ and -) from a Serverless name. */
function safeId(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '-')
}
