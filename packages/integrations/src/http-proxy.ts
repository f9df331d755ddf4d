import type { Dispatcher } from 'undici'
import { NullProto, isGatewayCredential, reject, type GatewayContext, type Middleware } from '@gw/core'
import type { ParsedIntegration, ParsedIntegrationOptions } from './options.js'
import { compileUri, type ParsedUri } from './uri.js'
import { appendQuery, compileRequestParameters, type RequestParameters } from './request-parameters.js'
import { createUpstream, type Upstream } from './dispatcher.js'
import { upstreamFailure } from './upstream-failure.js'
import { callUpstream, type UpstreamResponse } from './upstream-call.js'
import { ProxyExchange } from './proxy-exchange.js'
import { parseMappingBody } from './json-path.js'
import { bodyReader, compileHttpApiParameters, wholeBody, type HttpApiOperation, type ResponseView } from './http-api-parameters.js'
import { traceId } from './trace-id.js'
import type { ConstantResponse } from './integration-responses.js'

/**
 * §3.2: client headers never forwarded (hop-by-hop and the listed ones), plus
 * those HTTP_PROXY replaces (`host`) or strips (`via`, `content-encoding`
 * unless mapped). `accept-encoding` is not forwarded either: §3.3 drops the
 * backend's `Content-Encoding`, so the backend must answer in identity.
 */
const DROP_REQUEST = new Set([
  'connection', 'content-length', 'content-md5', 'expect', 'max-forwards', 'proxy-authenticate', 'server', 'te',
  'transfer-encoding', 'trailer', 'upgrade', 'www-authenticate', 'host', 'via', 'content-encoding', 'accept-encoding',
  'keep-alive', 'proxy-connection', 'x-amzn-trace-id', 'x-amzn-apigateway-api-id'
])
/** §3.3: response headers dropped for HTTP_PROXY. */
const DROP_RESPONSE = new Set(['transfer-encoding', 'content-encoding', 'via', 'keep-alive'])
/** §3.3: response headers renamed `x-amzn-Remapped-*` for every type (names built once, not per response). */
const REMAP_RESPONSE = new Map(['connection', 'content-length', 'date', 'server'].map((name) => [name, `x-amzn-remapped-${name}`]))

const noBody = (): unknown => undefined

/** Applies one status' HTTP API response mappings (§3.7) to the outgoing headers; returns the status to send. */
function applyResponseOps(ctx: GatewayContext<object>, ops: readonly HttpApiOperation[], view: ResponseView, out: Record<string, string | string[]>): number {
  let status = view.status
  for (const op of ops) {
    const v = op.value(ctx, view, noBody)
    if (op.target === 'statuscode') {
      const n = Number(v)
      if (Number.isInteger(n) && n >= 100 && n <= 599) status = n
    } else if (op.target === 'header') {
      if (op.action === 'remove') delete out[op.name] // rare path: delete makes this object a dictionary
      else if (v !== undefined) {
        const prev = out[op.name]
        out[op.name] = op.action === 'append' && prev !== undefined ? `${String(prev)},${v}` : v
      }
    }
  }
  return status
}

/** Collects a response body (collected already, or streaming) into one buffer. */
async function collect(body: unknown): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body
  if (body === null || typeof body !== 'object' || !(Symbol.asyncIterator in body)) return Buffer.alloc(0)
  const chunks: Buffer[] = []
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/** Responses whose mappings read `$response.body.*`: applied once the body is collected (§3.7). */
const pendingResponses = new WeakMap<GatewayContext<object>, { ops: readonly HttpApiOperation[]; view: { status: number; headers: Record<string, string | string[]> } }>()

/** Applies one HTTP API querystring operation to a raw query string (§3.7). */
function editQuery(query: string, op: HttpApiOperation, value: string | undefined): string {
  let q = query
  if (op.action !== 'append') {
    q = q
      .split('&')
      .filter((pair) => pair !== '' && decodeURIComponent((pair.split('=')[0] ?? '').replace(/\+/g, ' ')) !== op.name)
      .join('&')
  }
  if (op.action === 'remove' || value === undefined) return q
  return appendQuery(q, op.name, value)
}

/** Builds the integration path from `{name}` pieces: mappings first, else the method's path parameter. */
export function fillPath(ctx: GatewayContext<object>, uri: ParsedUri, params: RequestParameters, body: string, parsed: unknown): string {
  const parts = uri.path
  if (parts.length === 1) return parts[0] as string
  let out = parts[0] as string
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i] as string
    const mapped = params.path.get(name)
    const v = mapped === undefined ? ctx.pathParameters?.[name.endsWith('+') ? name.slice(0, -1) : name] : mapped(ctx, body, parsed)
    out += (v === undefined ? '' : Array.isArray(v) ? v.join(',') : v) + (parts[i + 1] as string)
  }
  return out
}

