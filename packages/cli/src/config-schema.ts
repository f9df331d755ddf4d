import { z } from 'zod'
import { routeSettingsSchema, serverLimitsSchema, stageVariablesSchema } from '@gw/core'
import { PRINCIPAL_ARN_PATTERN, restStageSchema } from '@gw/gateway'
import { REDIS_URL_PATTERN } from '@gw/store-redis'
import { webSocketApiSchema } from '@gw/websocket'
import { corsConfigurationSchema as corsSchema } from '@gw/cors'

const storeErrorMode = z.enum(['failOpen', 'failClosed', 'local'])

const throttleSchema = z
  .object({
    rateLimit: z.number().min(0).describe('Steady-state requests per second (§8.1).'),
    burstLimit: z.number().int().min(0).describe('Bucket size (§8.1).')
  })
  .strict()

const canarySchema = z
  .object({
    percentTraffic: z.number().min(0).max(100).describe('Share of requests sent to the canary (§6.4).'),
    stageVariableOverrides: stageVariablesSchema.optional(),
    useStageCache: z.boolean().default(false),
    openapi: z.string().min(1).optional().describe('OpenAPI file of the canary deployment; default: the API\'s own file.')
  })
  .strict()

/** An HTTP API route key (§1.3), as `routeSettings` keys name routes. */
const ROUTE_KEY = /^\$default$|^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) \/\S*$/

const stageSchema = z
  .object({
    description: z.string().optional(),
    variables: stageVariablesSchema.default({}),
    defaultRouteSettings: routeSettingsSchema.optional().describe('HTTP APIs: settings of every route of the stage (§6.2); throttling replaces `throttle`.'),
    routeSettings: z
      .record(z.string().regex(ROUTE_KEY, "route settings are keyed by route key, e.g. 'GET /pets' or '$default' (§6.2)"), routeSettingsSchema)
      .optional()
      .describe('HTTP APIs: per-route settings, overriding defaultRouteSettings field by field (§6.2).'),
    canary: canarySchema.optional(),
    throttle: throttleSchema.optional().describe('Stage-level default method throttle (§8.1).'),
    cache: z
      .object({ enabled: z.boolean().default(true), ttlInSeconds: z.number().int().min(0).max(3600).default(300) })
      .strict()
      .optional()
      .describe('Shorthand for cacheClusterEnabled and the */* cacheTtlInSeconds (§7).'),
    methodSettings: restStageSchema.shape.methodSettings.unwrap()
      .optional()
      .describe('REST stage methodSettings keyed "*/*" or "/path/METHOD" (§6.1): throttling, caching (§7), metricsEnabled, loggingLevel, dataTraceEnabled; a method entry overrides */* field by field.'),
    cacheClusterEnabled: z.boolean().optional().describe('REST stage response cache on (§7).'),
    cacheClusterSize: restStageSchema.shape.cacheClusterSize.describe("Cache size in GB (§7): the memory store's byte bound. Default '0.5'.")
  })
  .strict()

const apiSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'API names are letters, digits, _ and -').optional().describe("Defaults to the OpenAPI info.title's slug."),
    openapi: z.string().min(1).describe('OpenAPI 3 / Swagger 2 file, relative to this config file.'),
    basePath: z.enum(['ignore', 'prepend', 'split']).default('ignore').describe('§16.1 basepath import option.'),
    failOnWarnings: z.boolean().default(false),
    cors: z.union([z.literal(true), corsSchema]).optional().describe('HTTP APIs: corsConfiguration (§11.2), replacing x-amazon-apigateway-cors. REST APIs: the console\'s "Enable CORS" (§11.1).'),
    stages: z.record(z.string().regex(/^(\$default|[A-Za-z0-9_-]+)$/, 'stage names are letters, digits, _ and -, or $default (HTTP APIs, served at the root)'), stageSchema),
    apiId: z
      .string()
      .regex(/^[a-z0-9]{1,63}$/, 'an apiId is lower-case letters and digits, e.g. a1b2c3d4e5 (§1.1)')
      .optional()
      .describe('$context.apiId and the {apiId}.execute-api.localhost host name (§1.1). Default: 10 characters derived from the API name, the same on every start.'),
    endpointType: z
      .enum(['REGIONAL', 'EDGE', 'PRIVATE'])
      .optional()
      .describe('Endpoint type (§16.2), overriding the OpenAPI x-amazon-apigateway-endpoint-configuration: EDGE adds CloudFront\'s headers and the 8,192-character URL limit; PRIVATE answers only through vpcEndpoints. HTTP APIs are REGIONAL.'),
    disableExecuteApiEndpoint: z.boolean().optional().describe('The execute-api host name and path prefix answer 403; only custom domains serve (§1.1). Default: the OpenAPI file\'s.'),
    edgeHeaders: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'), z.string())
      .optional()
      .describe('EDGE: CloudFront header values replacing the defaults (a desktop viewer in the US), e.g. CloudFront-Viewer-Country: DE.')
  })
  .strict()

