import { isUtf8 } from 'node:buffer'
import { Readable } from 'node:stream'
import type { IncomingHttpHeaders } from 'node:http'
import { CONTEXT_EXTRAS, GatewayContext, substituteStageVariables, type Logger, type RequestSource } from '@gw/core'
import { compileInvoker, createIntegration, functionOfUri, type IntegrationDefinition, type IntegrationOptions, type FreshEvent } from '@gw/integrations'
import type { WebSocketIntegration } from './definition.js'
import { WebSocketUnsupported } from './errors.js'
import { compileSelectionExpression, type SelectionExpression } from './selection-expression.js'

/** What an integration answered (§14.3, §14.4), or why it failed (§12.4 `Internal server error`). */
export type IntegrationOutcome =
  | { readonly kind: 'ok'; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string | Buffer | null }
  | { readonly kind: 'error'; readonly reason: string }

/** What one invocation needs: the Lambda event (AWS_PROXY), or the request for MOCK / HTTP (templates, §4.10). */
export interface IntegrationCall {
  /** Lambda proxy event of §14.6 (built only for AWS_PROXY), or made afresh for it alone (`FreshEvent`). */
  event(): Record<string, unknown> | FreshEvent
  readonly body: Buffer
  /** The message parsed as JSON, `undefined` when it is not (template selection, §4.10). */
  readonly parsed: unknown
  readonly rawHeaders: readonly string[]
  readonly headers: IncomingHttpHeaders
  readonly sourceIp: string
  readonly requestId: string
  readonly requestTimeEpoch: number
  readonly apiId: string
  readonly stage: string
  readonly stageVariables: Record<string, string> | null
  readonly routeKey: string
  readonly authorizer: Record<string, unknown> | undefined
  /** Extra `$context` variables (§4.10: connectionId, connectedAt, eventType, messageId, routeKey). */
  readonly contextExtras: Record<string, unknown>
}

/** A compiled integration: runs one call. */
export interface RouteIntegration {
  readonly type: WebSocketIntegration['integrationType']
  /** The outcome; given at once (no promise) when the integration knows it without running (a constant MOCK). */
  invoke(call: IntegrationCall): Promise<IntegrationOutcome> | IntegrationOutcome
  close(): Promise<void>
}

const NEVER_ABORTED = new AbortController().signal

/** The request a MOCK / HTTP integration of @gw/integrations sees for one WebSocket event. */
class EventSource implements RequestSource {
  readonly method = 'POST'
  readonly url = '/'
  readonly protocol = 'http' as const
  readonly signal = NEVER_ABORTED
  readonly headers: IncomingHttpHeaders
  readonly rawHeaders: readonly string[]
  readonly remoteAddress: string
  readonly hasBody: boolean
  readonly #body: Buffer

  constructor(body: Buffer, headers: IncomingHttpHeaders, rawHeaders: readonly string[], remoteAddress: string) {
    this.#body = body
    this.headers = headers
    this.rawHeaders = rawHeaders
    this.remoteAddress = remoteAddress
    this.hasBody = body.length > 0
  }

  readBody(): Promise<Buffer> {
    return Promise.resolve(this.#body)
  }

  stream(): Readable | null {
    return this.hasBody ? Readable.from([this.#body]) : null
  }
}

async function collect(body: unknown, limit: number): Promise<string | Buffer | null> {
  if (body === null || body === undefined) return null
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  const chunks: Buffer[] = []
  let size = 0
  const iterable = body instanceof Readable ? body : Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>)
  for await (const chunk of iterable) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array)
    size += buf.length
    if (size > limit) {
      iterable.destroy()
      throw new Error(`integration response over ${String(limit)} bytes`)
    }
    chunks.push(buf)
  }
  return Buffer.concat(chunks)
}

/** A Lambda proxy answer (§14.3, §14.4): `statusCode` (absent = 200), `body`, `isBase64Encoded`, `headers`. */
export function parseLambdaAnswer(payload: string): IntegrationOutcome {
  let value: unknown
  try {
    value = JSON.parse(payload)
  } catch {
    return { kind: 'error', reason: 'Malformed Lambda proxy response' }
  }
  return lambdaAnswer(value)
}

