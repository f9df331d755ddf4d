import { contextVariables, formatRequestTime, lookupContextVariable, type ApiFlavour, type ContextVariables, type RequestEndEvent } from '@gw/core'
import { ACCESS_LOG_PRESETS, isAccessLogPreset } from './access-log-presets.js'
import { AccessLogFormatInvalid } from './errors.js'
import { maskSecret } from './mask.js'
import type { RequestStash } from './request-stash.js'

/** What a `$context` variable reads from. */
interface Sources {
  readonly event: RequestEndEvent
  readonly stash: RequestStash | undefined
  /** The full `$context` object, built only if a format asks for a variable without a direct reader. */
  vars: ContextVariables | undefined
}

type Reader = (s: Sources) => unknown

const ms = (v: number | undefined): number | undefined => (v === undefined ? undefined : Math.round(v))

/**
 * Direct readers of the variables formats use most (§13.3, access-log-only
 * ones included): no `$context` object is built for them. Anything else is
 * looked up in `contextVariables(ctx)`.
 */
const READERS: Readonly<Record<string, Reader>> = {
  requestId: (s) => s.event.ctx.requestId,
  extendedRequestId: (s) => s.event.ctx.extendedRequestId,
  httpMethod: (s) => s.event.ctx.method,
  resourcePath: (s) => s.event.ctx.resourcePath,
  routeKey: (s) => s.event.ctx.routeKey,
  status: (s) => s.event.ctx.status,
  protocol: () => 'HTTP/1.1',
  responseLength: (s) => (s.event.responseBytes < 0 ? undefined : s.event.responseBytes),
  requestTime: (s) => formatRequestTime(s.event.ctx.requestTimeEpoch),
  requestTimeEpoch: (s) => s.event.ctx.requestTimeEpoch,
  stage: (s) => s.event.ctx.stage,
  apiId: (s) => s.event.ctx.apiId,
  deploymentId: (s) => s.event.ctx.deploymentId,
  'identity.sourceIp': (s) => s.event.ctx.sourceIp,
  'identity.userAgent': (s) => s.event.ctx.headers['user-agent'],
  'identity.caller': (s) => s.event.ctx.identity?.caller,
  'identity.user': (s) => s.event.ctx.identity?.user,
  'identity.userArn': (s) => s.event.ctx.identity?.userArn,
  'identity.accountId': (s) => s.event.ctx.identity?.accountId,
  // API key values never reach a log in clear (§13.2 brief): the id is logged, the value masked.
  'identity.apiKey': (s) => (s.event.ctx.apiKey === undefined ? undefined : maskSecret(s.event.ctx.apiKey.value)),
  'identity.apiKeyId': (s) => s.event.ctx.apiKey?.id,
  'error.message': (s) => s.event.ctx.error?.message,
  'error.messageString': (s) => (s.event.ctx.error === undefined ? undefined : JSON.stringify(s.event.ctx.error.message)),
  'error.responseType': (s) => s.event.ctx.error?.type,
  'error.validationErrorString': (s) => s.event.ctx.error?.validationErrorString,
  responseLatency: (s) => ms(s.event.latencyMs),
  integrationLatency: (s) => ms(s.stash?.integrationLatencyMs),
  'integration.latency': (s) => ms(s.stash?.integrationLatencyMs),
  'integration.status': (s) => (s.stash?.integrationLatencyMs === undefined ? undefined : s.event.ctx.status),
  'authorizer.latency': (s) => ms(s.stash?.authorizerLatencyMs),
  'authorize.latency': (s) => ms(s.stash?.authorizerLatencyMs),
  dataProcessed: (s) => s.event.requestBytes + Math.max(0, s.event.responseBytes),
  isCanaryRequest: (s) => s.event.ctx.isCanaryRequest
}

function fallback(name: string): Reader {
  return (s) => lookupContextVariable((s.vars ??= contextVariables(s.event.ctx)), name)
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
  for (const m of template.matchAll(VARIABLE)) {
    const name = m[1] as string
    if (name === 'requestId' || name === 'extendedRequestId') hasRequestId = true
    texts.push(template.slice(last, m.index))
    readers.push(READERS[name] ?? fallback(name))
    last = m.index + m[0].length
  }
  texts.push(template.slice(last))
  if (flavour === 'REST' && !hasRequestId)
    throw AccessLogFormatInvalid(`a REST access log format must contain $context.requestId or $context.extendedRequestId (§13.2): ${JSON.stringify(format)}`)
  const n = readers.length
  return function renderAccessLog(event, stash) {
    const sources: Sources = { event, stash, vars: undefined }
    let out = texts[0] as string
    for (let i = 0; i < n; i++) out += text((readers[i] as Reader)(sources)) + (texts[i + 1] as string)
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