/** A terminal middleware that also owns connection pools. */
export type IntegrationMiddleware = Middleware<object> & {
  /** Closes keep-alive pools (idempotent). */
  close(): Promise<void>
  /** MOCK only: the answer that does not depend on the request, if it does not (see `MockMiddleware`). */
  constantAnswer?: (contentType: string | undefined, accept: string | undefined) => ConstantResponse | undefined
}

/**
 * HTTP_PROXY (§3.4): client method (for `ANY`), headers (§3.2), query and
 * body streamed to the endpoint through a keep-alive pool; status, headers
 * (§3.3) and body streamed back. Nothing is buffered unless a body mapping
 * needs it.
 */
export function httpProxyIntegration(def: ParsedIntegration, options: ParsedIntegrationOptions): IntegrationMiddleware {
  const resolveUri = compileUri(def.uri as string)
  const staticUri = resolveUri(null)
  const dynamic = (def.uri as string).includes('${stageVariables.')
  const upstream: Upstream = createUpstream(def, options, dynamic ? undefined : staticUri?.origin)
  const dispatcher: Dispatcher = upstream.dispatcher
  const httpApi = options.flavour === 'HTTP'
  // HTTP APIs use `append|overwrite|remove:` keys (§3.7); REST uses `integration.request.*` targets.
  const params = compileRequestParameters(httpApi ? undefined : def.requestParameters, false)
  const apiRequest = httpApi ? compileHttpApiParameters(def.requestParameters) : { ops: [], needsBody: false }
  const apiResponse = new Map<number, HttpApiOperation[]>()
  // statuses whose mappings read the response body: only those responses are collected
  const apiResponseBody = new Set<number>()
  if (httpApi)
    for (const [status, map] of Object.entries(def.responseParameters ?? {})) {
      const compiled = compileHttpApiParameters(map, `responseParameters["${status}"]`)
      apiResponse.set(Number(status), compiled.ops)
      if (compiled.needsResponseBody) apiResponseBody.add(Number(status))
    }
  const readsResponseBody = apiResponseBody.size > 0
  const apiOps = apiRequest.ops.length > 0
  // §1.3: the `$default` route sends the full request path (`/store/checkout` → `https://backend/store/checkout`);
  // a greedy route does not (its URI names `{proxy}` if it wants the path).
  const appendPath = httpApi && options.defaultRoute
  const hasMappings = params.headers.length > 0 || params.query.length > 0
  const fixedMethod = def.httpMethod === undefined || def.httpMethod.toUpperCase() === 'ANY' ? null : def.httpMethod.toUpperCase()
  const timeout = def.timeoutInMillis ?? (options.flavour === 'HTTP' ? 30_000 : 29_000)
  // undici's own timeouts only back up the exact §3.1 timer (theirs are ±0.5 s past 1 s, so they sit 1 s behind it).
  // Equal for headers and body on purpose: undici then refreshes one timer per connection instead of replacing it at
  // every response, and each replaced timer lived until its next sweep (promoted garbage, twice per request).
  const backstop = timeout + 1000
  const logger = options.logger
  const uriText = def.uri as string

  // Plain functions rather than an async function: a request that waits on its endpoint keeps one ProxyExchange
  // alive instead of a suspended frame holding every local (less garbage promoted under load).
  function httpProxy(ctx: GatewayContext<object>): Promise<void> | void {
    const uri = dynamic ? resolveUri(ctx.stageVariables) : staticUri
    if (uri === undefined || params.forbidden) return reject(ctx, 'API_CONFIGURATION_ERROR') // §3.4 invalid URI, §3.2 forbidden mapping → 500
    if (params.needsBody || apiRequest.needsBody) {
      const sent = ctx.readBody().then((buffer) => {
        const text = buffer.toString('utf8')
        if (apiRequest.needsBody) wholeBody.set(ctx, text)
        return send(ctx, uri, text, parseMappingBody(text))
      })
      return readsResponseBody ? sent.then(() => mapResponseBody(ctx)) : sent
    }
    return readsResponseBody ? send(ctx, uri, '', undefined).then(() => mapResponseBody(ctx)) : send(ctx, uri, '', undefined)
  }

  /** Applies the deferred response mappings that read `$response.body.*`, on the collected body. */
  function mapResponseBody(ctx: GatewayContext<object>): Promise<void> | undefined {
    const pending = pendingResponses.get(ctx)
    if (pending === undefined) return undefined
    pendingResponses.delete(ctx)
    return collect(ctx.body).then((buffer) => {
      const view = { ...pending.view, body: bodyReader(buffer, Infinity) }
      ctx.status = applyResponseOps(ctx, pending.ops, view, ctx.responseHeaders)
      ctx.body = buffer
    })
  }

  /** Sends the integration request; settles once the answer (or the failure) is on `ctx`. */
  function send(ctx: GatewayContext<object>, uri: ParsedUri, bodyText: string, parsed: unknown): Promise<void> {
    const h = ctx.headers
    const headers: string[] = []
    for (const name in h) {
      if (DROP_REQUEST.has(name)) continue
      const v = h[name]
      if (v === undefined) continue
      if (typeof v === 'string') {
        if (!isGatewayCredential(name, v)) headers.push(name, v) // §3.2, §10.8: SigV4, session token, API key stay here
      } else for (const one of v) headers.push(name, one)
    }
    const xff = h['x-forwarded-for']
    headers.push('x-forwarded-for', xff === undefined ? ctx.sourceIp : `${String(xff)}, ${ctx.sourceIp}`)
    headers.push('x-amzn-trace-id', traceId(ctx.requestTimeEpoch))
    if (ctx.apiId !== undefined) headers.push('x-amzn-apigateway-api-id', ctx.apiId)
    let query = ctx.rawQuery
    if (uri.query !== '') query = query === '' ? uri.query : `${uri.query}&${query}`
    if (hasMappings) {
      for (const [name, source] of params.headers) {
        const v = source(ctx, bodyText, parsed)
        if (v === undefined) continue
        for (let i = headers.length - 2; i >= 0; i -= 2) if (headers[i] === name) headers.splice(i, 2) // mappings override (§3.4)
        headers.push(name, Array.isArray(v) ? v.join(',') : v)
      }
      for (const [name, source] of params.query) {
        const v = source(ctx, bodyText, parsed)
        if (v !== undefined) query = appendQuery(query, name, v)
      }
    }
    let path = fillPath(ctx, uri, params, bodyText, parsed)
    if (appendPath) path = path === '/' ? ctx.path : path.endsWith('/') ? path + ctx.path.slice(1) : path + ctx.path
    if (apiOps) {
      const read = bodyReader(bodyText)
      for (const op of apiRequest.ops) {
        const v = op.value(ctx, undefined, read)
        if (op.target === 'path') {
          if (v !== undefined) path = v.startsWith('/') ? v : `/${v}`
        } else if (op.target === 'header') {
          if (op.action !== 'append') for (let i = headers.length - 2; i >= 0; i -= 2) if (headers[i] === op.name) headers.splice(i, 2)
          if (op.action !== 'remove' && v !== undefined) headers.push(op.name, v)
        } else if (op.target === 'querystring') query = editQuery(query, op, v)
      }
    }
    const method = fixedMethod ?? ctx.method
    const body = ctx.source.hasBody && method !== 'GET' && method !== 'HEAD' ? ctx.bodyStream() : null
    const call: Dispatcher.DispatchOptions = {
      origin: uri.origin,
      path: query === '' ? path : `${path}?${query}`,
      method,
      headers,
      body,
      headersTimeout: backstop,
      bodyTimeout: backstop
    }
    return new Promise<void>((resolve, reject) => {
      const exchange = new ProxyExchange(ctx, respond, failure, timeout, resolve, reject)
      exchange.call = callUpstream(dispatcher, call, exchange)
    })
  }

  function failure(ctx: GatewayContext<object>, err: unknown): void {
    upstreamFailure(ctx, err, logger, uriText)
  }

  /** Puts the endpoint's answer on `ctx`: status, headers per §3.3 (and HTTP API response mappings), body. */
  function respond(ctx: GatewayContext<object>, res: UpstreamResponse): void {
    const out = new NullProto() as Record<string, string | string[]>
    const rh = res.headers
    for (const name in rh) {
      const v = rh[name]
      if (v === undefined || DROP_RESPONSE.has(name)) continue
      const remapped = REMAP_RESPONSE.get(name)
      if (remapped !== undefined) {
        out[remapped] = v
        if (name === 'content-length') out['content-length'] = v // the gateway's own length: the body passes unchanged
      } else out[name] = v
    }
    out['content-type'] ??= 'application/json' // §3.3
    let status = res.statusCode
    const responseOps = httpApi ? apiResponse.get(status) : undefined
    if (responseOps !== undefined) {
      if (readsResponseBody && apiResponseBody.has(status)) pendingResponses.set(ctx, { ops: responseOps, view: { status, headers: rh } })
      else status = applyResponseOps(ctx, responseOps, { status, headers: rh }, out)
    }
    ctx.status = status
    ctx.responseHeaders = out
    // Small bodies of known length arrive collected (one write, no stream pipe); the rest streams.
    ctx.body = res.body
  }
  return Object.assign(httpProxy, { close: () => upstream.close() })
}
