import type { Dispatcher } from 'undici'
import { reject, type GatewayContext } from '@gw/core'
import type { ParsedIntegration, ParsedIntegrationOptions } from './options.js'
import { compileUri } from './uri.js'
import { appendQuery, compileRequestParameters } from './request-parameters.js'
import { createUpstream } from './dispatcher.js'
import { upstreamFailure } from './upstream-failure.js'
import { parseMappingBody } from './json-path.js'
import { compileIntegrationResponses, noOutputMapping } from './integration-responses.js'
import { compileTemplates } from './templates.js'
import { mapRequestBody } from './request-body.js'
import { fillPath, type IntegrationMiddleware } from './http-proxy.js'
import { traceId } from './trace-id.js'

const NO_BODY_CONTENT_TYPE = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * HTTP custom integration (§3.4, §3.7, §4.8): only mapped headers, query and
 * path reach the endpoint (plus the gateway's defaults of §3.2), the body is
 * the request template output or passthrough; the response is buffered,
 * an integration response is chosen by its status and rendered.
 */
export function httpIntegration(
  def: ParsedIntegration,
  options: ParsedIntegrationOptions,
  allowed: ReadonlySet<number> | null
): IntegrationMiddleware {
  const resolveUri = compileUri(def.uri as string)
  const dynamic = (def.uri as string).includes('${stageVariables.')
  const upstream = createUpstream(def, options, dynamic ? undefined : resolveUri(null)?.origin)
  const params = compileRequestParameters(def.requestParameters, false)
  const templates = compileTemplates(def.requestTemplates)
  const responses = compileIntegrationResponses(def, true, options.accountId)
  const fixedMethod = def.httpMethod === undefined || def.httpMethod.toUpperCase() === 'ANY' ? null : def.httpMethod.toUpperCase()
  const timeout = def.timeoutInMillis ?? 29_000
  const uriText = def.uri as string

  async function http(ctx: GatewayContext<object>): Promise<void> {
    const uri = resolveUri(ctx.stageVariables)
    if (uri === undefined || params.forbidden) return reject(ctx, 'API_CONFIGURATION_ERROR')
    const mapped = await mapRequestBody(ctx, def, templates, options.accountId)
    if (mapped === undefined) return
    const raw = params.needsBody ? (await ctx.readBody()).toString('utf8') : ''
    const parsed = params.needsBody ? parseMappingBody(raw) : undefined
    const method = fixedMethod ?? ctx.method
    const headers = Object.create(null) as Record<string, string>
    headers['accept'] = 'application/json'
    headers['user-agent'] = `AmazonAPIGateway_${ctx.apiId ?? ''}`
    if (ctx.apiId !== undefined) headers['x-amzn-apigateway-api-id'] = ctx.apiId
    headers['x-amzn-trace-id'] = traceId(ctx.requestTimeEpoch)
    // W3C trace context passes through (the client's, or the integration span @gw/metrics' tracer set; §13), as on HTTP_PROXY.
    const traceparent = ctx.headers.traceparent
    if (typeof traceparent === 'string') headers.traceparent = traceparent
    const tracestate = ctx.headers.tracestate
    if (typeof tracestate === 'string') headers.tracestate = tracestate
    const ct = ctx.headers['content-type']
    if (ct !== undefined && !NO_BODY_CONTENT_TYPE.has(method)) headers['content-type'] = ct
    for (const [name, source] of params.headers) {
      const v = source(ctx, raw, parsed)
      if (v !== undefined) headers[name] = Array.isArray(v) ? v.join(',') : v
    }
    let query = uri.query
    for (const [name, source] of params.query) {
      const v = source(ctx, raw, parsed)
      if (v !== undefined) query = appendQuery(query, name, v)
    }
    const o = mapped.overrides
    if (o !== undefined) for (const k in o.headers) headers[k.toLowerCase()] = o.headers[k] as string // §4.7: overrides win
    if (o !== undefined) for (const k in o.querystring) query = appendQuery(query, k, o.querystring[k] as string)
    let path = fillPath(ctx, uri, params, raw, parsed)
    if (o !== undefined) for (const k in o.path) path = path.replace(`{${k}}`, encodeURIComponent(o.path[k] as string))
    let res: Dispatcher.ResponseData
    let text: string
    try {
      res = await upstream.dispatcher.request({
        origin: uri.origin,
        path: query === '' ? path : `${path}?${query}`,
        method: method,
        headers,
        body: method === 'GET' || method === 'HEAD' ? null : mapped.body,
        headersTimeout: timeout,
        bodyTimeout: timeout
      })
      text = await res.body.text()
    } catch (err) {
      return upstreamFailure(ctx, err, options.logger, uriText)
    }
    const chosen = responses.select(String(res.statusCode))
    if (chosen === undefined || (allowed !== null && !allowed.has(chosen.statusCode))) return noOutputMapping(ctx)
    responses.respond(ctx, chosen, { status: res.statusCode, headers: res.headers, body: text })
  }
  return Object.assign(http, { close: () => upstream.close() })
}
