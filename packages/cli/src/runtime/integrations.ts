import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { reject, resolveParameterSource, substituteStageVariables, type GatewayContext } from '@gw/core'

/** The fields of an integration (§16.2, as @gw/openapi or @gw/gateway carry it) these runners read. */
export interface IntegrationDefinition {
  readonly type: 'AWS' | 'AWS_PROXY' | 'HTTP' | 'HTTP_PROXY' | 'MOCK'
  readonly uri?: string | undefined
  readonly httpMethod?: string | undefined
  readonly timeoutInMillis?: number | undefined
  readonly requestTemplates?: Record<string, string> | undefined
  readonly responses?:
    | Record<string, { readonly statusCode: string; readonly responseParameters?: Record<string, string> | undefined; readonly responseTemplates?: Record<string, string> | undefined }>
    | undefined
}

/** An in-process Lambda handler (`(event, context) => result`). */
export type LambdaHandler = (event: unknown, context: unknown) => unknown

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length'])
const STATUS_IN_TEMPLATE = /"?statusCode"?\s*:\s*(\d{3})/

/**
 * MOCK (§3.5): the status comes from the request template's `statusCode`; the integration response is selected by
 * status pattern (§4.8), its template gets `$context.*` / `$stageVariables.*` substitution and its parameters are
 * resolved with @gw/core's parameter sources. Full VTL belongs to @gw/mapping.
 */
export function runMock(ctx: GatewayContext<object>, integration: IntegrationDefinition): void {
  const template = integration.requestTemplates?.['application/json'] ?? Object.values(integration.requestTemplates ?? {})[0] ?? ''
  const status = STATUS_IN_TEMPLATE.exec(template)?.[1] ?? '200'
  applyIntegrationResponse(ctx, integration, status, '')
}

function applyIntegrationResponse(ctx: GatewayContext<object>, integration: IntegrationDefinition, status: string, body: string): void {
  const responses = integration.responses ?? {}
  let selected = responses.default
  for (const [pattern, response] of Object.entries(responses)) {
    if (pattern !== 'default' && new RegExp(`^(?:${pattern})$`).test(status)) {
      selected = response
      break
    }
  }
  ctx.status = Number(selected?.statusCode ?? status)
  const headers = Object.create(null) as Record<string, string>
  for (const [name, source] of Object.entries(selected?.responseParameters ?? {})) {
    const value = resolveParameterSource(source, ctx)
    if (value !== undefined) headers[name.replace(/^method\.response\.header\./, '').toLowerCase()] = Array.isArray(value) ? value.join(',') : value
  }
  const templates = selected?.responseTemplates ?? {}
  const [type, template] = Object.entries(templates)[0] ?? ['application/json', body]
  headers['content-type'] ??= type
  ctx.responseHeaders = headers
  ctx.body = renderSimpleTemplate(template, ctx)
}

/** `$context.x`, `$stageVariables.x`, `${stageVariables.x}`, `$input.params('x')` substitution (no VTL). */
function renderSimpleTemplate(template: string, ctx: GatewayContext<object>): string {
  const vars = ctx.stageVariables ?? {}
  return substituteStageVariables(template, vars)
    .replace(/\$stageVariables\.([A-Za-z0-9_]+)/g, (_, name: string) => vars[name] ?? '')
    .replace(/\$input\.params\((?:'|")([^'"]+)(?:'|")\)/g, (_, name: string) => {
      const q = ctx.query[name]
      return ctx.pathParameters?.[name] ?? q?.[q.length - 1] ?? headerText(ctx.headers, name)
    })
    .replace(/\$context\.([A-Za-z0-9_.]+)/g, (_, name: string) => {
      const value = resolveParameterSource(`context.${name}`, ctx)
      return value === undefined ? '' : Array.isArray(value) ? value.join(',') : value
    })
}

function headerText(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name.toLowerCase()]
  return Array.isArray(value) ? value.join(',') : (value ?? '')
}

/**
 * HTTP_PROXY / HTTP (§3.4): forwards method, headers and the streamed body to the stage-variable-substituted URI with
 * `{param}` path parameters filled in; streams the response back. Timeout → 504 INTEGRATION_TIMEOUT, failure →
 * INTEGRATION_FAILURE (§3.1).
 */
