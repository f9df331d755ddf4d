import { reject, type Middleware } from '@gw/core'
import type { IntegrationDefinition } from './definition.js'
import { GatewayUnsupported } from './errors.js'

const STATUS = /"statusCode"\s*:\s*(-?\d+(?:\.\d+)?)/
const STATIC_HEADER = /^method\.response\.header\.(.+)$/

/**
 * The integration seam's built-in MOCK (§3.5), for templates without VTL: the
 * request template's `statusCode` picks the integration response (selection
 * pattern against the status, else the default one); its
 * `application/json` template is the body and `'static'` response parameters
 * become headers. Everything is decided at construction. Templates with VTL
 * (`$`, `#`) need @gw/integrations (pass it as the `integration` slot).
 * @throws GwError GW_GATEWAY_UNSUPPORTED for VTL templates
 */
export function mockIntegration(integration: IntegrationDefinition, where: string): Middleware<object> {
  const templates = integration.requestTemplates ?? {}
  const template = templates['application/json'] ?? Object.values(templates)[0]
  if (template !== undefined && /[$#]/.test(template)) throw GatewayUnsupported(`${where}: MOCK request templates with VTL need @gw/integrations (options.slots.integration)`)
  let status: number | undefined = 200
  if (template !== undefined) {
    const m = STATUS.exec(template)
    const n = m === null ? NaN : Number(m[1])
    status = Number.isInteger(n) ? n : undefined // §3.5: missing / not an integer → 500
  }
  if (status === undefined) return function mockMisconfigured(ctx) {
    reject(ctx, 'API_CONFIGURATION_ERROR')
  }
  const responses = Object.entries(integration.responses ?? {})
  const selected =
    responses.find(([key, r]) => key !== 'default' && new RegExp(`^(?:${r.selectionPattern ?? key})$`).test(String(status)))?.[1] ??
    integration.responses?.default ??
    responses.find(([, r]) => r.selectionPattern === undefined)?.[1]
  const finalStatus = selected === undefined ? status : Number(selected.statusCode)
  const body = selected?.responseTemplates?.['application/json'] ?? ''
  if (/[$#]/.test(body)) throw GatewayUnsupported(`${where}: MOCK response templates with VTL need @gw/integrations (options.slots.integration)`)
  const headers: [string, string][] = [['content-type', 'application/json']]
  for (const [key, source] of Object.entries(selected?.responseParameters ?? {})) {
    const h = STATIC_HEADER.exec(key)
    if (h !== null && source.startsWith("'") && source.endsWith("'")) headers.push([(h[1] as string).toLowerCase(), source.slice(1, -1)])
  }
  return function mock(ctx) {
    ctx.status = finalStatus
    for (const [k, v] of headers) ctx.responseHeaders[k] = v
    ctx.body = body
  }
}
