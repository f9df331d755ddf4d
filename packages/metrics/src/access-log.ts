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
 * ones included): no `$context` object is built for them. Each returns a
 * primitive (or `undefined`). Anything else is looked up in
 * `contextVariables(ctx)`.
 */
const READERS: Readonly<Record<string, Reader>> = {
  requestId: (e) => e.ctx.requestId,
  extendedRequestId: (e) => e.ctx.extendedRequestId,
  httpMethod: (e) => e.ctx.method,
  resourcePath: (e) => e.ctx.resourcePath,
  routeKey: (e) => e.ctx.routeKey,
  status: (e) => e.ctx.status,
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
  integrationLatency: (e) => ms(e.integrationLatencyMs),
  'integration.latency': (e) => ms(e.integrationLatencyMs),
  'integration.status': (e) => (e.integrationLatencyMs === undefined ? undefined : e.ctx.status),
  'authorizer.latency': (e) => ms(e.authorizerLatencyMs),
  'authorize.latency': (e) => ms(e.authorizerLatencyMs),
  dataProcessed: (e) => e.requestBytes + Math.max(0, e.responseBytes),
  isCanaryRequest: (e) => e.ctx.isCanaryRequest
}

function fallback(name: string): Reader {
  // `lazy` is passed to every reader of a format that has a fallback one.
  return (event, _stash, lazy) => lookupContextVariable((lazy.vars ??= contextVariables(event.ctx)), name)
}

/** `$context.a.b` in a format; `${context.a.b}` is not AWS syntax and stays text. */
const VARIABLE = /\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_-]+)*)/g

/** A compiled access-log format: renders one line for an answered request. */
export type AccessLogRenderer = (event: RequestEndEvent, stash: RequestStash | undefined) => string

/** Variables with the same value on every request (§13.3: API Gateway answers over HTTP/1.1): folded into the text at compile time. */
const CONSTANTS: Readonly<Record<string, string>> = { protocol: 'HTTP/1.1' }

/**
 * Compiles an access log format once (§13.2): a preset name (`CLF`, `JSON`,
 * `XML`, `CSV`, per API type) or a one-line template where only `$context.*`
 * is substituted; missing values render as `-`. A trailing newline is
 * dropped (the writer ends every line).
 *
 * The line is rendered by a function generated for the format: each
 * variable read by its own call site (so V8 inlines every reader), constant
 * variables already in the text. A loop over a reader array calls them all
 * from one megamorphic site and joins two more strings per variable. The
 * renderer keeps the text of its last line up to each variable: while the
 * values from the start of the line are the same values as last time (===:
 * the client's address, the second's `requestTime`, method, resource,
 * status), that prefix is reused and only the rest (the request ids) is
 * joined to it, so a line costs a few concatenations, not one or two per
 * variable. A prefix is flattened the first time it is reused (`charCodeAt`
 * flattens a joined string in place), so the writer's flattening of a line
 * visits a few pieces, not every piece of it (issue #18). The line is the
 * same text either way.
 * @throws GwError GW_METRICS_ACCESS_LOG_FORMAT for a REST format without `$context.requestId` or `$context.extendedRequestId`, or more than one line
 * @example
 * const render = compileAccessLogFormat('CLF', 'REST')
 */