/** A custom domain name (§1.1) with its certificate, optional mutual TLS and base-path mappings. */
const domainSchema = z
  .object({
    domainName: z.string().regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'a host name such as api.example.com'),
    certificate: z.string().min(1).describe('PEM certificate (chain) served to clients whose SNI names this domain, relative to this config file.'),
    privateKey: z.string().min(1).describe('PEM private key of the certificate, relative to this config file.'),
    truststore: z.string().min(1).optional().describe('Mutual TLS: PEM bundle of the client CAs; clients without a certificate they signed are refused in the handshake.'),
    mappings: z
      .array(
        z
          .object({
            basePath: z.string().regex(/^(\(none\)|[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*)$/, 'a base path such as "v1", "v1/orders" or "(none)"').default('(none)'),
            api: z.string().min(1).describe('Name of an API of apis.'),
            stage: z.string().min(1)
          })
          .strict()
      )
      .min(1)
      .describe('Base-path mappings (§1.1): the longest base path on a segment boundary wins; REST and HTTP APIs may share a domain.')
  })
  .strict()

/** A VPC endpoint private APIs are reachable through (§10.9). */
const vpcEndpointSchema = z
  .object({
    id: z.string().regex(/^vpce-[0-9a-z]+$/, 'a VPC endpoint id such as vpce-0123456789abcdef0').describe('$context.identity.vpceId and aws:SourceVpce.'),
    vpcId: z.string().regex(/^vpc-[0-9a-z]+$/, 'a VPC id such as vpc-0123456789abcdef0').optional().describe('$context.identity.vpcId and aws:SourceVpc.'),
    listen: z
      .object({ port: z.number().int().min(0).max(65535), host: z.string().default('127.0.0.1') })
      .strict()
      .optional()
      .describe('A listener of its own: requests to it came through this VPC endpoint.'),
    trustedHeader: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'a header name')
      .optional()
      .describe('Or: a header a trusted proxy in front of the gateway sets to this id. Anyone reaching the port can send it.')
  })
  .strict()
  .refine((v) => (v.listen === undefined) !== (v.trustedHeader === undefined), { message: 'give listen or trustedHeader (one of them)', path: ['listen'] })

const usagePlanSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]+$/).optional().describe('Stable id (defaults to the name).'),
    name: z.string().min(1),
    description: z.string().optional(),
    apiStages: z
      .array(
        z
          .object({
            api: z.string().min(1),
            stage: z.string().min(1),
            throttle: z.record(z.string().regex(/^\/.*\/[A-Z*]+$/, "method throttle keys look like '/pets/GET' (§9.1)"), throttleSchema).optional()
          })
          .strict()
      )
      .min(1),
    throttle: throttleSchema.optional(),
    quota: z
      .object({ limit: z.number().int().min(0), period: z.enum(['DAY', 'WEEK', 'MONTH']), offset: z.number().int().min(0).default(0) })
      .strict()
      .optional()
  })
  .strict()

/** The name of an environment variable (secrets are read from the environment, never from the config). */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')

const apiKeySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]+$/).optional().describe('Stable id (defaults to the name).'),
    name: z.string().min(1).max(1024),
    description: z.string().optional(),
    customerId: z.string().optional(),
    valueFromEnv: envName.describe('Environment variable holding the key value (20–128 characters, §9.1). Values never live in the config.'),
    enabled: z.boolean().default(true),
    usagePlans: z.array(z.string()).default([])
  })
  .strict()

