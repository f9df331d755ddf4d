import { z } from 'zod'
import type { GatewayContext } from './context.js'
import { contextVariables, lookupContextVariable } from './context-variables.js'
import type { RejectOptions } from './gateway-error.js'
import {
  GATEWAY_RESPONSE_TYPES,
  HTTP_API_ERRORS,
  isGatewayResponseType,
  type GatewayResponseType
} from './gateway-response-types.js'
import { NullProto } from './null-proto.js'
import { parseOptions } from './options.js'
import { resolveParameterSource } from './parameter-source.js'

/** One customized gateway response, as `PutGatewayResponse` takes it (aws-semantics §12.2). */
export interface GatewayResponseCustomization {
  /** Replaces the status; for DEFAULT_4XX / DEFAULT_5XX it replaces the status of every type of that class. */
  statusCode?: number | string | null
  /** `gatewayresponse.header.{Name}` → source expression (`'static'`, `method.request.header.x`, `context.x`, `stageVariables.x`). */
  responseParameters?: Record<string, string>
  /** content type → template with `$context.*` / `$stageVariables.*` substitution (no VTL, §12.2). */
  responseTemplates?: Record<string, string>
}

/** Customized gateway responses of one API, keyed by response type. */
export type GatewayResponseCustomizations = Partial<Record<GatewayResponseType, GatewayResponseCustomization>>

interface CompiledResponse {
  readonly status: number | undefined
  readonly headers: readonly (readonly [name: string, source: string])[]
  readonly template: string | undefined
  readonly contentType: string
}

/** Customizations validated and precompiled once per API (create with `compileGatewayResponses`). */
export interface CompiledGatewayResponses {
  readonly byType: ReadonlyMap<GatewayResponseType, CompiledResponse>
}

const statusSchema = z.union([z.number().int().min(100).max(599), z.string().regex(/^[1-5]\d\d$/, 'a status code such as "403"'), z.null()])
const customizationSchema = z
  .object({
    statusCode: statusSchema.optional(),
    responseParameters: z
      .record(z.string().regex(/^gatewayresponse\.header\.[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'keys look like gatewayresponse.header.{Name}'), z.string())
      .optional(),
    responseTemplates: z.record(z.string(), z.string()).optional()
  })
  .strict()

const customizationsSchema = z.record(z.string(), customizationSchema).superRefine((value, issue) => {
  for (const key of Object.keys(value)) {
    if (!isGatewayResponseType(key)) issue.addIssue({ code: 'custom', path: [key], message: `unknown gateway response type "${key}" (aws-semantics §12.1)` })
    else if (!GATEWAY_RESPONSE_TYPES[key].customizable) issue.addIssue({ code: 'custom', path: [key], message: `${key} cannot be customized (§12.1)` })
  }
})

/**
 * Validates and precompiles an API's customized gateway responses (§12.2).
 * @throws GwError GW_CONFIG_INVALID naming the bad type or field
 * @example
 * const responses = compileGatewayResponses({ DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" } } })
 */
export function compileGatewayResponses(customizations: GatewayResponseCustomizations): CompiledGatewayResponses {
  const parsed = parseOptions(customizationsSchema, customizations, 'gatewayResponses')
  const byType = new Map<GatewayResponseType, CompiledResponse>()
  for (const [type, c] of Object.entries(parsed)) {
    const templates = c.responseTemplates ?? {}
    const contentType = templates['application/json'] !== undefined ? 'application/json' : (Object.keys(templates)[0] ?? 'application/json')
    byType.set(type as GatewayResponseType, {
      status: c.statusCode === undefined || c.statusCode === null ? undefined : Number(c.statusCode),
      headers: Object.entries(c.responseParameters ?? {}).map(([k, v]) => [k.slice('gatewayresponse.header.'.length).toLowerCase(), v] as const),
      template: templates[contentType],
      contentType
    })
  }
  return { byType }
}

const VARIABLE = /\$(context|stageVariables)\.([A-Za-z0-9_.]+)|\$\{(context|stageVariables)\.([A-Za-z0-9_.]+)\}/g

function substitute(template: string, ctx: GatewayContext<object>): string {
  const vars = contextVariables(ctx)
  return template.replace(VARIABLE, (_m, a: string | undefined, b: string | undefined, c: string | undefined, d: string | undefined) => {
    const scope = a ?? c
    const name = (b ?? d ?? '').replace(/\.$/, '')
    const value = scope === 'stageVariables' ? ctx.stageVariables?.[name] : lookupContextVariable(vars, name)
    if (value === undefined || value === null) return ''
    return typeof value === 'string' ? value : JSON.stringify(value)
  })
}

/**
 * Renders a rejection into `ctx` (status, headers, body) exactly as API
 * Gateway would: the §12.1 catalogue with the §12.2 resolution (exact type,
 * else DEFAULT_4XX / DEFAULT_5XX, else built-in) on REST, the fixed §12.3
 * catalogue on HTTP APIs. Captures no stack: use it as a return value
 * (`return reject(ctx, 'THROTTLED')`).
 */
export function reject(ctx: GatewayContext<object>, type: GatewayResponseType, options?: RejectOptions): void {
  const info = GATEWAY_RESPONSE_TYPES[type]
  const message = options?.message !== undefined ? options.message : info.message
  ctx.error = options?.validationErrorString === undefined ? { type, message } : { type, message, validationErrorString: options.validationErrorString }
  const headers = new NullProto() as Record<string, string>
  ctx.responseHeaders = headers
  if (ctx.flavour === 'HTTP') {
    const row = HTTP_API_ERRORS[type]
    ctx.status = row.status
    headers['content-type'] = 'application/json'
    headers['apigw-requestid'] = ctx.requestId
    if (options?.headers) for (const [k, v] of Object.entries(options.headers)) headers[k.toLowerCase()] = v
    ctx.body = `{"message":"${row.message}"}`
    return
  }

  const fallbackStatus = options?.status ?? info.status ?? (type === 'DEFAULT_4XX' ? 400 : 500)
  let custom: CompiledResponse | undefined
  let status = fallbackStatus
  const compiled = ctx.gatewayResponses?.byType
  if (compiled !== undefined && info.customizable) {
    custom = compiled.get(type)
    if (custom !== undefined) status = custom.status ?? fallbackStatus
    else {
      const group = fallbackStatus >= 500 ? compiled.get('DEFAULT_5XX') : fallbackStatus >= 400 ? compiled.get('DEFAULT_4XX') : undefined
      if (group !== undefined) {
        custom = group
        status = group.status ?? fallbackStatus
      }
    }
  }
  ctx.status = status
  headers['content-type'] = custom?.contentType ?? 'application/json'
  const errorType = info.errorType ?? (fallbackStatus >= 500 ? 'InternalServerErrorException' : null)
  if (errorType !== null) headers['x-amzn-errortype'] = errorType
  headers['x-amzn-requestid'] = ctx.requestId
  headers['x-amz-apigw-id'] = ctx.extendedRequestId
  if (options?.headers) for (const [k, v] of Object.entries(options.headers)) headers[k.toLowerCase()] = v
  if (custom !== undefined) {
    for (const [name, source] of custom.headers) {
      const value = resolveParameterSource(source, ctx)
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value
    }
  }
  ctx.body =
    custom?.template !== undefined
      ? substitute(custom.template, ctx)
      : `{"${info.bodyKey}":${message === null ? 'null' : JSON.stringify(message)}}`
}
