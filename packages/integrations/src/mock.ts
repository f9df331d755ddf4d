import { reject, type Middleware } from '@gw/core'
import type { ParsedIntegration } from './options.js'
import { compileIntegrationResponses, noOutputMapping } from './integration-responses.js'
import { selectRequestTemplate, templateVariables } from '@gw/mapping'
import { compileTemplates } from './templates.js'

const STATUS = /"statusCode"\s*:\s*(-?\d+(?:\.\d+)?)/
const EMPTY = Object.freeze({}) as Record<string, string>

/** Lenient read of `statusCode` from the rendered request template (§3.5). */
export function mockStatus(output: string): number | undefined {
  let value: unknown
  try {
    value = (JSON.parse(output) as { statusCode?: unknown } | null)?.statusCode
  } catch {
    value = Number(STATUS.exec(output)?.[1])
  }
  const n = typeof value === 'string' ? Number(value) : value
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined
}

/**
 * MOCK (§3.5): no backend; the request template's `statusCode` is the
 * selection value; the endpoint body is empty; the integration response
 * template produces the client body.
 */
export function mockIntegration(def: ParsedIntegration, allowed: ReadonlySet<number> | null, accountId: string): Middleware<object> {
  const requestTemplates = compileTemplates(def.requestTemplates)
  const responses = compileIntegrationResponses(def, false, accountId)
  const behavior = def.passthroughBehavior
  return async function mock(ctx) {
    const selected = selectRequestTemplate(requestTemplates, ctx.headers['content-type'], behavior)
    if (selected.kind === 'unsupported') return reject(ctx, 'UNSUPPORTED_MEDIA_TYPE')
    let chosen
    if (selected.kind === 'passthrough') chosen = responses.fallback
    else {
      const body = ctx.source.hasBody ? (await ctx.readBody()).toString('utf8') : ''
      const status = mockStatus(selected.template.render(templateVariables(ctx, body, { accountId })).output)
      if (status === undefined) return reject(ctx, 'API_CONFIGURATION_ERROR') // §3.5: missing / not an integer → 500
      chosen = responses.select(String(status))
    }
    if (chosen === undefined || (allowed !== null && !allowed.has(chosen.statusCode))) return noOutputMapping(ctx)
    responses.respond(ctx, chosen, { status: chosen.statusCode, headers: EMPTY, body: '' })
  }
}
