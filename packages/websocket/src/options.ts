import { z } from 'zod'
import type { ConnectionStore, Logger, RateLimitStore } from '@gw/core'
import type { CredentialsProvider } from '@gw/authorizers'
import type { IntegrationOptions } from '@gw/integrations'
import type { UsagePlans } from '@gw/usage-plans'

/** §14.4 / §15 limits; every one can be lowered (tests) or raised. */
export interface WebSocketLimits {
  /** Largest frame payload; a larger frame closes the connection with 1009 (§14.4). @default 32768 */
  maxFrameBytes?: number
  /** Largest message (all fragments); larger closes with 1009, and a larger `@connections` POST is 413 (§14.4, §14.7). @default 131072 */
  maxMessageBytes?: number
  /** No frame either way for this long closes the connection with 1001 (§14.4). @default 600000 (10 min) */
  idleTimeoutMs?: number
  /** A connection older than this is closed with 1001 (§14.4). @default 7200000 (2 h) */
  maxConnectionMs?: number
  /** Bytes queued to a client that does not read; past this the connection is dropped (1006) so memory stays bounded. @default 1048576 */
  maxBufferedBytes?: number
  /** New connections per second (token bucket, §8.1: 500/s per account-region). @default 500 */
  newConnectionRateLimit?: number
  /** New-connection burst. @default 500 */
  newConnectionBurstLimit?: number
}

/** Options of `createWebSocketApi()`. */
export interface WebSocketApiOptions {
  /** Connection registry and bus (§14.7). Memory serves one process; `RedisConnectionStore` lets any instance reach any connection. @default a MemoryConnectionStore */
  connectionStore?: ConnectionStore
  /** This instance's id in the registry. @default a random id */
  instanceId?: string
  /** Lease of this instance in the registry: after a crash its connections answer 410 everywhere within this time. @default 15000 */
  leaseMs?: number
  /** Lambda resolver (in-process handlers) and AWS endpoint/credentials for remote Invoke, as @gw/integrations takes them. @default {} */
  integrations?: Omit<IntegrationOptions, 'flavour' | 'binaryMediaTypes' | 'methodResponses' | 'logger'>
  /** API keys and usage plans for `$connect` with `apiKeyRequired` (§8.1, §9). @default none: such a route is refused at construction */
  usagePlans?: UsagePlans
  /** SigV4 credentials for `AWS_IAM` on `$connect` and for the `@connections` API (§10.8, §14.7). @default none */
  iam?: { credentials: CredentialsProvider; region?: string; accountId?: string }
  /** `@connections` without SigV4 (local development only). @default false: `@connections` needs `iam` */
  unsignedConnectionsApi?: boolean
  /** Store of the route and new-connection buckets. @default @gw/throttler's memory store */
  rateLimitStore?: RateLimitStore
  limits?: WebSocketLimits
  /** Structured logs (integration failures, store errors). @default jsonLogger */
  logger?: Logger
}

const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null

export const limitsSchema = z
  .object({
    maxFrameBytes: z.number().int().min(125).default(32 * 1024),
    maxMessageBytes: z.number().int().min(125).default(128 * 1024),
    idleTimeoutMs: z.number().int().min(10).default(10 * 60_000),
    maxConnectionMs: z.number().int().min(10).default(2 * 60 * 60_000),
    maxBufferedBytes: z.number().int().min(1024).default(1024 * 1024),
    newConnectionRateLimit: z.number().positive().default(500),
    newConnectionBurstLimit: z.number().int().min(1).default(500)
  })
  .strict()

export const optionsSchema = z
  .object({
    connectionStore: z.custom<ConnectionStore>((v) => isObject(v) && typeof (v as ConnectionStore).add === 'function', 'a ConnectionStore').optional(),
    instanceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
    leaseMs: z.number().int().min(50).max(3_600_000).default(15_000),
    integrations: z.custom<IntegrationOptions>(isObject, '@gw/integrations options').default({}),
    usagePlans: z.custom<UsagePlans>(isObject, 'a UsagePlans registry').optional(),
    iam: z
      .object({
        credentials: z.custom<CredentialsProvider>((v) => typeof v === 'function', 'a function (accessKeyId) => credentials'),
        region: z.string().regex(/^[a-z0-9-]+$/).default('us-east-1'),
        accountId: z.string().regex(/^\d{12}$/).default('123456789012')
      })
      .strict()
      .optional(),
    unsignedConnectionsApi: z.boolean().default(false),
    rateLimitStore: z.custom<RateLimitStore>(isObject, 'a RateLimitStore').optional(),
    limits: limitsSchema.default(limitsSchema.parse({})),
    logger: z.custom<Logger>((v) => isObject(v) && typeof (v as Logger).error === 'function', 'a Logger').optional()
  })
  .strict()

export type ParsedWebSocketApiOptions = z.output<typeof optionsSchema>
