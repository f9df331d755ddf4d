import { parseOptions } from '@gw/core'
import { z } from 'zod'
import { corsConfigurationSchema, type CorsConfiguration } from './options.js'

/**
 * Options of the REST "Enable CORS" shape (aws-semantics §11.1): the HTTP API field names, but REST answers with
 * static header mappings, so `allowOrigins` holds at most one entry (an exact origin or `*`).
 */
export type RestCorsOptions = CorsConfiguration & {
  /** Also add the headers to the `DEFAULT_4XX` / `DEFAULT_5XX` gateway responses (401, 403, 429, 5xx). @default true */
  gatewayResponses?: boolean
}

/** The console's default `Access-Control-Allow-Headers` (§11.1). */
export const REST_CORS_DEFAULT_HEADERS = ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Amz-Security-Token'] as const

const ANY_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']
const HEADER = 'method.response.header.'
const GATEWAY_HEADER = 'gatewayresponse.header.'

const restCorsSchema = z
  .object({ gatewayResponses: z.boolean().default(true) })
  .extend(corsConfigurationSchema.shape)
  .strict()
  .superRefine((c, issue) => {
    const origins = c.allowOrigins ?? []
    if (origins.length > 1 || origins.some((o) => o === 'https://*' || o === 'http://*'))
      issue.addIssue({ code: 'custom', path: ['allowOrigins'], message: 'REST APIs answer CORS with static header mappings (§11.1): give one exact origin or "*"' })
    if (c.allowCredentials === true && origins.includes('*'))
      issue.addIssue({ code: 'custom', path: ['allowCredentials'], message: 'allowCredentials cannot be combined with allowOrigins "*" (§11.2)' })
  })

/** A REST method as a definition writes it (@gw/gateway `resourceMethods` entries, which @gw/openapi imports to). */
interface MethodLike {
  methodResponses?: Record<string, { responseParameters?: Record<string, boolean>; responseModels?: Record<string, string> }>
  integration?: { type?: string; responses?: Record<string, { statusCode?: string | number; responseParameters?: Record<string, string> }> }
}

/** What "Enable CORS" adds, computed once from the options (§11.1). */
interface RestCorsShape {
  /** The OPTIONS method of a resource whose methods are `methods`. */
  preflight(methods: readonly string[]): Record<string, unknown>
  /** Adds `Access-Control-Allow-Origin` (+ credentials, expose) to a non-proxy method's 200 response. */
  decorate(method: MethodLike): void
  /** Merges the `DEFAULT_4XX` / `DEFAULT_5XX` header mappings into the API's gateway responses. */
  gatewayResponses(existing: Record<string, unknown> | undefined): Record<string, unknown> | undefined
}

const quote = (v: string): string => `'${v}'`

