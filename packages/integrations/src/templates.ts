import { compileTemplate, type MappingTemplate } from '@gw/mapping'

/** Templates of one map keyed by MIME type, compiled once at construction (§4). */
export type CompiledTemplates = Record<string, MappingTemplate> | undefined

/**
 * Compiles every template of a `requestTemplates` / `responseTemplates` map
 * with @gw/mapping. Keys are lower-cased MIME types (§4.5).
 * @throws GwError GW_MAPPING_TEMPLATE_INVALID / GW_MAPPING_TEMPLATE_TOO_LARGE
 */
export function compileTemplates(templates: Record<string, string> | undefined): CompiledTemplates {
  if (templates === undefined) return undefined
  const out = Object.create(null) as Record<string, MappingTemplate>
  for (const [type, source] of Object.entries(templates)) out[type.toLowerCase()] = compileTemplate(source)
  return out
}
