import { defineError } from '@gw/core'

/** Every stable error code of @gw/metrics. */
export type MetricsErrorCode = 'GW_METRICS_ACCESS_LOG_FORMAT' | 'GW_METRICS_OTEL_MISSING'

/** A REST access log format without `$context.requestId` / `$context.extendedRequestId`, or a format of more than one line (§13.2). */
export const AccessLogFormatInvalid = defineError('GW_METRICS_ACCESS_LOG_FORMAT', 'invalid access log format (§13.2)')
/** `tracing: true` without `@opentelemetry/api` installed (it is an optional peer dependency). */
export const OtelMissing = defineError('GW_METRICS_OTEL_MISSING', 'tracing needs @opentelemetry/api: pnpm add @opentelemetry/api')