const iamCredentialSchema = z
  .object({
    accessKeyIdFromEnv: envName.describe('Environment variable holding the access key id (16–128 letters and digits).'),
    secretAccessKeyFromEnv: envName.describe('Environment variable holding the secret access key.'),
    sessionTokenFromEnv: envName.optional().describe('Temporary credentials: environment variable holding the session token requests must carry (X-Amz-Security-Token, §10.8).'),
    principalArn: z
      .string()
      .regex(PRINCIPAL_ARN_PATTERN, 'an IAM principal ARN such as arn:aws:iam::123456789012:user/alice')
      .describe('The caller: $context.identity.userArn; its account decides same- or cross-account with the resource policy (§10.9).'),
    userId: z.string().min(1).optional().describe('$context.identity.caller / user. Default: the access key id.'),
    policy: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())])
      .optional()
      .describe('Identity policy (IAM JSON, object or text) on execute-api ARNs. Absent: only a same-account resource policy can allow (§10.9).')
  })
  .strict()

const iamSchema = z
  .object({
    region: z.string().regex(/^[a-z0-9-]+$/, 'a region such as eu-west-1').default('us-east-1').describe("The APIs' region: SigV4 credential scope and method ARNs (§10.1, §10.8)."),
    accountId: z.string().regex(/^\d{12}$/, '12 digits').default('123456789012').describe("The APIs' account: method ARNs, same- vs cross-account callers (§10.9)."),
    credentials: z.array(iamCredentialSchema).min(1, 'at least one credential').describe('Access keys that may call AWS_IAM routes; values come only from environment variables.')
  })
  .strict()

