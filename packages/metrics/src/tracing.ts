import type * as Otel from '@opentelemetry/api'
import type { CacheLookupEvent, PhaseEndEvent, PhaseStartEvent, RequestEndEvent, RequestStartEvent } from '@gw/core'
import { stashOf, peekStash } from './request-stash.js'

/** The spans of one request. */
interface RequestSpans {
  readonly request: Otel.Span
  readonly context: Otel.Context
  phase: Otel.Span | undefined
}

type Headers = Record<string, string | string[] | undefined>

const getter: Otel.TextMapGetter<Headers> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toLowerCase()]
}
const setter: Otel.TextMapSetter<Headers> = {
  set: (carrier, key, value) => {
    carrier[key.toLowerCase()] = value
  }
}

const PHASE_NAMES = { authorizer: 'authorizer', cache: 'cache lookup', integration: 'integration' } as const

/**
 * OpenTelemetry spans for API Gateway requests, through `@opentelemetry/api`
 * (whatever SDK the application registered; a no-op without one): a SERVER
 * span per request whose parent is the client's W3C `traceparent`, and child
 * spans for the authorizer, the cache lookup and the integration call (CLIENT).
 * At the integration's start the propagator writes the integration span's
 * context into `ctx.headers` (`traceparent`, `tracestate`), which HTTP
 * integrations forward; `X-Amzn-Trace-Id` is left as the integration sets it.
 * Attributes follow the HTTP semantic conventions.
 */
export class Tracing {
  readonly #api: typeof Otel
  readonly #tracer: Otel.Tracer

  constructor(api: typeof Otel, tracerName: string) {
    this.#api = api
    this.#tracer = api.trace.getTracer(tracerName)
  }

  readonly onStart = (message: unknown): void => {
    const { ctx } = message as RequestStartEvent
    const api = this.#api
    const parent = api.propagation.extract(api.ROOT_CONTEXT, ctx.headers, getter)
    const host = typeof ctx.headers.host === 'string' ? ctx.headers.host : ''
    const colon = host.lastIndexOf(':')
    const attributes: Otel.Attributes = {
      'http.request.method': ctx.method,
      'url.path': ctx.rawPath,
      'url.scheme': ctx.source.protocol,
      'server.address': colon > 0 && !host.endsWith(']') ? host.slice(0, colon) : host,
      'client.address': ctx.sourceIp,
      'network.protocol.version': '1.1'
    }
    if (colon > 0) attributes['server.port'] = Number(host.slice(colon + 1))
    if (ctx.rawQuery !== '') attributes['url.query'] = ctx.rawQuery
    const ua = ctx.headers['user-agent']
    if (typeof ua === 'string') attributes['user_agent.original'] = ua
    const request = this.#tracer.startSpan(ctx.method, { kind: api.SpanKind.SERVER, attributes, startTime: ctx.requestTimeEpoch }, parent)
    stashOf(ctx).spans = { request, context: api.trace.setSpan(parent, request), phase: undefined } satisfies RequestSpans
  }

  readonly onPhaseStart = (message: unknown): void => {
    const { ctx, phase } = message as PhaseStartEvent
    const spans = peekStash(ctx)?.spans as RequestSpans | undefined
    if (spans === undefined) return
    const api = this.#api
    const integration = phase === 'integration'
    const span = this.#tracer.startSpan(
      integration ? `${ctx.method} integration` : PHASE_NAMES[phase],
      { kind: integration ? api.SpanKind.CLIENT : api.SpanKind.INTERNAL, attributes: integration ? { 'http.request.method': ctx.method, 'gw.phase': phase } : { 'gw.phase': phase } },
      spans.context
    )
    spans.phase = span
    // W3C trace context for the upstream: the integration span becomes the backend's parent.
    if (integration) api.propagation.inject(api.trace.setSpan(spans.context, span), ctx.headers, setter)
  }

  readonly onPhaseEnd = (message: unknown): void => {
    const { ctx, phase, error } = message as PhaseEndEvent
    const spans = peekStash(ctx)?.spans as RequestSpans | undefined
    const span = spans?.phase
    if (spans === undefined || span === undefined) return
    spans.phase = undefined
    if (phase === 'integration') {
      span.setAttribute('http.response.status_code', ctx.status)
      if (ctx.status >= 500) span.setStatus({ code: this.#api.SpanStatusCode.ERROR })
    }
    if (error !== undefined) {
      span.recordException(error instanceof Error ? error : JSON.stringify(error) ?? 'error')
      span.setStatus({ code: this.#api.SpanStatusCode.ERROR })
    }
    span.end()
  }

  readonly onCacheLookup = (message: unknown): void => {
    const { ctx, hit } = message as CacheLookupEvent
    const spans = peekStash(ctx)?.spans as RequestSpans | undefined
    spans?.phase?.setAttribute('gw.cache.hit', hit)
  }

  readonly onEnd = (message: unknown): void => {
    const { ctx, route } = message as RequestEndEvent
    const spans = peekStash(ctx)?.spans as RequestSpans | undefined
    if (spans === undefined) return
    const span = spans.request
    const template = route?.resource
    if (template !== undefined && template !== '$default') {
      span.setAttribute('http.route', template)
      span.updateName(`${ctx.method} ${template}`)
    }
    span.setAttribute('http.response.status_code', ctx.status)
    span.setAttribute('aws.api_gateway.request_id', ctx.requestId)
    if (ctx.stage !== undefined) span.setAttribute('aws.api_gateway.stage', ctx.stage)
    if (ctx.status >= 500) {
      span.setAttribute('error.type', String(ctx.status))
      span.setStatus({ code: this.#api.SpanStatusCode.ERROR })
    }
    span.end()
  }
}
