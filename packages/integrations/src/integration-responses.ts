import { linearRegex, NullProto, reject, resolveParameterSource, type GatewayContext, type LinearRegex } from '@gw/core'
import type { IntegrationResponseDefinition, ParsedIntegration } from './options.js'
import { selectResponseTemplate, templateVariables, type ResponseTemplateChoice } from '@gw/mapping'
import { compileTemplates, type CompiledTemplates } from './templates.js'
import { compileJsonPath, INVALID, parseMappingBody, readJsonPath, stringifyMapped } from './json-path.js'

/** §3.3: mapped names the gateway renames to `x-amzn-Remapped-*`, all types. */
const REMAP_ALL = new Set(['connection', 'content-length', 'date', 'server'])
/** §3.3: additionally renamed for HTTP and AWS. */
const REMAP_HTTP_AWS = new Set(['authorization', 'content-md5', 'expect', 'host', 'max-forwards', 'proxy-authenticate', 'trailer', 'upgrade', 'user-agent', 'www-authenticate'])

/** What the endpoint answered, as integration responses see it (§4.8). */
export interface EndpointResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

type Source = (ctx: GatewayContext<object>, endpoint: EndpointResponse, parsed: () => unknown) => string | undefined

/** Sources that never call `parsed` (all but `integration.response.body.*`): `respond` then makes no parser closure. */
const BODYLESS = new WeakSet<Source>()

/** One compiled integration response (opaque outside this file). */
export interface CompiledResponse {
  readonly statusCode: number
  readonly pattern: LinearRegex | null
  readonly headers: readonly (readonly [string, Source])[]
  /** Some header mapping reads the endpoint body as JSON (`integration.response.body.*`). */
  readonly readsBody: boolean
  readonly templates: CompiledTemplates
  /** The last `Accept` seen and its template choice (selection depends on nothing else; clients repeat theirs). */
  lastAccept: string | undefined | null
  lastChoice: ResponseTemplateChoice | undefined
}

/** Compiled `integrationResponses` of one integration: selection and rendering (§4.8). */
export interface IntegrationResponses {
  /** The default response (no selectionPattern), if any (§4.8 step 3). */
  readonly fallback: CompiledResponse | undefined
  /** The response chosen for a selection value, or `undefined` (→ 500, §4.8 step 4). */
  select(value: string): CompiledResponse | undefined
  /** Writes the method response for `selected` into ctx (§4.8 step 6). */
  respond(ctx: GatewayContext<object>, selected: CompiledResponse, endpoint: EndpointResponse): void
  /**
   * What `respond` writes for `selected`, `endpoint` and this `Accept` when that is the same for every request:
   * no header mappings, and no response template or a constant one (text only, no overrides); `undefined` otherwise.
   */
  constant(selected: CompiledResponse, endpoint: EndpointResponse, accept: string | undefined): ConstantResponse | undefined
}

/** A method response that does not depend on the request (see `IntegrationResponses.constant`). */
export interface ConstantResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

function compileSource(expr: string): Source {
  const source = sourceOf(expr)
  if (!expr.trim().startsWith('integration.response.body.')) BODYLESS.add(source)
  return source
}

function sourceOf(expr: string): Source {
  const e = expr.trim()
  if (e.startsWith('integration.response.header.')) {
    const name = e.slice(28).toLowerCase()
    return (_c, r) => {
      const v = r.headers[name]
      return Array.isArray(v) ? v[v.length - 1] : v
    }
  }
  if (e.startsWith('integration.response.multivalueheader.')) {
    const name = e.slice(38).toLowerCase()
    return (_c, r) => {
      const v = r.headers[name]
      return Array.isArray(v) ? v.join(',') : v
    }
  }
  if (e === 'integration.response.body') return (_c, r) => r.body
  // A static value ('*'): resolved once here, the same answer resolveParameterSource gives per request (§4.8).
  if (e.length >= 2 && e.startsWith("'") && e.endsWith("'")) {
    const value = e.slice(1, -1)
    return () => value
  }
  if (e.startsWith('integration.response.body.')) {
    const keys = compileJsonPath(e.slice(26))
    return (_c, _r, parsed) => {
      const body = parsed()
      return body === INVALID ? undefined : stringifyMapped(readJsonPath(body, keys))
    }
  }
  return (ctx) => {
    const v = resolveParameterSource(e, ctx)
    return Array.isArray(v) ? v.join(',') : v
  }
}

/**
 * Compiles integration responses once: patterns as full-match regexes (Java
 * `Pattern.matches`, `.` not matching newlines: §4.8 step 2) evaluated in
 * statusCode order, the default one (no pattern) last. Patterns run on the
 * linear-time engine (`linearRegex`): a Lambda error message or status chosen by
 * the caller can never make a configured pattern backtrack.
 */
