import type { GatewayContext } from '@gw/core'
import { TemplateUnavailable } from './errors.js'

/** What a template may override (§4.7): request `header|querystring|path`, response `header` and `status`. */
export interface TemplateOverrides {
  status?: number
  header?: Record<string, string>
  querystring?: Record<string, string>
  path?: Record<string, string>
}

/** A compiled mapping template. */
export interface CompiledTemplate {
  /** Renders with the variables built by `TemplateEngine.variables`. */
  render(variables: unknown): { output: string; overrides?: TemplateOverrides | undefined }
}

/**
 * The seam to @gw/mapping (§4): this package never interprets VTL itself.
 * `compile` runs once per template at construction; `variables` builds
 * `$input`, `$context`, `$stageVariables`, `$util` for one render.
 */
export interface TemplateEngine {
  compile(source: string): CompiledTemplate
  variables(ctx: GatewayContext<object>, body: string): unknown
}

const NO_VTL = /[$#]/

/**
 * Engine used when no `options.templates` is given: templates without VTL
 * (`$` or `#`) render as themselves, anything else is refused at construction.
 * @throws GwError GW_INTEGRATIONS_TEMPLATE for a template containing VTL
 */
export const literalTemplates: TemplateEngine = {
  compile(source: string): CompiledTemplate {
    if (NO_VTL.test(source)) throw TemplateUnavailable()
    const result = { output: source }
    return { render: () => result }
  },
  variables: () => undefined
}

/** Template keyed by MIME type, prototype-less, compiled once. */
export type CompiledTemplates = ReadonlyMap<string, CompiledTemplate>

/** Compiles every template of a `requestTemplates` / `responseTemplates` map. Keys lower-cased. */
export function compileTemplates(templates: Record<string, string> | undefined, engine: TemplateEngine): CompiledTemplates {
  const out = new Map<string, CompiledTemplate>()
  if (templates !== undefined) for (const [type, source] of Object.entries(templates)) out.set(type.toLowerCase(), engine.compile(source))
  return out
}

/** MIME type of a header value without parameters, lower-case; `fallback` when absent (§4.5). */
export function mimeType(value: string | undefined, fallback = 'application/json'): string {
  if (value === undefined || value === '') return fallback
  const comma = value.indexOf(',')
  const first = comma === -1 ? value : value.slice(0, comma)
  const semi = first.indexOf(';')
  return (semi === -1 ? first : first.slice(0, semi)).trim().toLowerCase() || fallback
}

/**
 * Request template selection and passthrough (§4.5, §4.6): the template for
 * the request's MIME type, `'passthrough'`, or `'unsupported'` (415).
 */
export function selectRequestTemplate(
  templates: CompiledTemplates,
  contentType: string | undefined,
  behavior: 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER'
): CompiledTemplate | 'passthrough' | 'unsupported' {
  if (templates.size === 0) return behavior === 'NEVER' ? 'unsupported' : 'passthrough'
  const hit = templates.get(mimeType(contentType))
  if (hit !== undefined) return hit
  return behavior === 'WHEN_NO_MATCH' ? 'passthrough' : 'unsupported'
}

/**
 * Response template selection (§4.5): first `Accept` type, else
 * `application/json`, else the first defined (insertion order); `undefined`
 * when none is defined (body passes through).
 */
export function selectResponseTemplate(templates: CompiledTemplates, accept: string | undefined): CompiledTemplate | undefined {
  if (templates.size === 0) return undefined
  return templates.get(mimeType(accept)) ?? templates.get('application/json') ?? templates.values().next().value
}