export function compileAccessLogFormat(format: string, flavour: ApiFlavour): AccessLogRenderer {
  const template = (isAccessLogPreset(format) ? ACCESS_LOG_PRESETS[flavour][format] : format).replace(/\n$/, '')
  if (template.includes('\n')) throw AccessLogFormatInvalid(`access log format must be a single line (§13.2): ${JSON.stringify(format)}`)
  const readers: Reader[] = []
  /** Whether each reader is a direct one (its values are primitives). */
  const direct: boolean[] = []
  /** Text before the first variable, and the text after each variable (up to the next one or the end). */
  let lead = ''
  const after: string[] = []
  let literal = ''
  let last = 0
  let hasRequestId = false
  let lazy = false
  /** Index of the first request id among the readers: no prefix is reused from it on (every request has its own). */
  let firstUnique = -1
  for (const m of template.matchAll(VARIABLE)) {
    const name = m[1] as string
    const unique = name === 'requestId' || name === 'extendedRequestId'
    if (unique) hasRequestId = true
    literal += template.slice(last, m.index)
    last = m.index + m[0].length
    const constant = Object.hasOwn(CONSTANTS, name) ? CONSTANTS[name] : undefined
    if (constant !== undefined) {
      literal += constant
      continue
    }
    // the text before this variable: the line's lead, or what follows the previous variable
    if (readers.length === 0) lead = literal
    else after.push(literal)
    literal = ''
    const reader = Object.hasOwn(READERS, name) ? READERS[name] : undefined
    if (reader === undefined) lazy = true
    if (unique && firstUnique === -1) firstUnique = readers.length
    direct.push(reader !== undefined)
    readers.push(reader ?? fallback(name))
  }
  literal += template.slice(last)
  if (readers.length === 0) lead = literal
  else after.push(literal)
  if (flavour === 'REST' && !hasRequestId)
    throw AccessLogFormatInvalid(`a REST access log format must contain $context.requestId or $context.extendedRequestId (§13.2): ${JSON.stringify(format)}`)
  // A format with direct readers only (the presets) allocates nothing but its line: `h` stays undefined.
  // From the first request id on, the rest of the line is joined as it is: a value unique to its request never
  // matches the last line's, so comparing and remembering it (a write barrier per store) would be lost work.
  const cached = firstUnique === -1 ? readers.length : firstUnique
  const names = readers.map((_, i) => `r${String(i)}`)
  const lines: string[] = [`const h = ${lazy ? '{ vars: undefined }' : 'undefined'};`]
  // Values are compared as the readers return them, before their text is made: a status or a length is the same
  // number as last time, so the common line converts no number to a string and compares no string by content.
  // An object value (a fallback reader's) is never taken as unchanged: its content may differ under the same reference.
  // Direct readers return primitives only, so their values need no typeof check.
  const unchanged = (i: number): string => {
    const n = String(i)
    return direct[i] === true ? `v${n} === c${n}` : `v${n} === c${n} && (typeof v${n} !== 'object' || v${n} === null)`
  }
  /** `x` (the line so far) joined with the text of value `i` and the literal after it. */
  const join = (i: number): string => `${i === 0 && lead === '' ? '' : 'x + '}t(v${String(i)})${after[i] === '' ? '' : ` + ${JSON.stringify(after[i])}`}`
  for (let i = 0; i < readers.length; i++) lines.push(`const v${String(i)} = r${String(i)}(e, s, h);`)
  lines.push(`let x = ${JSON.stringify(lead)};`)
  if (cached !== 0) {
    const whole = String(cached - 1)
    // The common line: every value of the prefix is the last line's, one test of them all and the whole prefix reused.
    lines.push(`if (${Array.from({ length: cached }, (_, i) => unchanged(i)).join(' && ')}) { x = p${whole}; if (!f) { f = true; w = x.charCodeAt(0); } }`)
    // Else the line is joined from the last prefix whose values are unchanged, remembering every prefix from there.
    lines.push('else {', 'let m = true;', 'f = false;')
    for (let i = 0; i < cached; i++) {
      const n = String(i)
      lines.push(`if (m && ${unchanged(i)}) x = p${n};`, `else { m = false; c${n} = v${n}; x = p${n} = ${join(i)}; }`)
    }
    lines.push('}')
  }
  for (let i = cached; i < readers.length; i++) lines.push(`x = ${join(i)};`)
  lines.push('return x;')
  // `c` starts as a value no reader returns, so the first line matches nothing (an `undefined` value included).
  // `f`: the whole prefix was flattened (`charCodeAt` flattens a joined string in place) since it was last joined.
  const state = cached === 0 ? '' : `const none = Symbol('none');\nlet w, f = false, ${readers.slice(0, cached).map((_, i) => `c${String(i)} = none, p${String(i)}`).join(', ')};\n`
  const source = `'use strict';\n${state}return function renderAccessLog(e, s) {\n${lines.join('\n')}\n};`
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from JSON string literals and reader indices only
  const factory = new Function('t', ...names, source) as (...args: unknown[]) => AccessLogRenderer
  return factory(text, ...readers)
}

/** §13.2: a missing value renders as `-`. */
function text(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-'
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}
