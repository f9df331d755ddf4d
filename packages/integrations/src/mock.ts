import { reject, type Middleware } from '@gw/core'
import type { ParsedIntegration } from './options.js'
import { compileIntegrationResponses, noOutputMapping } from './integration-responses.js'
import { compileTemplates, selectRequestTemplate, type TemplateEngine } from './template-engine.js'

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
export function mockIntegration(def: ParsedIntegration, engine: TemplateEngine, allowed: ReadonlySet<number> | null): Middleware {
  const requestTemplates = compileTemplates(def.requestTemplates, engine)
  const responses = compileIntegrationResponses(def, engine, false)
  const behavior = def.passthroughBehavior
  const needsBody = requestTemplates.size > 0
  return async function mock(ctx) {
    const selected = selectRequestTemplate(requestTemplates, ctx.headers['content-type'], behavior)
    if (selected === 'unsupported') return reject(ctx, 'UNSUPPORTED_MEDIA_TYPE')
    let chosen
    if (selected === 'passthrough') chosen = responses.select('')
    else {
      const body = needsBody ? (await ctx.readBody()).toString('utf8') : ''
      const status = mockStatus(selected.render(engine.variables(ctx, body)).output)
      if (status === undefined) return reject(ctx, 'API_CONFIGURATION_ERROR') // §3.5: missing / not an integer → 500
      chosen = responses.select(String(status))
    }
    if (chosen === undefined || (allowed !== null && !allowed.has(chosen.statusCode))) return noOutputMapping(ctx)
    responses.respond(ctx, chosen, { status: chosen.statusCode, headers: EMPTY, body: '' })
  }
}