/** `parseLambdaAnswer` of the answer already parsed (an in-process handler's, see `InvokeResult.value`). */
function lambdaAnswer(value: unknown): IntegrationOutcome {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { kind: 'ok', status: 200, headers: {}, body: value === null ? null : JSON.stringify(value) }
  const o = value as { statusCode?: unknown; body?: unknown; isBase64Encoded?: unknown; headers?: unknown }
  const status = o.statusCode === undefined ? 200 : Number(o.statusCode)
  if (!Number.isInteger(status) || status < 100 || status > 599) return { kind: 'error', reason: 'Malformed Lambda proxy response: statusCode' }
  const headers: Record<string, string> = {}
  if (o.headers !== null && typeof o.headers === 'object')
    for (const [k, v] of Object.entries(o.headers as Record<string, unknown>)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') headers[k.toLowerCase()] = String(v)
  let body: string | Buffer | null = null
  if (o.body !== undefined && o.body !== null) {
    const text = typeof o.body === 'string' ? o.body : JSON.stringify(o.body)
    body = o.isBase64Encoded === true ? Buffer.from(text, 'base64') : text
  }
  return { kind: 'ok', status, headers, body }
}

/** `/2\d\d/` → `2\d\d`; `$default` → the fallback response. */
function responsePattern(key: string): string | undefined {
  return key === '$default' ? undefined : key.slice(1, -1)
}

function staticKey(expr: string | undefined, where: string): string {
  if (expr === undefined) return '$default'
  const compiled = compileSelectionExpression(expr)
  if (typeof compiled === 'string' || !compiled.isStatic) throw WebSocketUnsupported(`${where}: only a static templateSelectionExpression (e.g. \\$default) is supported on integration responses`)
  return compiled.evaluate({ body: undefined })
}

/**
 * The @gw/integrations definition of a WebSocket MOCK / HTTP / HTTP_PROXY
 * integration: request templates keyed by template selection key (chosen per
 * message, §4.10), integration responses by `integrationResponseKey`
 * pattern; each response's template picked once by its static key.
 */
function toIntegrationDefinition(def: WebSocketIntegration, where: string): IntegrationDefinition {
  const responses: Record<string, { statusCode: string; selectionPattern?: string; responseTemplates?: Record<string, string> }> = {}
  const list = def.integrationResponses.length === 0 ? [{ integrationResponseKey: '$default' }] : def.integrationResponses
  list.forEach((r, i) => {
    const out: { statusCode: string; selectionPattern?: string; responseTemplates?: Record<string, string> } = { statusCode: '200' }
    const pattern = responsePattern(r.integrationResponseKey)
    if (pattern !== undefined) out.selectionPattern = pattern
    const templates = 'responseTemplates' in r ? r.responseTemplates : undefined
    if (templates !== undefined) {
      const key = staticKey('templateSelectionExpression' in r ? r.templateSelectionExpression : undefined, `${where}.integrationResponses[${String(i)}]`)
      const chosen = templates[key] ?? templates.$default
      if (chosen !== undefined) out.responseTemplates = { 'application/json': chosen }
    }
    responses[`r${String(i)}`] = out
  })
  const out: IntegrationDefinition = {
    type: def.integrationType,
    passthroughBehavior: def.passthroughBehavior,
    timeoutInMillis: def.timeoutInMillis,
    integrationResponses: responses
  }
  if (def.integrationUri !== undefined) out.uri = def.integrationUri
  if (def.integrationType !== 'MOCK') out.httpMethod = def.integrationMethod
  if (def.requestTemplates !== undefined) out.requestTemplates = def.requestTemplates
  // The template selection key travels to @gw/integrations in Content-Type (see invoke); a backend must not see it:
  // an HTTP integration sends the mapped body as JSON, as a mapping template's output defaults to (§4.5).
  if (def.integrationType === 'HTTP') out.requestParameters = { 'integration.request.header.Content-Type': "'application/json'" }
  return out
}

/** Options a route integration is compiled with. */
export interface RouteIntegrationOptions {
  readonly integrations: Omit<IntegrationOptions, 'flavour' | 'binaryMediaTypes' | 'methodResponses' | 'logger'>
  readonly invoker: ReturnType<typeof compileInvoker>
  readonly logger: Logger
  readonly accountId: string
  /** Largest answer kept from an HTTP integration (§14.4: 128 KB). */
  readonly maxMessageBytes: number
}

/**
 * Compiles one WebSocket integration (§14.1) once: AWS_PROXY invokes the
 * function with the §14.6 event (in-process handler or remote Invoke, through
 * @gw/integrations); MOCK, HTTP and HTTP_PROXY run @gw/integrations'
 * integration with the message as the request body and the templates of §4.10.
 * @throws GwError GW_WEBSOCKET_UNSUPPORTED when a Lambda has no handler and no remote endpoint
 */
export function compileRouteIntegration(def: WebSocketIntegration, where: string, options: RouteIntegrationOptions): RouteIntegration {
  const timeout = def.timeoutInMillis
  if (def.integrationType === 'AWS_PROXY') {
    const fnTemplate = functionOfUri(def.integrationUri as string)
    const dynamic = fnTemplate.includes('${stageVariables.')
    const fixed = dynamic ? undefined : options.invoker.forFunction(fnTemplate)
    if (!dynamic && fixed === undefined) throw WebSocketUnsupported(`${where}: Lambda function ${fnTemplate} has no in-process handler (integrations.lambda) and no remote endpoint (integrations.aws.endpoint)`)
    return {
      type: def.integrationType,
      async invoke(call) {
        const fn = dynamic ? substituteStageVariables(fnTemplate, call.stageVariables) : fnTemplate
        const invoke = fixed ?? options.invoker.forFunction(fn)
        if (invoke === undefined) return { kind: 'error', reason: `no handler for Lambda function ${fn}` }
        const result = await invoke(fn, call.event(), timeout)
        if (result.kind === 'timeout') return { kind: 'error', reason: 'Lambda timed out' }
        if (result.kind === 'failed') return { kind: 'error', reason: result.reason }
        if (result.functionError !== undefined) return { kind: 'error', reason: `function error: ${result.payload.slice(0, 500)}` }
        return result.value === undefined ? parseLambdaAnswer(result.payload) : lambdaAnswer(result.value)
      },
      close: () => Promise.resolve()
    }
  }
  const mw = createIntegration(toIntegrationDefinition(def, where), { ...options.integrations, flavour: 'REST', logger: options.logger, accountId: options.accountId })
  const templateKey: SelectionExpression | undefined = def.templateSelectionExpression === undefined ? undefined : (compileSelectionExpression(def.templateSelectionExpression) as SelectionExpression)
  const templates = def.requestTemplates ?? {}
  // HTTP_PROXY passes the message through: no templates to choose, so no selection key in its headers.
  const proxy = def.integrationType === 'HTTP_PROXY'
  const noop = (): Promise<void> => Promise.resolve()
  // A MOCK whose templates read nothing of the request (`{"statusCode": 200}` → `{"ok": true}`) answers the same
  // to every message of a template selection key: that outcome is made here, once per key, by @gw/integrations
  // (the Content-Type and Accept below are the only request values its choice reads).
  const constants = new Map<string, IntegrationOutcome>()
  if (mw.constantAnswer !== undefined) {
    for (const key of new Set(['$default', ...Object.keys(templates)])) {
      const answer = mw.constantAnswer(key.toLowerCase(), 'application/json')
      if (answer !== undefined) constants.set(key, Object.freeze({ kind: 'ok', status: answer.status, headers: Object.freeze({ ...answer.headers }), body: answer.body }))
    }
  }
  const run = async (call: IntegrationCall, chosen: string): Promise<IntegrationOutcome> => {
    const headers: IncomingHttpHeaders = proxy ? { ...call.headers } : { ...call.headers, 'content-type': chosen.toLowerCase(), accept: 'application/json' }
    const ctx = new GatewayContext<Record<PropertyKey, unknown>>(new EventSource(call.body, headers, call.rawHeaders, call.sourceIp), {
      flavour: 'HTTP',
      sourceIp: call.sourceIp,
      requestTimeEpoch: call.requestTimeEpoch
    })
    ctx.apiId = call.apiId
    ctx.stage = call.stage
    ctx.stageVariables = call.stageVariables
    ctx.routeKey = call.routeKey
    ctx.authorizer = call.authorizer
    ctx.state[CONTEXT_EXTRAS] = { ...call.contextExtras, requestId: call.requestId, extendedRequestId: call.requestId }
    try {
      await mw(ctx, noop)
    } catch (err) {
      return { kind: 'error', reason: err instanceof Error ? err.message : String(err) }
    }
    if (ctx.error !== undefined) return { kind: 'error', reason: `${ctx.error.type}: ${String(ctx.error.message)}` }
    const headersOut: Record<string, string> = {}
    for (const [k, v] of Object.entries(ctx.responseHeaders)) headersOut[k] = Array.isArray(v) ? v.join(',') : v
    try {
      // A backend's answer arrives as bytes: it goes back as a text frame when it is UTF-8, else as a binary
      // frame (as @connections posts do, §14.7 [I]); a two-way route must not turn a JSON answer into binary.
      const body = await collect(ctx.body, options.maxMessageBytes)
      return { kind: 'ok', status: ctx.status, headers: headersOut, body: Buffer.isBuffer(body) && isUtf8(body) ? body.toString('utf8') : body }
    } catch (err) {
      return { kind: 'error', reason: err instanceof Error ? err.message : String(err) }
    }
  }
  return {
    type: def.integrationType,
    invoke(call) {
      // §4.10: the template selection expression picks the request template; @gw/integrations picks by
      // Content-Type, so the key travels in that header (`$default` when the key has no template).
      const key = templateKey === undefined ? '$default' : templateKey.evaluate({ body: call.parsed, context: call.contextExtras, stageVariables: call.stageVariables })
      const chosen = Object.prototype.hasOwnProperty.call(templates, key) ? key : '$default'
      return constants.get(chosen) ?? run(call, chosen)
    },
    close: () => mw.close()
  }
}
