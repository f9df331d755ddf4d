import { reject, type GatewayContext } from '@gw/core'
import type { ParsedIntegration } from './options.js'
import { selectRequestTemplate, type CompiledTemplates, type TemplateEngine, type TemplateOverrides } from './template-engine.js'

/** The integration request body after template selection (§4.5, §4.6); `undefined` after a 415 was rendered. */
export interface MappedRequest {
  body: string
  overrides: TemplateOverrides | undefined
}

/** Applies request template selection and passthrough; renders 415 into ctx when refused. */
export async function mapRequestBody(
  ctx: GatewayContext<object>,
  def: ParsedIntegration,
  templates: CompiledTemplates,
  engine: TemplateEngine
): Promise<MappedRequest | undefined> {
  const selected = selectRequestTemplate(templates, ctx.headers['content-type'], def.passthroughBehavior)
  if (selected === 'unsupported') {
    reject(ctx, 'UNSUPPORTED_MEDIA_TYPE')
    return undefined
  }
  const raw = ctx.source.hasBody ? (await ctx.readBody()).toString('utf8') : ''
  if (selected === 'passthrough') return { body: raw, overrides: undefined }
  const out = selected.render(engine.variables(ctx, raw))
  return { body: out.output, overrides: out.overrides }
}
