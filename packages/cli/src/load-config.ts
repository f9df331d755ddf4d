import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { importOpenApiFile, importOpenApiObject, nearestLine, parseSourceText, type ImportResult, type ImportWarning, type SourceFormat } from '@gw/openapi'
import { ACCESS_KEY_ID_PATTERN, compilePolicy, definitionRoutes, type ApiDefinitionInput, type GatewayIamOptions, type IamCredentials } from '@gw/gateway'
import { withRestCors, type RestCorsOptions } from '@gw/cors'
import { deriveApiId, type EndpointType } from '@gw/domains'
import { gwConfigSchema, type ApiConfig, type GwConfig } from './config-schema.js'
import { CliConfigInvalid } from './errors.js'
import { safeParseHostile } from '@gw/core'

/** `gw.config.yaml`: YAML or JSON, refused with GW_CLI_CONFIG_INVALID naming the file and line. */
const CONFIG_SOURCE: SourceFormat = { expected: 'YAML or JSON', invalid: CliConfigInvalid }

/** One API of a loaded config: its entry, its imported definition and the import warnings. */
export interface LoadedApi {
  /** URL-safe name (config `name`, or a slug of `info.title`). */
  name: string
  /** `$context.apiId` and the `{apiId}.execute-api…` host name: config `apiId`, else derived from `name` (§1.1). */
  apiId: string
  /** Config `endpointType`, else the OpenAPI endpoint configuration's, else REGIONAL (§16.2). */
  endpointType: EndpointType
  /** Config `disableExecuteApiEndpoint`, else the OpenAPI file's (§1.1). */
  disableExecuteApiEndpoint: boolean
  config: ApiConfig
  /** Absolute path of the OpenAPI file. */
  file: string
  /** The `createGateway()` definition the OpenAPI file imports to (@gw/openapi), `cors:` applied; no stages yet. */
  definition: ApiDefinitionInput
  /** Canary deployment definitions by stage, when a stage's canary names its own OpenAPI file (§6.4). */
  canaryDefinitions: Record<string, ApiDefinitionInput>
  warnings: ImportWarning[]
}

/** A validated config with every OpenAPI file imported and every cross-reference checked. */
export interface LoadedConfig {
  /** Absolute path of the config file (or `<quick>` in quick mode). */
  file: string
  /** Directory relative paths resolve against. */
  dir: string
  config: GwConfig
  apis: LoadedApi[]
  /** Every file the config depends on (for `--watch`). */
  files: string[]
  /** `createGateway()` options for AWS_IAM routes (§10.8): the `iam` section with its keys read from the environment. */
  iam: GatewayIamOptions | undefined
  /** The environment `valueFromEnv` names were read from, when it is not the caller's (a translated template's keys). */
  env?: NodeJS.ProcessEnv
  /** The custom domains (§1.1) with their PEM files read and mappings naming apiIds. */
  domains: LoadedDomain[]
}

/** A custom domain of the config with its certificate files read. */
export interface LoadedDomain {
  domainName: string
  cert: Buffer
  key: Buffer
  truststore: Buffer | undefined
  mappings: { basePath: string; apiId: string; stage: string }[]
}

/**
 * Reads, validates and resolves `gw.config.yaml`: zod schema, OpenAPI imports (§16), and references between
 * usage plans, keys, stages and Lambdas. Everything is checked here, never per request.
 * @throws GwError GW_CLI_CONFIG_INVALID (`file:line: field: why`), GW_OPENAPI_INVALID, GW_OPENAPI_REF
 * @example
 * const loaded = loadConfig('gw.config.yaml', process.env)
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const absolute = resolve(file)
  let text: string
  try {
    text = readFileSync(absolute, 'utf8')
  } catch (err) {
    throw CliConfigInvalid(`${absolute}: cannot read config (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err })
  }
  const source = parseSourceText(text, absolute, CONFIG_SOURCE)
  const result = safeParseHostile(gwConfigSchema, source.value ?? {})
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
      const line = nearestLine(source, path)
      const field = path.length === 0 ? '(root)' : formatPath(path)
      return `${absolute}${line === undefined ? '' : `:${String(line)}`}: ${field}: ${issue.message}`
    })
    throw CliConfigInvalid(lines.join('\n'), { cause: result.error })
  }
  return resolveConfig(result.data, absolute, dirname(absolute), env, (path) => source.lineOf(path))
}

/** A config that is not a file of its own: a translated SAM template or serverless.yml (@gw/sam). */
export interface ConfigObjectSource {
  /** The `gw.config.yaml` object. */
  config: unknown
  /** The file it came from (messages name it; relative paths resolve against its directory). */
  file: string
  /** OpenAPI documents by the name `apis[].openapi` gives them. */
  documents?: Readonly<Record<string, unknown>>
  /** More files the config depends on (`--watch`). */
  files?: readonly string[]
  /** Environment values the config's `valueFromEnv` names default to; the real environment wins. */
  env?: Readonly<Record<string, string>>
}