const lambdaRef = z
  .string()
  .regex(/^[^#]+#[A-Za-z_$][A-Za-z0-9_$]*$/, "a Lambda is 'path/to/module.mjs#exportName'")
  .describe('Module and export of an in-process Lambda handler.')

const trustProxySchema = z.union([z.boolean(), z.number().int().min(0), z.array(z.string())])

/** stdout, stderr, or a file path relative to the config file. */
const logDestination = z.string().min(1).default('stdout').describe("'stdout', 'stderr', or a file path relative to this config file (appended).")

/** The `metrics` section (aws-semantics §13): what @gw/metrics exports and where. */
const metricsSchema = z
  .object({
    prometheus: z
      .union([
        z.boolean(),
        z
          .object({
            port: z.number().int().min(0).max(65535).optional().describe('Serve GET {path} on its own port; without it /metrics is served under management.path behind the admin token.'),
            host: z.string().default('127.0.0.1'),
            path: z.string().startsWith('/').optional()
          })
          .strict()
      ])
      .default(false)
      .describe('Prometheus text exposition (never on the API listener).'),
    path: z.string().startsWith('/').default('/metrics').describe('Path of the Prometheus endpoint.'),
    accessLogFormat: z.string().min(1).optional().describe('Access log format with $context variables or CLF/JSON/XML/CSV (§13.2); same as accessLog.format.'),
    accessLog: z
      .object({
        format: z.string().min(1).describe('A $context template or CLF, JSON, XML, CSV (§13.2).'),
        destination: logDestination,
        flushBytes: z.number().int().min(1).optional().describe('Write queued lines once they reach this many characters (about bytes). Default 16384.'),
        flushDelayMs: z.number().int().min(0).max(60_000).optional().describe('Write a smaller batch this many ms after its first line (a line may reach the destination this much later). Default 100.')
      })
      .strict()
      .optional()
      .describe('One access log line per request, for every stage (§13.2).'),
    emf: z
      .union([z.boolean(), z.object({ destination: logDestination, intervalSeconds: z.number().int().min(1).default(60) }).strict()])
      .optional()
      .describe('CloudWatch Embedded Metric Format lines in AWS/ApiGateway (§13.1).'),
    otel: z
      .union([z.boolean(), z.object({ tracerName: z.string().min(1).optional() }).strict()])
      .optional()
      .describe('OpenTelemetry spans through @opentelemetry/api (install it and register an SDK).'),
    detailedMetrics: z.boolean().default(false).describe('Per-method (REST metricsEnabled) / per-route (HTTP detailedMetricsEnabled) dimensions on every stage (§6.1, §6.2).'),
    executionLogs: z.boolean().default(false).describe('REST execution logs per method loggingLevel / dataTraceEnabled, on the gateway logger (§13.2).')
  })
  .strict()

/**
 * The `gw.config.yaml` schema (zod, validated once at load). Its JSON Schema twin is published as
 * `@gw/cli/schema/gw.config.schema.json` for editor completion.
 */
export const gwConfigSchema = z
  .object({
    $schema: z.string().optional(),
    apis: z.array(apiSchema).default([]),
    websocketApis: z
      .array(webSocketApiSchema)
      .default([])
      .describe('WebSocket APIs (§14) in the apigatewayv2 shape (protocolType: WEBSOCKET, routes, integrations, authorizers, stages), served at ws://host:port/{stage} on the same port.'),
    websocket: z
      .object({
        leaseMs: z.number().int().min(50).max(3_600_000).default(15_000).describe('Instance lease in the registry: after a crash its connections answer 410 on every instance within this time.'),
        instanceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().describe('This instance in the registry (default: random per start).'),
        unsignedConnectionsApi: z.boolean().default(false).describe('@connections without SigV4 (local development only).'),
        limits: z
          .object({
            maxFrameBytes: z.number().int().min(125).optional(),
            maxMessageBytes: z.number().int().min(125).optional(),
            idleTimeoutMs: z.number().int().min(10).optional(),
            maxConnectionMs: z.number().int().min(10).optional(),
            maxBufferedBytes: z.number().int().min(1024).optional(),
            newConnectionRateLimit: z.number().positive().optional(),
            newConnectionBurstLimit: z.number().int().min(1).optional()
          })
          .strict()
          .default({})
          .describe('§14.4 limits (defaults: 32 KB frames, 128 KB messages, 10 min idle, 2 h, 1 MB send buffer, 500 new connections/s).')
      })
      .strict()
      .default({ leaseMs: 15_000, unsignedConnectionsApi: false, limits: {} })
      .describe('Registry and limits of the WebSocket APIs (the registry is `store`: memory, or Redis shared by instances).'),
    domains: z.array(domainSchema).default([]).describe('Custom domain names (§1.1) on one TLS listener (certificate by SNI) with base-path mappings to the APIs.'),
    vpcEndpoints: z.array(vpcEndpointSchema).default([]).describe('VPC endpoints through which PRIVATE APIs answer (§10.9 aws:SourceVpce / aws:SourceVpc).'),
    usagePlans: z.array(usagePlanSchema).default([]),
    apiKeys: z.array(apiKeySchema).default([]),
    lambdas: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]+$/, 'Lambda names are letters, digits, _ and -'),
        z.union([
          lambdaRef,
          z
            .object({
              handler: lambdaRef,
              environment: z.record(envName, z.string()).default({}).describe("The function's own environment variables (Lambda Environment.Variables): process.env shows them to this function only.")
            })
            .strict()
        ])
      )
      .default({}),
    iam: iamSchema.optional().describe('AWS_IAM (SigV4) routes (§10.8): the accepted access keys, read from environment variables.'),
    store: z
      .union([z.literal('memory'), z.string().regex(REDIS_URL_PATTERN, "store is 'memory', a redis:// URL or redis+cluster://host:port,host:port (Cluster seed nodes)")])
      .default('memory')
      .describe("'memory', a redis:// URL shared by gateway instances (and workers), or redis+cluster://h1:p1,h2:p2 for Redis Cluster."),
    onStoreError: z
      .object({
        throttle: storeErrorMode.default('local').describe('Rate limits while Redis is down: local buckets per instance (N instances admit up to N × the rate).'),
        quota: storeErrorMode
          .default('failClosed')
          .describe('Quotas while Redis is down: failClosed refuses (429 Limit Exceeded) so no instance over-admits; local counts on from the last count each instance saw.'),
        cache: storeErrorMode.default('failOpen').describe('Response cache while Redis is down: failOpen reads as a miss and skips writes.'),
        connections: storeErrorMode.default('local').describe('WebSocket connection registry while Redis is down: local keeps this instance\'s connections.')
      })
      .strict()
      .default({ throttle: 'local', quota: 'failClosed', cache: 'failOpen', connections: 'local' })
      .describe('What each kind of shared state does while the Redis store fails: failOpen, failClosed or local (see the CLI README).'),
    storePrefix: z
      .string()
      .regex(/^[^{}\s]+$/, 'no braces or spaces')
      .max(64)
      .default('gw')
      .describe('Key prefix in Redis, so several gateways (or test runs) can share one Redis.'),
    cache: z
      .object({ maxBytes: z.number().int().min(1).optional().describe("Caps each stage's memory cache below its cacheClusterSize (bytes).") })
      .strict()
      .default({})
      .describe('Stage response cache (§7) bounds of the memory store; with store: redis:// entries live in Redis.'),
    metrics: metricsSchema.default({ prometheus: false, path: '/metrics', detailedMetrics: false, executionLogs: false }),
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        trustProxy: trustProxySchema.default(false),
        tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).strict().optional().describe('PEM files, relative to the config. With domains: the certificate for names no domain has.'),
        executeApiDomain: z
          .string()
          .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)*$/, 'a DNS name such as execute-api.localhost')
          .default('execute-api.localhost')
          .describe('Each API also answers at {apiId}.{executeApiDomain} (§1.1); *.localhost resolves to loopback without a hosts file.'),
        drainTimeoutMs: z.number().int().min(0).default(10_000).describe('How long SIGTERM waits for in-flight requests.'),
        limits: serverLimitsSchema
          .optional()
          .describe('Slow-client and connection limits: headersTimeoutMs (10000), requestTimeoutMs (60000), keepAliveTimeoutMs (5000), idleTimeoutMs (65000), maxConnections (0 = no cap).')
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080, trustProxy: false, executeApiDomain: 'execute-api.localhost', drainTimeoutMs: 10_000 }),
    management: z
      .object({
        enabled: z.boolean().default(false),
        path: z.string().startsWith('/').default('/_gw'),
        tokenFromEnv: z.string().default('GW_ADMIN_TOKEN').describe('Environment variable holding the admin bearer token.')
      })
      .strict()
      .default({ enabled: false, path: '/_gw', tokenFromEnv: 'GW_ADMIN_TOKEN' })
  })
  .strict()
  .refine((c) => c.apis.length + c.websocketApis.length > 0, { message: 'at least one API is required (apis or websocketApis)', path: ['apis'] })

