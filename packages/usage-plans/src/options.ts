import type { Logger, QuotaStore, RateLimitStore } from '@gw/core'
import { z } from 'zod'

const limitsSchema = z.object({ rateLimit: z.number().positive().max(1e12), burstLimit: z.number().int().min(0).max(1e12) }).strict()

/** `/{resourcePath}/{METHOD}` with the root as `//GET` (§9.1). */
const methodKeySchema = z.string().regex(/^\/.*\/(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|ANY|\*)$/, 'a method key such as "/pets/GET" (root: "//GET")')

export const apiStageSchema = z
  .object({
    apiId: z.string().min(1).max(128),
    stage: z.string().min(1).max(128),
    throttle: z.record(methodKeySchema, limitsSchema).default({})
  })
  .strict()
  .refine((s) => Object.keys(s.throttle).length <= 20, { message: 'at most 20 method throttles per stage (§9.1)', path: ['throttle'] })

export const usagePlanSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -').optional(),
    name: z.string().min(1).max(1024),
    description: z.string().max(4096).optional(),
    apiStages: z.array(apiStageSchema).default([]),
    throttle: limitsSchema.optional(),
    quota: z
      .object({
        limit: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
        offset: z.number().int().min(0).default(0),
        period: z.enum(['DAY', 'WEEK', 'MONTH'])
      })
      .strict()
      .refine((q) => q.offset <= q.limit, { message: 'offset cannot exceed limit (§8.2)', path: ['offset'] })
      .optional(),
    /** When the plan was created (the quota's initial period, §8.2). Give it when several instances must agree. */
    createdDate: z.union([z.string().datetime({ offset: true }), z.date(), z.number().int()]).optional()
  })
  .strict()

export const apiKeySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -').optional(),
    name: z.string().min(1).max(1024),
    value: z.string().min(20, 'API key values are 20-128 characters (§9.1)').max(128, 'API key values are 20-128 characters (§9.1)').optional(),
    description: z.string().max(4096).optional(),
    customerId: z.string().max(1024).optional(),
    enabled: z.boolean().default(true),
    usagePlanIds: z.array(z.string()).max(10).default([])
  })
  .strict()

const storeSchema = <T>(method: string, what: string) =>
  z.custom<T>((v) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[method] === 'function', what)

export const registrySchema = z
  .object({
    quotaStore: storeSchema<QuotaStore>('consume', 'a QuotaStore (MemoryQuotaStore, RedisQuotaStore)').optional(),
    rateLimitStore: storeSchema<RateLimitStore>('takeAll', 'a RateLimitStore (MemoryRateLimitStore, RedisRateLimitStore)').optional(),
    usagePlans: z.array(usagePlanSchema).default([]),
    apiKeys: z.array(apiKeySchema).default([]),
    logger: storeSchema<Logger>('info', 'a Logger').optional(),
    now: z.custom<() => number>((v) => typeof v === 'function', 'a function returning ms since epoch').optional()
  })
  .strict()

export const middlewareSchema = z
  .object({
    apiKeySource: z.enum(['HEADER', 'AUTHORIZER']).default('HEADER'),
    apiId: z.string().min(1).optional(),
    stage: z.string().min(1).optional(),
    resourcePath: z.string().startsWith('/').optional(),
    httpMethod: z.string().min(1).optional()
  })
  .strict()

/** Rate and burst of a plan or method throttle (§8.1). */
export type ThrottleSettings = z.input<typeof limitsSchema>
/** One api stage of a plan, with optional per-method throttles keyed `/pets/GET`. */
export type ApiStageInput = z.input<typeof apiStageSchema>
/** `CreateUsagePlan` input (§9.1). */
export type UsagePlanInput = z.input<typeof usagePlanSchema>
/** `CreateApiKey` input (§9.1); `value` generated (40 alphanumerics) when absent; `usagePlanIds` attaches it. */
export type ApiKeyInput = z.input<typeof apiKeySchema>

/** Options of `createUsagePlans()`. */
export interface UsagePlansOptions {
  /** Quota counters. @default new MemoryQuotaStore() */
  quotaStore?: QuotaStore
  /** Per-key and per-method token buckets. @default new MemoryRateLimitStore() */
  rateLimitStore?: RateLimitStore
  /** Plans created at start. @default [] */
  usagePlans?: UsagePlanInput[]
  /** Keys created at start (attached to `usagePlanIds`). @default [] */
  apiKeys?: ApiKeyInput[]
  /** Where management events go (never with key values). @default silent */
  logger?: Logger
  /** Clock, ms since epoch (tests). @default epochMs from @gw/core (the wall clock, as Date.now(), without its per-call cost) */
  now?: () => number
}

/** Options of the `apiKeys()` middleware. */
export interface ApiKeysMiddlewareOptions {
  /** `HEADER`: `x-api-key`; `AUTHORIZER`: the authorizer's `usageIdentifierKey` (§9.2). @default 'HEADER' */
  apiKeySource?: 'HEADER' | 'AUTHORIZER'
  /** Fixes the api id (else `ctx.apiId`). */
  apiId?: string
  /** Fixes the stage (else `ctx.stage`). */
  stage?: string
  /** Fixes the resource path for method throttles (else `ctx.resourcePath`). */
  resourcePath?: string
  /** Fixes the method for method throttles (else `ctx.method`). */
  httpMethod?: string
}
