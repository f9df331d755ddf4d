import type { Logger, RequestEndEvent } from '@gw/core'
import { maskedHeaders } from './mask.js'

/** §13.2: execution-log events are truncated at 1024 bytes. */
const MAX_BODY = 1024

function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body.length > MAX_BODY ? body.slice(0, MAX_BODY) : body
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, MAX_BODY)).toString('utf8')
  return undefined
}

/**
 * REST execution logging (§6.1 `loggingLevel`, `dataTraceEnabled`; §13.2):
 * `INFO` logs every request of the method, `ERROR` only 4xx/5xx answers,
 * `OFF` nothing. With `dataTraceEnabled` the event carries the request and
 * response headers and a response body of at most 1024 bytes; authorization
 * headers and API key values are masked, never written in clear.
 */
export function logExecution(logger: Logger, event: RequestEndEvent): void {
  const route = event.route
  if (route === undefined || route.loggingLevel === 'OFF') return
  const ctx = event.ctx
  const failed = ctx.status >= 400
  if (route.loggingLevel === 'ERROR' && !failed) return
  const entry: { event: string; [field: string]: unknown } = {
    event: 'gw.execution',
    logGroup: `API-Gateway-Execution-Logs_${ctx.apiId ?? ''}/${ctx.stage ?? ''}${ctx.isCanaryRequest ? '/Canary' : ''}`,
    requestId: ctx.requestId,
    method: route.method,
    resource: route.resource,
    status: ctx.status,
    latencyMs: Math.round(event.latencyMs),
    integrationLatencyMs: event.integrationLatencyMs === undefined ? undefined : Math.round(event.integrationLatencyMs)
  }
  if (ctx.error !== undefined) entry.error = { type: ctx.error.type, message: ctx.error.message }
  if (ctx.apiKey !== undefined) entry.apiKeyId = ctx.apiKey.id
  if (route.dataTraceEnabled) {
    entry.requestHeaders = maskedHeaders(ctx.headers)
    entry.responseHeaders = maskedHeaders(ctx.responseHeaders)
    const body = bodyText(ctx.body)
    if (body !== undefined) entry.responseBody = body
  }
  if (failed) logger.error(entry)
  else logger.info(entry)
}
