import { z } from 'zod'
import type { Logger } from '@gw/core'
import type { AwsMetricRecord } from './aws-metrics.js'
import type { LineDestination } from './line-writer.js'

const destinationSchema = z.union([
  z.enum(['stdout', 'stderr']),
  z.object({ path: z.string().min(1) }).strict(),
  z.custom<NodeJS.WritableStream>((v) => typeof v === 'object' && v !== null && typeof (v as { write?: unknown }).write === 'function', 'a writable stream')
])

const bucketsSchema = z
  .array(z.number().positive())
  .min(1)
  .refine((b) => b.every((v, i) => i === 0 || v > (b[i - 1] as number)), 'bucket bounds must increase')

/** `createMetrics()` options, validated once (zod). */
export const metricsOptionsSchema = z
  .object({
    prometheus: z
      .union([z.boolean(), z.object({ buckets: bucketsSchema.optional(), registry: z.custom<object>((v) => typeof v === 'object' && v !== null, 'a prom-client Registry').optional() }).strict()])
      .default(true),
    emf: z
      .union([
        z.boolean(),
        z
          .object({
            destination: destinationSchema.optional(),
            intervalMs: z.number().int().min(1000).optional(),
            namespace: z.string().min(1).max(1024).optional()
          })
          .strict()
      ])
      .default(false),
    accessLog: z
      .union([
        z.boolean(),
        z
          .object({
            destination: destinationSchema.optional(),
            format: z.string().min(1).optional(),
            flushBytes: z.number().int().min(1).optional(),
            flushDelayMs: z.number().int().min(0).max(60_000).optional()
          })
          .strict()
      ])
      .default(false),
    executionLog: z.boolean().default(true),
    logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as Logger).info === 'function', 'a Logger').optional(),
    tracing: z
      .union([z.boolean(), z.object({ tracerName: z.string().min(1).optional(), api: z.custom<object>((v) => typeof v === 'object' && v !== null, 'the @opentelemetry/api module').optional() }).strict()])
      .default(false),
    onMetrics: z.custom<(record: AwsMetricRecord) => void>((v) => typeof v === 'function', 'a function').optional()
  })
  .strict()

/** Options of `createMetrics()`. */
export interface MetricsOptions {
  /** Prometheus families on a prom-client `Registry` (own one unless given); `buckets` in seconds. @default true (buckets 5 ms … 30 s) */
  prometheus?: boolean | { buckets?: number[]; registry?: import('prom-client').Registry }
  /** CloudWatch EMF lines, one per dimension set per interval. @default false; `true` = stdout every 60 s in `AWS/ApiGateway` */
  emf?: boolean | { destination?: LineDestination; intervalMs?: number; namespace?: string }
  /**
   * Access log lines (§13.2) in each stage's `accessLogSettings.format`, else `format` (a template or CLF/JSON/XML/CSV).
   * Lines are written in batches: once `flushBytes` characters (about bytes) are queued, or `flushDelayMs` after a
   * batch's first line, whichever comes first; `close()` and process exit write the rest.
   * @default false; `true` = stdout, `flushBytes` 16384, `flushDelayMs` 100
   */
  accessLog?: boolean | { destination?: LineDestination; format?: string; flushBytes?: number | undefined; flushDelayMs?: number | undefined }
  /** REST execution logs per method `loggingLevel` / `dataTraceEnabled` (§6.1), to `logger`. @default true */
  executionLog?: boolean
  /** Where execution logs go. @default jsonLogger (stderr) */
  logger?: Logger
  /** OpenTelemetry spans through `@opentelemetry/api` (optional peer dependency, loaded only when on). @default false */
  tracing?: boolean | { tracerName?: string; api?: object }
  /** The metrics hook: one CloudWatch datum per request with AWS names and dimensions (§13.1). @default none */
  onMetrics?: (record: AwsMetricRecord) => void
}

/** Validated options. */
export type ParsedMetricsOptions = z.output<typeof metricsOptionsSchema>
