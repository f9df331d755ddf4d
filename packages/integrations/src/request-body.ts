import { reject, type GatewayContext } from '@gw/core'
import type { ParsedIntegration } from './options.js'
import { selectRequestTemplate, templateVariables, type TemplateOverrides } from '@gw/mapping'
import type { CompiledTemplates } from './templates.js'

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
  accountId: string
): Promise<MappedRequest | undefined> {
  const selected = selectRequestTemplate(templates, ctx.headers['content-type'], def.passthroughBehavior)
  if (selected.kind === 'unsupported') {
    reject(ctx, 'UNSUPPORTED_MEDIA_TYPE')
    return undefined
  }
  const raw = ctx.source.hasBody ? (await ctx.readBody()).toString('utf8') : ''
  if (selected.kind === 'passthrough') return { body: raw, overrides: undefined }
  const out = selected.template.render(templateVariables(ctx, raw, { accountId }))
  return { body: out.output, overrides: out.overrides }
}
