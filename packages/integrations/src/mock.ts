import { reject, type GatewayContext, type Middleware } from '@gw/core'
import type { ParsedIntegration } from './options.js'
import { compileIntegrationResponses, noOutputMapping, type CompiledResponse, type ConstantResponse, type EndpointResponse } from './integration-responses.js'
import { selectRequestTemplate, templateVariables, type MappingTemplate, type RequestTemplateChoice } from '@gw/mapping'
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

/** A MOCK middleware that can also say, once, what it answers regardless of the request (see `constantAnswer`). */
export type MockMiddleware = Middleware<object> & {
  /**
   * The answer (status, headers, body) this MOCK gives every request with this Content-Type and Accept when no
   * template it runs reads the request: the request template is text only (`{"statusCode": 200}`), the selected
   * integration response maps no headers and its template is text only or absent. `undefined` when the answer
   * depends on the request or is a rejection (unsupported media type, no output mapping, no statusCode).
   * Holds for a request whose body reads without error (the body is read first, §15).
   */
  constantAnswer(contentType: string | undefined, accept: string | undefined): ConstantResponse | undefined
}

/**
 * MOCK (§3.5): no backend; the request template's `statusCode` is the
 * selection value; the endpoint body is empty; the integration response
 * template produces the client body.
 */
export function mockIntegration(def: ParsedIntegration, allowed: ReadonlySet<number> | null, accountId: string): MockMiddleware {
  const requestTemplates = compileTemplates(def.requestTemplates)
  const responses = compileIntegrationResponses(def, false, accountId)
  const behavior = def.passthroughBehavior
  // A text-only request template (`{"statusCode": 200}`) selects the same response on every request: read it once.
  const constantStatus = new Map<MappingTemplate, number | undefined>()
  for (const type in requestTemplates) {
    const t = requestTemplates[type] as MappingTemplate
    if (t.constantOutput !== undefined) constantStatus.set(t, mockStatus(t.constantOutput))
  }
  // The empty endpoint answer of each selected response (§3.5: a MOCK has no backend body or headers), built once.
  const endpoints = new Map<number, EndpointResponse>()
  const endpointOf = (status: number): EndpointResponse => {
    let e = endpoints.get(status)
    if (e === undefined) endpoints.set(status, (e = Object.freeze({ status, headers: EMPTY, body: '' })))
    return e
  }
  // The response selected for the last status (selection depends on the status only, §4.8): a MOCK answers the
  // same status again and again, found by `===` instead of a selection, a Set and a Map lookup (#21).
  let lastStatus: number | undefined
  let lastChosen: CompiledResponse | undefined
  let lastEndpoint: EndpointResponse | undefined
  const answer = (ctx: GatewayContext<object>, status: number | undefined): void => {
    if (status === undefined) return reject(ctx, 'API_CONFIGURATION_ERROR') // §3.5: missing / not an integer → 500
    if (status === lastStatus && lastChosen !== undefined) return responses.respond(ctx, lastChosen, lastEndpoint as EndpointResponse)
    const chosen = responses.select(String(status))
    if (chosen === undefined || (allowed !== null && !allowed.has(chosen.statusCode))) return noOutputMapping(ctx)
    const endpoint = endpointOf(chosen.statusCode)
    lastStatus = status
    lastChosen = chosen
    lastEndpoint = endpoint
    responses.respond(ctx, chosen, endpoint)
  }
  const variableOptions = { accountId } // one per integration, not per request
  // The last text-only request template and its status: found by `===`, not two Map lookups per request.
  let lastConstant: MappingTemplate | undefined
  let lastConstantStatus: number | undefined
  const render = (ctx: GatewayContext<object>, template: MappingTemplate, body: string): number | undefined => {
    if (template === lastConstant) return lastConstantStatus
    if (!constantStatus.has(template)) return mockStatus(template.render(templateVariables(ctx, body, variableOptions)).output)
    lastConstant = template
    lastConstantStatus = constantStatus.get(template)
    return lastConstantStatus
  }
  // Not async: a request without a body is answered in the same tick (no promise); one with a body is read first
  // (its size limit applies, §15) and rendered after.
  // Selection depends only on the Content-Type: the last one's choice is kept (clients repeat theirs).
  let lastType: string | undefined | null = null
  let lastChoice: RequestTemplateChoice | undefined
  // The steps of mock() below for a request template that reads nothing, without a request.
  const constantAnswer = (contentType: string | undefined, accept: string | undefined): ConstantResponse | undefined => {
    const selected = selectRequestTemplate(requestTemplates, contentType, behavior)
    if (selected.kind === 'unsupported') return undefined
    let chosen = responses.fallback
    if (selected.kind === 'template') {
      const status = constantStatus.get(selected.template)
      if (status === undefined) return undefined // not constant, or no integer statusCode (→ 500)
      chosen = responses.select(String(status))
    }
    if (chosen === undefined || (allowed !== null && !allowed.has(chosen.statusCode))) return undefined
    return responses.constant(chosen, endpointOf(chosen.statusCode), accept)
  }
  return Object.assign(function mock(ctx: GatewayContext<object>) {
    const type = ctx.headers['content-type']
    const selected = type === lastType && lastChoice !== undefined ? lastChoice : (lastChoice = selectRequestTemplate(requestTemplates, (lastType = type), behavior))
    if (selected.kind === 'unsupported') return reject(ctx, 'UNSUPPORTED_MEDIA_TYPE')
    if (selected.kind === 'passthrough') {
      const chosen = responses.fallback
      if (chosen === undefined || (allowed !== null && !allowed.has(chosen.statusCode))) return noOutputMapping(ctx)
      return responses.respond(ctx, chosen, endpointOf(chosen.statusCode))
    }
    const template = selected.template
    if (!ctx.source.hasBody) return answer(ctx, render(ctx, template, ''))
    return ctx.readBody().then((buf) => answer(ctx, render(ctx, template, buf.toString('utf8'))))
  }, { constantAnswer })
}