/** `gw.config.yaml` as written (defaults optional). */
export type GwConfigInput = z.input<typeof gwConfigSchema>
/** `gw.config.yaml` after validation (defaults filled). */
export type GwConfig = z.output<typeof gwConfigSchema>
/** One API entry of the config. */
export type ApiConfig = GwConfig['apis'][number]
/** One stage of an API. */
export type StageConfig = ApiConfig['stages'][string]
/** One usage plan. */
export type UsagePlanConfig = GwConfig['usagePlans'][number]
/** One API key. */
export type ApiKeyConfig = GwConfig['apiKeys'][number]
/** One WebSocket API of the config (§14). */
export type WebSocketApiConfig = GwConfig['websocketApis'][number]
/** One custom domain of the config (§1.1). */
export type DomainConfig = GwConfig['domains'][number]
/** One VPC endpoint of the config (§10.9). */
export type VpcEndpointConfig = GwConfig['vpcEndpoints'][number]
/** The `iam` section (AWS_IAM routes, §10.8). */
export type IamConfig = NonNullable<GwConfig['iam']>

/**
 * The JSON Schema (draft 2020-12) of `gw.config.yaml`, generated from {@link gwConfigSchema}.
 * @example
 * writeFileSync('gw.config.schema.json', JSON.stringify(gwConfigJsonSchema(), null, 2))
 */
export function gwConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(gwConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  return { ...schema, title: 'gw.config.yaml' }
}
