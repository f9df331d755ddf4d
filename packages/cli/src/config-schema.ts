import { z } from 'zod'
import { STAGE_VARIABLE_NAME, STAGE_VARIABLE_VALUE } from '@gw/core'

const throttleSchema = z
  .object({
    rateLimit: z.number().min(0).describe('Steady-state requests per second (§8.1).'),
    burstLimit: z.number().int().min(0).describe('Bucket size (§8.1).')
  })
  .strict()

const stageVariablesSchema = z
  .record(
    z.string().regex(STAGE_VARIABLE_NAME, 'stage variable names are letters, digits and underscore (§6.3)').max(64),
    z.string().regex(STAGE_VARIABLE_VALUE, 'stage variable values allow only A-Za-z0-9-._~:/?#&=, (§6.3)').max(512)
  )
  .refine((vars) => Object.keys(vars).length <= 100, 'at most 100 stage variables per stage (§6.3)')

const canarySchema = z
  .object({
    percentTraffic: z.number().min(0).max(100).describe('Share of requests sent to the canary (§6.4).'),
    stageVariableOverrides: stageVariablesSchema.optional(),
    useStageCache: z.boolean().default(false),
    openapi: z.string().min(1).optional().describe('OpenAPI file of the canary deployment; default: the API\'s own file.')
  })
  .strict()

const stageSchema = z
  .object({
    description: z.string().optional(),
    variables: stageVariablesSchema.default({}),
    canary: canarySchema.optional(),
    throttle: throttleSchema.optional().describe('Stage-level default method throttle (§8.1).'),
    cache: z
      .object({ enabled: z.boolean().default(true), ttlInSeconds: z.number().int().min(0).max(3600).default(300) })
      .strict()
      .optional()
      .describe('Stage response cache (§7).')
  })
  .strict()

const apiSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'API names are letters, digits, _ and -').optional().describe("Defaults to the OpenAPI info.title's slug."),
    openapi: z.string().min(1).describe('OpenAPI 3 / Swagger 2 file, relative to this config file.'),
    basePath: z.enum(['ignore', 'prepend', 'split']).default('ignore').describe('§16.1 basepath import option.'),
    failOnWarnings: z.boolean().default(false),
    stages: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'stage names are letters, digits, _ and -'), stageSchema)
  })
  .strict()

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

const apiKeySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]+$/).optional().describe('Stable id (defaults to the name).'),
    name: z.string().min(1).max(1024),
    description: z.string().optional(),
    customerId: z.string().optional(),
    valueFromEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .describe('Environment variable holding the key value (20–128 characters, §9.1). Values never live in the config.'),
    enabled: z.boolean().default(true),
    usagePlans: z.array(z.string()).default([])
  })
  .strict()

const lambdaRef = z
  .string()
  .regex(/^[^#]+#[A-Za-z_$][A-Za-z0-9_$]*$/, "a Lambda is 'path/to/module.mjs#exportName'")
  .describe('Module and export of an in-process Lambda handler.')

const trustProxySchema = z.union([z.boolean(), z.number().int().min(0), z.array(z.string())])

/**
 * The `gw.config.yaml` schema (zod, validated once at load). Its JSON Schema twin is published as
 * `@gw/cli/schema/gw.config.schema.json` for editor completion.
 */
export const gwConfigSchema = z
  .object({
    $schema: z.string().optional(),
    apis: z.array(apiSchema).min(1, 'at least one API is required'),
    usagePlans: z.array(usagePlanSchema).default([]),
    apiKeys: z.array(apiKeySchema).default([]),
    lambdas: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'Lambda names are letters, digits, _ and -'), lambdaRef).default({}),
    store: z
      .union([z.literal('memory'), z.string().regex(/^rediss?:\/\//, "store is 'memory' or a redis:// URL")])
      .default('memory')
      .describe("'memory' or a redis:// URL shared by gateway instances."),
    storePrefix: z
      .string()
      .regex(/^[^{}\s]+$/, 'no braces or spaces')
      .max(64)
      .default('gw')
      .describe('Key prefix in Redis, so several gateways (or test runs) can share one Redis.'),
    cache: z
      .object({ maxEntries: z.number().int().min(1).default(10_000), maxBytes: z.number().int().min(1).default(64 * 1024 * 1024) })
      .strict()
      .default({ maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 }),
    metrics: z
      .object({
        prometheus: z.boolean().default(false),
        path: z.string().startsWith('/').default('/metrics'),
        accessLogFormat: z.string().optional().describe('Access log format with $context variables (§13.2).')
      })
      .strict()
      .default({ prometheus: false, path: '/metrics' }),
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        trustProxy: trustProxySchema.default(false),
        tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).strict().optional().describe('PEM files, relative to the config.'),
        drainTimeoutMs: z.number().int().min(0).default(10_000).describe('How long SIGTERM waits for in-flight requests.')
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080, trustProxy: false, drainTimeoutMs: 10_000 }),
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

/**
 * The JSON Schema (draft 2020-12) of `gw.config.yaml`, generated from {@link gwConfigSchema}.
 * @example
 * writeFileSync('gw.config.schema.json', JSON.stringify(gwConfigJsonSchema(), null, 2))
 */
export function gwConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(gwConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  return { ...schema, title: 'gw.config.yaml' }
}