function shapeOf(options: RestCorsOptions): RestCorsShape {
  const o = parseOptions(restCorsSchema, options, 'restCors')
  const origin = o.allowOrigins?.[0] ?? '*'
  const headers = (o.allowHeaders ?? REST_CORS_DEFAULT_HEADERS).join(',')
  const actual: Record<string, string> = { 'Access-Control-Allow-Origin': quote(origin) }
  if (o.allowCredentials === true) actual['Access-Control-Allow-Credentials'] = quote('true')
  if (o.exposeHeaders !== undefined && o.exposeHeaders.length !== 0) actual['Access-Control-Expose-Headers'] = quote(o.exposeHeaders.join(','))
  return {
    preflight(methods) {
      const allowMethods =
        o.allowMethods?.join(',') ?? [...new Set(methods.flatMap((m) => (m === 'ANY' ? ANY_METHODS : [m])).concat('OPTIONS'))].join(',')
      const mapped: Record<string, string> = { 'Access-Control-Allow-Headers': quote(headers), 'Access-Control-Allow-Methods': quote(allowMethods), ...actual }
      if (o.maxAge !== undefined) mapped['Access-Control-Max-Age'] = quote(String(o.maxAge))
      return {
        authorizationType: 'NONE',
        apiKeyRequired: false,
        requestParameters: {},
        requestModels: {},
        methodResponses: { '200': { responseParameters: Object.fromEntries(Object.keys(mapped).map((h) => [HEADER + h, false])), responseModels: {} } },
        integration: {
          type: 'MOCK',
          requestTemplates: { 'application/json': '{"statusCode": 200}' },
          passthroughBehavior: 'WHEN_NO_MATCH',
          responses: { default: { statusCode: '200', responseParameters: Object.fromEntries(Object.entries(mapped).map(([h, v]) => [HEADER + h, v])), responseTemplates: { 'application/json': '' } } }
        }
      }
    },
    decorate(method) {
      const type = method.integration?.type
      // proxy integrations answer with the backend's headers: the backend must send them (§11.1)
      if (type === undefined || type === 'AWS_PROXY' || type === 'HTTP_PROXY') return
      const responses = (method.methodResponses ??= {})
      const ok = (responses['200'] ??= { responseParameters: {}, responseModels: {} })
      const declared = (ok.responseParameters ??= {})
      for (const h of Object.keys(actual)) declared[HEADER + h] ??= false
      for (const response of Object.values(method.integration?.responses ?? {})) {
        if (String(response.statusCode) !== '200') continue
        const params = (response.responseParameters ??= {})
        for (const [h, v] of Object.entries(actual)) params[HEADER + h] ??= v
      }
    },
    gatewayResponses(existing) {
      if (!o.gatewayResponses) return existing
      const out: Record<string, unknown> = { ...existing }
      const add: Record<string, string> = { [GATEWAY_HEADER + 'Access-Control-Allow-Origin']: quote(origin), [GATEWAY_HEADER + 'Access-Control-Allow-Headers']: quote(headers) }
      if (o.allowCredentials === true) add[GATEWAY_HEADER + 'Access-Control-Allow-Credentials'] = quote('true')
      for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
        const current = (out[type] ?? {}) as { responseParameters?: Record<string, string> }
        out[type] = { ...current, responseParameters: { ...add, ...current.responseParameters } }
      }
      return out
    }
  }
}

/** The REST definition `withRestCors()` reads: `createGateway()`'s (`resources`), which is also what OpenAPI imports give. */
export type RestCorsTarget = { resources?: Record<string, { resourceMethods?: Record<string, unknown> }>; gatewayResponses?: Record<string, unknown> }

/**
 * The REST console's "Enable CORS" (aws-semantics §11.1), generated on a definition: every resource with methods
 * gets an `OPTIONS` method (`NONE` authorization, `MOCK` integration answering 200 with
 * `Access-Control-Allow-Headers` / `-Methods` / `-Origin` header mappings), every non-proxy method's 200 response maps
 * `Access-Control-Allow-Origin`, and `DEFAULT_4XX` / `DEFAULT_5XX` gateway responses carry the headers so gateway
 * errors (401, 403, 429, 5xx) pass a browser's CORS check too. Existing `OPTIONS` methods and gateway-response
 * headers are kept. Returns a new definition (the input is not changed), so an export shows what was generated.
 * Proxy integrations must still send the headers themselves on their own answers (§11.1).
 * @throws GwError GW_CONFIG_INVALID for bad options (more than one origin, a pattern origin, credentials with `*`)
 * @example
 * const gw = createGateway(withRestCors({ protocol: 'REST', name: 'pets', stages: { prod: {} }, resources }, { allowOrigins: ['https://app.example.com'] }))
 */
export function withRestCors<D extends object>(definition: D, options: RestCorsOptions = {}): D {
  const shape = shapeOf(options)
  const result = structuredClone(definition)
  const copy = result as unknown as RestCorsTarget
  copy.resources ??= {}
  for (const resource of Object.values(copy.resources)) {
    const methods = (resource.resourceMethods ??= {})
    const names = Object.keys(methods)
    if (names.length === 0) continue
    for (const m of Object.values(methods)) shape.decorate(m as MethodLike)
    methods.OPTIONS ??= shape.preflight(names)
  }
  const responses = shape.gatewayResponses(copy.gatewayResponses)
  if (responses !== undefined) copy.gatewayResponses = responses
  return result
}