/**
 * Validates and resolves a config object exactly like {@link loadConfig} does a file (same schema, same checks).
 * @throws GwError GW_CLI_CONFIG_INVALID (`file: field: why`), GW_OPENAPI_INVALID, GW_OPENAPI_REF
 * @example
 * const loaded = loadConfigObject({ config: { apis: [...] }, file: 'template.yaml', documents }, process.env)
 */
export function loadConfigObject(source: ConfigObjectSource, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const absolute = resolve(source.file)
  const result = safeParseHostile(gwConfigSchema, source.config)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${absolute}: ${formatPath(issue.path.filter((p): p is string | number => typeof p !== 'symbol'))}: ${issue.message}`)
    throw CliConfigInvalid(lines.join('\n'), { cause: result.error })
  }
  const merged = source.env === undefined ? env : { ...source.env, ...env }
  const loaded = resolveConfig(result.data, absolute, dirname(absolute), merged, undefined, source.documents)
  for (const file of source.files ?? []) if (!loaded.files.includes(file)) loaded.files.push(file)
  return { ...loaded, env: merged }
}

/** The `module#export` of a `lambdas` entry (a string, or `{ handler, environment }`). */
export function lambdaHandlerRef(entry: GwConfig['lambdas'][string]): string {
  return typeof entry === 'string' ? entry : entry.handler
}

/**
 * Resolves an already-validated config object (quick mode builds one from flags).
 * @throws GwError GW_CLI_CONFIG_INVALID, GW_OPENAPI_INVALID, GW_OPENAPI_REF
 */
export function resolveConfig(
  config: GwConfig,
  file: string,
  dir: string,
  env: NodeJS.ProcessEnv,
  lineOf: (path: (string | number)[]) => number | undefined = () => undefined,
  documents: Readonly<Record<string, unknown>> = {}
): LoadedConfig {
  const fail: (path: (string | number)[], message: string) => never = (path, message) => {
    const line = lineOf(path)
    throw CliConfigInvalid(`${file}${line === undefined ? '' : `:${String(line)}`}: ${formatPath(path)}: ${message}`)
  }
  const files = [file]
  const apis: LoadedApi[] = []
  config.apis.forEach((api, index) => {
    // An in-memory document (a translated SAM template's API) is named by its label; anything else is a file.
    const inMemory = Object.hasOwn(documents, api.openapi)
    const openapiFile = inMemory ? api.openapi : resolve(dir, api.openapi)
    if (!inMemory && !existsSync(openapiFile)) fail(['apis', index, 'openapi'], `file not found: ${openapiFile}`)
    if (!inMemory) files.push(openapiFile)
    const imported = tryImport(() => importApi(api, openapiFile, inMemory ? { document: documents[api.openapi] } : undefined), ['apis', index, 'cors'], fail)
    const name = api.name ?? slug(imported.definition.name)
    if (apis.some((other) => other.name === name)) fail(['apis', index, 'name'], `duplicate API name '${name}'`)
    const protocol = imported.definition.protocol
    const routeKeys = new Set(definitionRoutes(imported.definition).map((r) => r.routeKey))
    for (const [stage, settings] of Object.entries(api.stages)) {
      const at = ['apis', index, 'stages', stage]
      if (protocol === 'REST' && stage === '$default') fail(at, 'only HTTP APIs have a $default stage (§6.2); name REST stages with letters, digits, _ and -')
      if (protocol === 'REST' && (settings.defaultRouteSettings !== undefined || settings.routeSettings !== undefined))
        fail([...at, settings.defaultRouteSettings === undefined ? 'routeSettings' : 'defaultRouteSettings'], 'defaultRouteSettings / routeSettings are HTTP API stage settings (§6.2); REST stages use throttle')
      if (settings.throttle !== undefined && settings.defaultRouteSettings !== undefined) fail([...at, 'throttle'], 'give throttle or defaultRouteSettings, not both (throttle is defaultRouteSettings throttling on HTTP APIs)')
      for (const key of Object.keys(settings.routeSettings ?? {}))
        if (!routeKeys.has(key)) fail([...at, 'routeSettings', key], `the API has no route '${key}' (routes: ${[...routeKeys].join(', ')})`)
    }
    const canaryDefinitions: Record<string, ApiDefinitionInput> = {}
    for (const [stage, settings] of Object.entries(api.stages)) {
      if (settings.canary?.openapi === undefined) continue
      const canaryFile = resolve(dir, settings.canary.openapi)
      if (!existsSync(canaryFile)) fail(['apis', index, 'stages', stage, 'canary', 'openapi'], `file not found: ${canaryFile}`)
      files.push(canaryFile)
      canaryDefinitions[stage] = tryImport(() => importApi({ ...api, failOnWarnings: false }, canaryFile), ['apis', index, 'cors'], fail).definition
    }
    const apiId = api.apiId ?? deriveApiId(name)
    const sameId = apis.find((other) => other.apiId === apiId)
    if (sameId !== undefined) fail(['apis', index, 'apiId'], `apiId '${apiId}' is also API '${sameId.name}''s`)
    const endpoint = imported.definition.endpointConfiguration
    const declared = endpoint?.types?.[0]
    const endpointType = api.endpointType ?? (declared === 'EDGE' || declared === 'PRIVATE' ? declared : 'REGIONAL')
    if (protocol === 'HTTP' && endpointType !== 'REGIONAL') fail(['apis', index, 'endpointType'], `HTTP APIs are REGIONAL only (§0.2), not ${endpointType}`)
    // §10.9: AWS refuses to deploy a private API without a resource policy
    if (endpointType === 'PRIVATE' && (imported.definition.protocol !== 'REST' || imported.definition.policy === undefined)) fail(['apis', index, 'endpointType'], `${openapiFile}: a PRIVATE API needs a resource policy (x-amazon-apigateway-policy) naming who may call it, e.g. by aws:SourceVpce (§10.9)`)
    const disableExecuteApiEndpoint = api.disableExecuteApiEndpoint ?? imported.definition.disableExecuteApiEndpoint ?? false
    apis.push({ name, apiId, endpointType, disableExecuteApiEndpoint, config: api, file: openapiFile, definition: imported.definition, canaryDefinitions, warnings: imported.warnings })
  })
  const readPem = (path: (string | number)[], relative: string): Buffer => {
    const absolute = resolve(dir, relative)
    if (!existsSync(absolute)) fail(path, `file not found: ${absolute}`)
    files.push(absolute)
    return readFileSync(absolute)
  }
  const domainNames = new Set<string>()
  const domains: LoadedDomain[] = config.domains.map((d, index) => {
    const at = ['domains', index]
    const lower = d.domainName.toLowerCase()
    if (domainNames.has(lower)) fail([...at, 'domainName'], `duplicate domain '${lower}'`)
    domainNames.add(lower)
    const mappings = d.mappings.map((m, j) => {
      const api = apis.find((a) => a.name === m.api)
      if (api === undefined) fail([...at, 'mappings', j, 'api'], `unknown API '${m.api}' (known: ${apis.map((a) => a.name).join(', ')})`)
      if (api.config.stages[m.stage] === undefined) fail([...at, 'mappings', j, 'stage'], `API '${api.name}' has no stage '${m.stage}'`)
      return { basePath: m.basePath, apiId: api.apiId, stage: m.stage }
    })
    return {
      domainName: lower,
      cert: readPem([...at, 'certificate'], d.certificate),
      key: readPem([...at, 'privateKey'], d.privateKey),
      truststore: d.truststore === undefined ? undefined : readPem([...at, 'truststore'], d.truststore),
      mappings
    }
  })
  const vpceIds = new Set<string>()
  config.vpcEndpoints.forEach((v, index) => {
    if (vpceIds.has(v.id)) fail(['vpcEndpoints', index, 'id'], `duplicate VPC endpoint '${v.id}'`)
    vpceIds.add(v.id)
  })

  const planIds = new Set<string>()
  config.usagePlans.forEach((plan, index) => {
    const id = plan.id ?? plan.name
    if (planIds.has(id)) fail(['usagePlans', index, 'name'], `duplicate usage plan '${id}'`)
    planIds.add(id)
    plan.apiStages.forEach((apiStage, s) => {
      const api = apis.find((a) => a.name === apiStage.api)
      if (api === undefined) fail(['usagePlans', index, 'apiStages', s, 'api'], `unknown API '${apiStage.api}' (known: ${apis.map((a) => a.name).join(', ')})`)
      if (api.config.stages[apiStage.stage] === undefined) fail(['usagePlans', index, 'apiStages', s, 'stage'], `API '${api.name}' has no stage '${apiStage.stage}' (§9.2)`)
    })
  })
  /** The value of the environment variable named at `path` of the config; a missing or empty one is refused. */
  const fromEnv = (path: (string | number)[], name: string): string => {
    const value = env[name]
    if (value === undefined || value === '') fail(path, `environment variable ${name} is not set`)
    return value
  }
  const keyIds = new Set<string>()
  config.apiKeys.forEach((key, index) => {
    const id = key.id ?? key.name
    if (keyIds.has(id)) fail(['apiKeys', index, 'name'], `duplicate API key '${id}'`)
    keyIds.add(id)
    const value = fromEnv(['apiKeys', index, 'valueFromEnv'], key.valueFromEnv)
    if (value.length < 20 || value.length > 128) fail(['apiKeys', index, 'valueFromEnv'], `the value of ${key.valueFromEnv} must be 20–128 characters (§9.1)`)
    key.usagePlans.forEach((plan, p) => {
      if (!planIds.has(plan)) fail(['apiKeys', index, 'usagePlans', p], `unknown usage plan '${plan}'`)
    })
  })
  for (const [name, entry] of Object.entries(config.lambdas)) {
    const ref = lambdaHandlerRef(entry)
    const module = resolve(dir, ref.slice(0, ref.lastIndexOf('#')))
    if (!existsSync(module)) fail(['lambdas', name], `module not found: ${module}`)
    files.push(module)
  }
  if (config.server.tls !== undefined) {
    for (const part of ['cert', 'key'] as const) {
      if (!existsSync(resolve(dir, config.server.tls[part]))) fail(['server', 'tls', part], `file not found: ${resolve(dir, config.server.tls[part])}`)
    }
  }
  let iam: GatewayIamOptions | undefined
  if (config.iam !== undefined) {
    // Keys are read from the environment only (secrets stay out of configs that get committed), like apiKeys.
    const credentials: Record<string, IamCredentials> = {}
    config.iam.credentials.forEach((c, index) => {
      const at = ['iam', 'credentials', index]
      const accessKeyId = fromEnv([...at, 'accessKeyIdFromEnv'], c.accessKeyIdFromEnv)
      if (!ACCESS_KEY_ID_PATTERN.test(accessKeyId)) fail([...at, 'accessKeyIdFromEnv'], `the value of ${c.accessKeyIdFromEnv} is not an access key id (16–128 letters and digits)`)
      if (Object.hasOwn(credentials, accessKeyId)) fail([...at, 'accessKeyIdFromEnv'], `the value of ${c.accessKeyIdFromEnv} is an access key id already listed`)
      if (c.policy !== undefined) {
        // Checked here so the message names the config line; a bad identity policy would otherwise deny silently.
        const compiled = compilePolicy(c.policy)
        if (!compiled.ok) fail([...at, 'policy'], compiled.reason)
      }
      credentials[accessKeyId] = {
        secretAccessKey: fromEnv([...at, 'secretAccessKeyFromEnv'], c.secretAccessKeyFromEnv),
        ...(c.sessionTokenFromEnv === undefined ? {} : { sessionToken: fromEnv([...at, 'sessionTokenFromEnv'], c.sessionTokenFromEnv) }),
        // arn:aws:iam::{account}:user/alice: the fifth field is the principal's account (§10.9 same vs cross account).
        principal: { arn: c.principalArn, accountId: c.principalArn.split(':')[4] ?? '', ...(c.userId === undefined ? {} : { userId: c.userId }) },
        ...(c.policy === undefined ? {} : { policy: c.policy as IamCredentials['policy'] })
      }
    })
    iam = { region: config.iam.region, accountId: config.iam.accountId, credentials }
  }
  // Every AWS_PROXY integration must name a Lambda of the `lambdas` map (§2), and AWS_IAM routes need the `iam`
  // section (§10.8): caught here, not on the first request.
  config.apis.forEach((_api, index) => {
    const loaded = apis[index]
    if (loaded === undefined) return
    for (const definition of [loaded.definition, ...Object.values(loaded.canaryDefinitions)]) {
      for (const route of definitionRoutes(definition)) {
        if (route.authorizationType === 'AWS_IAM' && iam === undefined) {
          fail(['apis', index, 'openapi'], `${loaded.file}: route '${route.routeKey}' uses AWS_IAM (§10.8), which needs an iam section (iam.credentials[]: { accessKeyIdFromEnv, secretAccessKeyFromEnv, principalArn, policy? })`)
        }
        const uri = route.integration?.type === 'AWS_PROXY' ? route.integration.uri : undefined
        if (uri === undefined) continue
        const fn = lambdaName(uri)
        if (fn !== undefined && !fn.includes('${') && config.lambdas[fn] === undefined) {
          fail(['apis', index, 'openapi'], `${loaded.file}: route '${route.routeKey}' invokes Lambda '${fn}' which is not in lambdas (add lambdas.${fn}: ./path.mjs#handler)`)
        }
      }
    }
  })
  // WebSocket APIs (§14): Lambda integrations and authorizers name Lambdas of the map; AWS_IAM on $connect needs iam.
  config.websocketApis.forEach((ws, index) => {
    for (const [i, integration] of ws.integrations.entries()) {
      const fn = integration.integrationType === 'AWS_PROXY' && integration.integrationUri !== undefined ? lambdaName(integration.integrationUri) : undefined
      if (fn !== undefined && !fn.includes('${') && config.lambdas[fn] === undefined)
        fail(['websocketApis', index, 'integrations', i, 'integrationUri'], `integration ${integration.integrationId} invokes Lambda '${fn}' which is not in lambdas (add lambdas.${fn}: ./path.mjs#handler)`)
    }
    for (const [i, authorizer] of ws.authorizers.entries()) {
      const fn = lambdaName(authorizer.authorizerUri)
      if (fn !== undefined && config.lambdas[fn] === undefined) fail(['websocketApis', index, 'authorizers', i, 'authorizerUri'], `authorizer ${authorizer.authorizerId} invokes Lambda '${fn}' which is not in lambdas`)
    }
    for (const [i, route] of ws.routes.entries())
      if (route.authorizationType === 'AWS_IAM' && iam === undefined) fail(['websocketApis', index, 'routes', i, 'authorizationType'], '$connect uses AWS_IAM (§10.8), which needs an iam section')
  })
  return { file, dir, config, apis, files, iam, domains }
}

/** `cors: true` on an HTTP API: every origin, method and header (§11.2). */
const HTTP_CORS_ANYWHERE = { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'] }

/**
 * An API entry's OpenAPI file as the definition `createGateway()` takes (@gw/openapi's import, §16.1), with the entry's
 * `cors:` applied: on an HTTP API it is the `corsConfiguration` (§11.2); on a REST API it generates the console's
 * "Enable CORS" methods (§11.1, @gw/cors), so both serving and GetExport see it. `gw serve` and CreateDeployment
 * (management API) load files through here, so a redeploy keeps the config's CORS.
 * @throws GwError GW_OPENAPI_INVALID, GW_OPENAPI_REF; GW_CONFIG_INVALID for REST `cors:` options @gw/cors refuses
 */
export function importApi(api: ApiConfig, file: string, inMemory?: { document: unknown }): ImportResult {
  const options = { basePath: api.basePath, failOnWarnings: api.failOnWarnings }
  // `file` labels an in-memory document (a translated SAM template's API) in messages
  const imported = inMemory === undefined ? importOpenApiFile(file, options) : importOpenApiObject(inMemory.document, options, file)
  const definition = imported.definition
  if (api.cors === undefined) return imported
  if (definition.protocol === 'HTTP') {
    definition.corsConfiguration = api.cors === true ? { ...HTTP_CORS_ANYWHERE } : Object.fromEntries(Object.entries(api.cors).filter(([, v]) => v !== undefined))
    return imported
  }
  return { ...imported, definition: withRestCors(definition, api.cors === true ? {} : (api.cors as RestCorsOptions)) }
}

/** Runs an import; a GW_CONFIG_INVALID from @gw/cors (REST `cors:` options) names the config field. */
function tryImport(run: () => ImportResult, at: (string | number)[], fail: (path: (string | number)[], message: string) => never): ImportResult {
  try {
    return run()
  } catch (err) {
    if ((err as { code?: unknown }).code === 'GW_CONFIG_INVALID') return fail(at, (err as Error).message)
    throw err
  }
}

/** The function name of a Lambda integration URI (`...:function:orders/invocations` → `orders`), or the bare name. */
export function lambdaName(uri: string): string | undefined {
  const match = /:function:([^/:]+)(?::[^/]+)?\/invocations$/.exec(uri) ?? /^arn:aws:lambda:[^:]*:[^:]*:function:([^:/]+)/.exec(uri)
  if (match !== null) return match[1]
  return /^[A-Za-z0-9_-]+$/.test(uri) ? uri : undefined
}

function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'api'
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${String(p)}]` : i === 0 ? p : `.${p}`)).join('')
}
