import type { GatewayContext, RateLimitStore } from '@gw/core'
import { z } from 'zod'
import type { ThrottleKeyFunction, ThrottleKeyName } from './keys.js'

const keySchema = z.union([
  z.enum(['ip', 'apiKey', 'principal', 'route']),
  z.custom<ThrottleKeyFunction>((v) => typeof v === 'function', "a function (ctx) => string | undefined, or 'ip' | 'apiKey' | 'principal' | 'route'")
])

// Rates may be fractional (0.1 rps, §8.1); bursts are whole requests. AWS caps
// nothing below the account limit, but Infinity would poison the arithmetic.
const rateSchema = z.number().positive().max(1e12)
const burstSchema = z.number().int().min(0).max(1e12)

const levelSchema = z
  .object({
    name: z.string().min(1).max(512),
    rateLimit: rateSchema,
    burstLimit: burstSchema,
    key: keySchema.optional()
  })
  .strict()

/** Internal, validated shape. */
export const throttlerSchema = z
  .object({
    rateLimit: rateSchema.optional(),
    burstLimit: burstSchema.optional(),
    rate: rateSchema.optional(),
    burst: burstSchema.optional(),
    key: keySchema.optional(),
    name: z.string().min(1).max(512).default('default'),
    levels: z.array(levelSchema).max(16).default([]),
    account: z.union([z.object({ rateLimit: rateSchema, burstLimit: burstSchema }).strict(), z.literal(false)]).default(false),
    store: z
      .custom<RateLimitStore>(
        (v) => typeof v === 'object' && v !== null && typeof (v as RateLimitStore).takeAll === 'function',
        'a RateLimitStore (MemoryRateLimitStore, RedisRateLimitStore)'
      )
      .optional(),
    headers: z.boolean().default(false),
    onThrottled: z.custom<(ctx: GatewayContext<object>, level: string) => void>((v) => typeof v === 'function', 'a function').optional()
  })
  .strict()
  .superRefine((o, issue) => {
    const rate = o.rateLimit ?? o.rate
    const burst = o.burstLimit ?? o.burst
    if ((rate === undefined) !== (burst === undefined)) issue.addIssue({ code: 'custom', path: [rate === undefined ? 'rateLimit' : 'burstLimit'], message: 'give rateLimit and burstLimit together' })
    if (rate === undefined && o.levels.length === 0 && o.account === false) issue.addIssue({ code: 'custom', path: ['rateLimit'], message: 'give rateLimit and burstLimit, or levels, or account' })
  })

/** One throttling level (a bucket per client, or one shared bucket when `key` is absent). */
export interface ThrottleLevel {
  /** Level name, used in bucket names and reported to `onThrottled` (`method`, `stage`, `account`). */
  name: string
  /** Steady-state requests per second (fractional allowed). */
  rateLimit: number
  /** Bucket capacity (burst) in requests. */
  burstLimit: number
  /** Splits the level per client. @default one shared bucket */
  key?: ThrottleKeyName | ThrottleKeyFunction
}

/** Options of `throttler()`. */
export interface ThrottlerOptions {
  /** Steady-state requests per second of this throttler's own level (fractional allowed, §8.1). */
  rateLimit?: number
  /** Burst (bucket capacity) of this throttler's own level. */
  burstLimit?: number
  /** Alias of `rateLimit`. */
  rate?: number
  /** Alias of `burstLimit`. */
  burst?: number
  /** Per-client buckets for this throttler's own level: `'ip' | 'apiKey' | 'principal' | 'route'` or a function. @default one shared bucket */
  key?: ThrottleKeyName | ThrottleKeyFunction
  /** Name of this throttler's own level (bucket namespace; two throttlers with one name and store share buckets). @default 'default' */
  name?: string
  /** Outer levels checked after this one, most specific first (e.g. stage). @default [] */
  levels?: ThrottleLevel[]
  /** Account-level bucket checked last (AWS default 10,000 rps / 5,000 burst, §8.1, §15). @default false */
  account?: { rateLimit: number; burstLimit: number } | false
  /** Where buckets live. @default a MemoryRateLimitStore shared by all throttlers of this module */
  store?: RateLimitStore
  /** Send `RateLimit`, `RateLimit-Policy` and (on 429) `Retry-After`. AWS sends none (§8.3). @default false */
  headers?: boolean
  /** Called with the most specific exhausted level on each 429 (logs, metrics). */
  onThrottled?: (ctx: GatewayContext<object>, level: string) => void
}

/** The AWS account default (§8.1, §15): 10,000 requests per second steady, 5,000 burst. */
export const ACCOUNT_DEFAULT_THROTTLE: Readonly<{ rateLimit: number; burstLimit: number }> = Object.freeze({ rateLimit: 10_000, burstLimit: 5_000 })

/** What `key` accepts: a built-in key name or a function of the context. */
export type ThrottleKeyOption = ThrottleKeyName | ThrottleKeyFunction