export function compileIntegrationResponses(def: ParsedIntegration, remapHttpAws: boolean, accountId: string): IntegrationResponses {
  const list: IntegrationResponseDefinition[] = []
  for (const r of Object.values(def.integrationResponses ?? {})) list.push(r)
  for (const [key, r] of Object.entries(def.responses ?? {})) list.push(r.selectionPattern === undefined && key !== 'default' ? { ...r, selectionPattern: key } : r)
  list.sort((a, b) => Number(a.statusCode) - Number(b.statusCode))
  // The options of every render's `$context` (§13.3): one object for the integration, not one per request.
  const variableOptions = { accountId }
  const compiled: CompiledResponse[] = list.map((r) => {
    const headers = Object.entries(r.responseParameters ?? {}).flatMap(([target, source]) => {
      if (!target.startsWith('method.response.header.')) return []
      const name = target.slice(23).toLowerCase()
      const out = REMAP_ALL.has(name) || (remapHttpAws && REMAP_HTTP_AWS.has(name)) ? `x-amzn-remapped-${name}` : name
      return [[out, compileSource(source)] as const]
    })
    return {
      statusCode: Number(r.statusCode),
      pattern: r.selectionPattern === undefined || r.selectionPattern === '' ? null : linearRegex(r.selectionPattern),
      headers,
      readsBody: headers.some(([, source]) => !BODYLESS.has(source)),
      templates: compileTemplates(r.responseTemplates),
      lastAccept: null,
      lastChoice: undefined
    }
  })
  const patterned = compiled.filter((r) => r.pattern !== null)
  const fallback = compiled.find((r) => r.pattern === null)
  return {
    fallback,
    select(value) {
      for (const r of patterned) if ((r.pattern as LinearRegex).matches(value)) return r
      return fallback
    },
    respond(ctx, selected, endpoint) {
      const headers = new NullProto() as Record<string, string> // prototype-less and fast-mode (written and iterated per request)
      const mapped = selected.headers
      if (mapped.length !== 0 && !selected.readsBody) {
        // Static values and endpoint headers (CORS mappings such as `'*'`, §11.1): no body parser to make.
        for (let i = 0; i < mapped.length; i++) {
          const [name, source] = mapped[i] as readonly [string, Source]
          const v = source(ctx, endpoint, noParse)
          if (v !== undefined) headers[name] = v
        }
      } else if (mapped.length !== 0) {
        let parsedBody: unknown
        let parsedOnce = false
        const parsed = (): unknown => {
          if (!parsedOnce) {
            parsedOnce = true
            parsedBody = parseMappingBody(endpoint.body)
          }
          return parsedBody
        }
        for (const [name, source] of mapped) {
          const v = source(ctx, endpoint, parsed)
          if (v !== undefined) headers[name] = v
        }
      }
      let status = selected.statusCode
      let body = endpoint.body
      const accept = ctx.headers.accept
      let choice = selected.lastChoice
      if (choice === undefined || accept !== selected.lastAccept) {
        choice = selected.lastChoice = selectResponseTemplate(selected.templates, accept)
        selected.lastAccept = accept
      }
      if (choice.kind === 'template' && !choice.template.isEmpty) {
        const out = choice.template.render(templateVariables(ctx, endpoint.body, variableOptions))
        body = out.output
        const o = out.overrides
        if (o.status !== undefined) status = o.status
        for (const k in o.headers) headers[k.toLowerCase()] = o.headers[k] as string
      }
      headers['content-type'] ??= 'application/json' // §3.3: always a Content-Type
      ctx.status = status
      ctx.responseHeaders = headers
      ctx.body = body
    },
    constant(selected, endpoint, accept) {
      // respond() above, for the case where nothing it reads comes from the request.
      if (selected.headers.length !== 0) return undefined
      const choice = selectResponseTemplate(selected.templates, accept)
      let body = endpoint.body
      if (choice.kind === 'template' && !choice.template.isEmpty) {
        const constantOutput = choice.template.constantOutput
        if (constantOutput === undefined) return undefined
        body = constantOutput // a constant template sets no overrides
      }
      return { status: selected.statusCode, headers: { 'content-type': 'application/json' }, body }
    }
  }
}

/** The `parsed` argument of sources that never call it (see `BODYLESS`). */
const noParse = (): unknown => undefined

/** §4.8 steps 4-5: no match and no default, or an undeclared method response → 500. */
export function noOutputMapping(ctx: GatewayContext<object>): void {
  reject(ctx, 'API_CONFIGURATION_ERROR')
}