export function runHttp(ctx: GatewayContext<object>, integration: IntegrationDefinition): Promise<void> {
  let uri = substituteStageVariables(integration.uri ?? '', ctx.stageVariables ?? {})
  for (const [name, value] of Object.entries(ctx.pathParameters ?? {})) {
    uri = uri.replace(`{${name}+}`, value).replace(`{${name}}`, name === 'proxy' ? value : encodeURIComponent(value))
  }
  if (ctx.rawQuery !== '') uri += (uri.includes('?') ? '&' : '?') + ctx.rawQuery
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    reject(ctx, 'INTEGRATION_FAILURE')
    return Promise.resolve()
  }
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(ctx.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value
  const contentLength = ctx.headers['content-length']
  if (contentLength !== undefined) headers['content-length'] = contentLength
  const timeout = integration.timeoutInMillis ?? 29_000
  return new Promise<void>((resolve) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const method = integration.type === 'HTTP_PROXY' || integration.httpMethod === undefined || integration.httpMethod === 'ANY' ? ctx.method : integration.httpMethod
    const req = send(url, { method, headers, signal: ctx.signal }, (res) => {
      clearTimeout(timer)
      ctx.status = res.statusCode ?? 502
      const out = Object.create(null) as Record<string, string | string[]>
      for (const [name, value] of Object.entries(res.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value
      ctx.responseHeaders = out
      ctx.body = res
      resolve()
    })
    const timer = setTimeout(() => {
      req.destroy()
      reject(ctx, 'INTEGRATION_TIMEOUT')
      resolve()
    }, timeout)
    req.on('error', () => {
      clearTimeout(timer)
      if (ctx.error === undefined) reject(ctx, 'INTEGRATION_FAILURE', { status: 502 })
      resolve()
    })
    const body = ctx.source.hasBody ? ctx.source.stream() : null
    if (body === null) req.end()
    else body.pipe(req)
  })
}

/**
 * AWS_PROXY with an in-process handler (§2): builds the payload 1.0 (REST) or 2.0 (HTTP API) event, calls the
 * handler and maps its result (§2.3, §2.4). A throw or a malformed result → 502 `{"message": "Internal server error"}`.
 */
export async function runLambda(ctx: GatewayContext<object>, route: { method: string; path: string }, handler: LambdaHandler, version: '1.0' | '2.0'): Promise<void> {
  const raw = await ctx.readBody()
  const isBinary = raw.length > 0 && !/^(?:text\/|application\/(?:json|xml|x-www-form-urlencoded))/.test(String(ctx.headers['content-type'] ?? 'text/plain'))
  const body = raw.length === 0 ? null : isBinary ? raw.toString('base64') : raw.toString('utf8')
  const headers: Record<string, string> = {}
  const multiValueHeaders: Record<string, string[]> = {}
  const raws = ctx.source.rawHeaders
  for (let i = 0; i + 1 < raws.length; i += 2) {
    const name = raws[i] ?? ''
    const value = raws[i + 1] ?? ''
    headers[name] = value
    ;(multiValueHeaders[name] ??= []).push(value)
  }
  const query = ctx.query
  const names = Object.keys(query)
  const requestContext = {
    resourcePath: route.path,
    httpMethod: ctx.method,
    path: ctx.rawPath,
    stage: ctx.stage,
    requestId: ctx.requestId,
    requestTimeEpoch: ctx.requestTimeEpoch,
    identity: { sourceIp: ctx.sourceIp, apiKey: ctx.apiKey?.value ?? null, apiKeyId: ctx.apiKey?.id ?? null, userAgent: headers['User-Agent'] ?? null },
    apiId: ctx.apiId
  }
  const event =
    version === '1.0'
      ? {
          resource: route.path,
          path: ctx.path,
          httpMethod: ctx.method,
          headers,
          multiValueHeaders,
          queryStringParameters: names.length === 0 ? null : Object.fromEntries(names.map((n) => [n, query[n]?.at(-1) ?? ''])),
          multiValueQueryStringParameters: names.length === 0 ? null : Object.fromEntries(names.map((n) => [n, query[n] ?? []])),
          pathParameters: ctx.pathParameters,
          stageVariables: ctx.stageVariables,
          requestContext,
          body,
          isBase64Encoded: isBinary
        }
      : {
          version: '2.0',
          routeKey: route.path === '$default' ? '$default' : `${route.method} ${route.path}`,
          rawPath: ctx.rawPath,
          rawQueryString: ctx.rawQuery,
          headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
          queryStringParameters: names.length === 0 ? undefined : Object.fromEntries(names.map((n) => [n, (query[n] ?? []).join(',')])),
          pathParameters: ctx.pathParameters ?? undefined,
          stageVariables: ctx.stageVariables ?? undefined,
          requestContext: { ...requestContext, http: { method: ctx.method, path: ctx.rawPath, sourceIp: ctx.sourceIp } },
          body: body ?? undefined,
          isBase64Encoded: isBinary
        }
  let result: unknown
  try {
    result = await handler(event, { awsRequestId: ctx.requestId, functionName: 'local', getRemainingTimeInMillis: () => 29_000 })
  } catch {
    reject(ctx, 'DEFAULT_5XX', { status: 502, message: 'Internal server error' })
    return
  }
  if (version === '2.0' && (typeof result !== 'object' || result === null || !('statusCode' in result))) {
    // §2.4: a 2.0 result without statusCode is a JSON body with status 200.
    ctx.status = 200
    ctx.responseHeaders = Object.assign(Object.create(null) as Record<string, string>, { 'content-type': 'application/json' })
    ctx.body = typeof result === 'string' ? result : JSON.stringify(result)
    return
  }
  const out = result as { statusCode?: unknown; headers?: unknown; multiValueHeaders?: unknown; body?: unknown; isBase64Encoded?: unknown }
  if (typeof out.statusCode !== 'number' && !(typeof out.statusCode === 'string' && /^\d{3}$/.test(out.statusCode))) {
    reject(ctx, 'DEFAULT_5XX', { status: 502, message: 'Internal server error' })
    return
  }
  ctx.status = Number(out.statusCode)
  const responseHeaders = Object.create(null) as Record<string, string | string[]>
  for (const [name, value] of Object.entries((out.headers as Record<string, unknown> | undefined) ?? {})) responseHeaders[name.toLowerCase()] = String(value)
  for (const [name, value] of Object.entries((out.multiValueHeaders as Record<string, unknown> | undefined) ?? {})) {
    if (Array.isArray(value)) responseHeaders[name.toLowerCase()] = value.map(String)
  }
  responseHeaders['content-type'] ??= 'application/json'
  ctx.responseHeaders = responseHeaders
  const text = typeof out.body === 'string' ? out.body : out.body === undefined || out.body === null ? '' : JSON.stringify(out.body)
  ctx.body = out.isBase64Encoded === true ? Buffer.from(text, 'base64') : text
}
