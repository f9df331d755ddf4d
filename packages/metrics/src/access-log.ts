import { contextVariables, formatRequestTime, lookupContextVariable, type ApiFlavour, type ContextVariables, type RequestEndEvent } from '@gw/core'
import { ACCESS_LOG_PRESETS, isAccessLogPreset } from './access-log-presets.js'
import { AccessLogFormatInvalid } from './errors.js'
import { maskSecret } from './mask.js'
import type { RequestStash } from './request-stash.js'

/** The full `$context` object of one rendered line, built only if its format asks for a variable without a direct reader. */
interface LazyVariables {
  vars: ContextVariables | undefined
}

/** Reads one `$context` variable of an answered request. */
type Reader = (event: RequestEndEvent, stash: RequestStash | undefined, lazy: LazyVariables) => unknown

const ms = (v: number | undefined): number | undefined => (v === undefined ? undefined : Math.round(v))

/**
 * Direct readers of the variables formats use most (§13.3, access-log-only
 * ones included): no `$context` object is built for them. Anything else is
 * looked up in `contextVariables(ctx)`.
 */
const READERS: Readonly<Record<string, Reader>> = {
  requestId: (e) => e.ctx.requestId,
  extendedRequestId: (e) => e.ctx.extendedRequestId,
  httpMethod: (e) => e.ctx.method,
  resourcePath: (e) => e.ctx.resourcePath,
  routeKey: (e) => e.ctx.routeKey,
  status: (e) => e.ctx.status,
  protocol: () => 'HTTP/1.1',
  responseLength: (e) => (e.responseBytes < 0 ? undefined : e.responseBytes),
  requestTime: (e) => formatRequestTime(e.ctx.requestTimeEpoch),
  requestTimeEpoch: (e) => e.ctx.requestTimeEpoch,
  stage: (e) => e.ctx.stage,
  apiId: (e) => e.ctx.apiId,
  deploymentId: (e) => e.ctx.deploymentId,
  'identity.sourceIp': (e) => e.ctx.sourceIp,
  'identity.userAgent': (e) => e.ctx.headers['user-agent'],
  'identity.caller': (e) => e.ctx.identity?.caller,
  'identity.user': (e) => e.ctx.identity?.user,
  'identity.userArn': (e) => e.ctx.identity?.userArn,
  'identity.accountId': (e) => e.ctx.identity?.accountId,
  // API key values never reach a log in clear (§13.2 brief): the id is logged, the value masked.
  'identity.apiKey': (e) => (e.ctx.apiKey === undefined ? undefined : maskSecret(e.ctx.apiKey.value)),
  'identity.apiKeyId': (e) => e.ctx.apiKey?.id,
  'error.message': (e) => e.ctx.error?.message,
  'error.messageString': (e) => (e.ctx.error === undefined ? undefined : JSON.stringify(e.ctx.error.message)),
  'error.responseType': (e) => e.ctx.error?.type,
  'error.validationErrorString': (e) => e.ctx.error?.validationErrorString,
  responseLatency: (e) => ms(e.latencyMs),
  integrationLatency: (_e, st) => ms(st?.integrationLatencyMs),
  'integration.latency': (_e, st) => ms(st?.integrationLatencyMs),
  'integration.status': (e, st) => (st?.integrationLatencyMs === undefined ? undefined : e.ctx.status),
  'authorizer.latency': (_e, st) => ms(st?.authorizerLatencyMs),
  'authorize.latency': (_e, st) => ms(st?.authorizerLatencyMs),
  dataProcessed: (e) => e.requestBytes + Math.max(0, e.responseBytes),
  isCanaryRequest: (e) => e.ctx.isCanaryRequest
}

function fallback(name: string): Reader {
  return (event, _stash, lazy) => lookupContextVariable((lazy.vars ??= contextVariables(event.ctx)), name)
}

/** `$context.a.b` in a format; `${context.a.b}` is not AWS syntax and stays text. */
const VARIABLE = /\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_-]+)*)/g

/** A compiled access-log format: renders one line for an answered request. */
export type AccessLogRenderer = (event: RequestEndEvent, stash: RequestStash | undefined) => string

/**
 * Compiles an access log format once (§13.2): a preset name (`CLF`, `JSON`,
 * `XML`, `CSV`, per API type) or a one-line template where only `$context.*`
 * is substituted; missing values render as `-`. A trailing newline is
 * dropped (the writer ends every line).
 * @throws GwError GW_METRICS_ACCESS_LOG_FORMAT for a REST format without `$context.requestId` or `$context.extendedRequestId`, or more than one line
 * @example
 * const render = compileAccessLogFormat('CLF', 'REST')
 */
export function compileAccessLogFormat(format: string, flavour: ApiFlavour): AccessLogRenderer {
  const template = (isAccessLogPreset(format) ? ACCESS_LOG_PRESETS[flavour][format] : format).replace(/\n$/, '')
  if (template.includes('\n')) throw AccessLogFormatInvalid(`access log format must be a single line (§13.2): ${JSON.stringify(format)}`)
  const texts: string[] = []
  const readers: Reader[] = []
  let last = 0
  let hasRequestId = false
  let lazy = false
  for (const m of template.matchAll(VARIABLE)) {
    const name = m[1] as string
    if (name === 'requestId' || name === 'extendedRequestId') hasRequestId = true
    texts.push(template.slice(last, m.index))
    const direct = READERS[name]
    if (direct === undefined) lazy = true
    readers.push(direct ?? fallback(name))
    last = m.index + m[0].length
  }
  texts.push(template.slice(last))
  if (flavour === 'REST' && !hasRequestId)
    throw AccessLogFormatInvalid(`a REST access log format must contain $context.requestId or $context.extendedRequestId (§13.2): ${JSON.stringify(format)}`)
  const n = readers.length
  // Formats with direct readers only (the presets) share one never-used holder: nothing is allocated per line.
  const shared: LazyVariables = { vars: undefined }
  return function renderAccessLog(event, stash) {
    const holder = lazy ? { vars: undefined } : shared
    let out = texts[0] as string
    for (let i = 0; i < n; i++) {
      out += text((readers[i] as Reader)(event, stash, holder))
      out += texts[i + 1] as string
    }
    return out
  }
}

/** §13.2: a missing value renders as `-`. */
function text(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-'
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}
