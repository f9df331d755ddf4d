import aws4 from 'aws4'
import type { Dispatcher } from 'undici'
import { reject, substituteStageVariables, type GatewayContext } from '@gw/core'
import { signingCredentials, type ParsedIntegration, type ParsedIntegrationOptions } from './options.js'
import { appendQuery, compileRequestParameters } from './request-parameters.js'
import { createUpstream } from './dispatcher.js'
import { upstreamFailure } from './upstream-failure.js'
import { parseMappingBody } from './json-path.js'
import { compileIntegrationResponses, noOutputMapping } from './integration-responses.js'
import { compileTemplates } from './templates.js'
import { mapRequestBody } from './request-body.js'
import { IntegrationUnsupported } from './errors.js'
import type { IntegrationMiddleware } from './http-proxy.js'

const AWS_URI = /^arn:aws[\w-]*:apigateway:([\w-]+):([\w.-]+):(path|action)\/(.*)$/

/** Parsed `arn:aws:apigateway:{region}:{service}:path|action/…` (§3.6). */
export interface AwsTarget {
  region: string
  service: string
  /** Subdomain of `{subdomain}.{service}` forms, if any. */
  subdomain: string | undefined
  kind: 'path' | 'action'
  value: string
}

/** Splits an AWS integration URI. @throws GwError GW_INTEGRATIONS_UNSUPPORTED when it is not one */
export function parseAwsUri(uri: string): AwsTarget {
  const m = AWS_URI.exec(uri)
  if (m === null) throw IntegrationUnsupported(`AWS integration uri "${uri}" is not arn:aws:apigateway:{region}:{service}:path|action/… (§3.6)`)
  const svc = m[2] as string
  const dot = svc.lastIndexOf('.')
  return { region: m[1] as string, service: dot === -1 ? svc : svc.slice(dot + 1), subdomain: dot === -1 ? undefined : svc.slice(0, dot), kind: m[3] as 'path' | 'action', value: m[4] as string }
}

/**
 * AWS service integration (§3.6): the mapped request is signed with SigV4
 * (aws4, `options.aws.credentials`) and sent to `options.aws.endpoint`
 * (default `https://{service}.{region}.amazonaws.com`). Lambda custom
 * integrations select on the function's `errorMessage` (`""` on success).
 */
export function awsIntegration(
  def: ParsedIntegration,
  options: ParsedIntegrationOptions,
  allowed: ReadonlySet<number> | null
): IntegrationMiddleware {
  const target = parseAwsUri(def.uri as string)
  const endpoint = new URL(options.aws?.endpoint ?? `https://${target.subdomain === undefined ? '' : `${target.subdomain}.`}${target.service}.${target.region}.amazonaws.com`)
  const upstream = createUpstream(def, options, endpoint.origin)
  const params = compileRequestParameters(def.requestParameters, true)
  const templates = compileTemplates(def.requestTemplates)
  const responses = compileIntegrationResponses(def, true, options.accountId)
  const method = (def.httpMethod ?? 'POST').toUpperCase()
  const timeout = def.timeoutInMillis ?? 29_000
  const credentials = signingCredentials(options.aws?.credentials)
  const base = endpoint.pathname.replace(/\/$/, '')
  const lambda = target.service === 'lambda'

  async function aws(ctx: GatewayContext<object>): Promise<void> {
    if (params.forbidden) return reject(ctx, 'API_CONFIGURATION_ERROR')
    const mapped = await mapRequestBody(ctx, def, templates, options.accountId)
    if (mapped === undefined) return
    const raw = params.needsBody ? (await ctx.readBody()).toString('utf8') : ''
    const parsed = params.needsBody ? parseMappingBody(raw) : undefined
    const headers: Record<string, string> = {}
    const ct = ctx.headers['content-type']
    if (ct !== undefined) headers['content-type'] = ct
    for (const [name, source] of params.headers) {
      const v = source(ctx, raw, parsed)
      if (v !== undefined) headers[name] = Array.isArray(v) ? v.join(',') : v
    }
    let query = target.kind === 'action' ? `Action=${encodeURIComponent(target.value)}` : ''
    for (const [name, source] of params.query) {
      const v = source(ctx, raw, parsed)
      if (v !== undefined) query = appendQuery(query, name, v)
    }
    const o = mapped.overrides
    if (o !== undefined) for (const k in o.headers) headers[k.toLowerCase()] = o.headers[k] as string
    let path = target.kind === 'path' ? `/${substituteStageVariables(target.value, ctx.stageVariables)}` : '/'
    for (const [name, source] of params.path) {
      const v = source(ctx, raw, parsed)
      if (v !== undefined) path = path.replace(`{${name}}`, Array.isArray(v) ? v.join(',') : v)
    }
    const fullPath = `${base}${path}${query === '' ? '' : `?${query}`}`
    const body = method === 'GET' || method === 'HEAD' ? undefined : mapped.body
    const signed = aws4.sign({ host: endpoint.host, path: fullPath, method, service: target.service, region: target.region, headers, ...(body === undefined ? {} : { body }) }, credentials)
    let res: Dispatcher.ResponseData
    let text: string
    try {
      res = await upstream.dispatcher.request({
        path: fullPath,
        method: method,
        headers: signed.headers as Record<string, string>,
        body: body ?? null,
        headersTimeout: timeout,
        bodyTimeout: timeout
      })
      text = await res.body.text()
    } catch (err) {
      return upstreamFailure(ctx, err, options.logger, def.uri as string)
    }
    let selection = String(res.statusCode)
    if (lambda) {
      // §3.6: selection value is the function's errorMessage, "" on success
      selection = ''
      if (res.headers['x-amz-function-error'] !== undefined) {
        const err = parseMappingBody(text) as { errorMessage?: unknown } | symbol
        selection = typeof err === 'object' && typeof err.errorMessage === 'string' ? err.errorMessage : ''
      }
    }
    const chosen = responses.select(selection)
    if (chosen === undefined || (allowed !== null && !allowed.has(chosen.statusCode))) return noOutputMapping(ctx)
    responses.respond(ctx, chosen, { status: res.statusCode, headers: res.headers, body: text })
  }
  return Object.assign(aws, { close: () => upstream.close() })
}
