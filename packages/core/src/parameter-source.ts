import type { GatewayContext } from './context.js'
import { contextVariables, lookupContextVariable, type ContextVariableOptions } from './context-variables.js'

/**
 * Resolves one source expression of parameter mapping (aws-semantics §3.7)
 * and of gateway-response `responseParameters` (§12.2):
 * `'static'`, `method.request.{path|querystring|multivaluequerystring|header|multivalueheader}.{name}`,
 * `stageVariables.{name}`, `context.{a.b}`. Returns `undefined` when the
 * source resolves to nothing, which means "skip this mapping" (§3.7).
 * Body sources (`method.request.body…`) need the body and are resolved by
 * the integration, not here: they return `undefined`.
 * Header and query names are matched case-sensitively, as REST does (§3.7).
 */
export function resolveParameterSource(
  expression: string,
  ctx: GatewayContext<object>,
  options?: ContextVariableOptions
): string | string[] | undefined {
  const expr = expression.trim()
  if (expr.length >= 2 && expr.startsWith("'") && expr.endsWith("'")) return expr.slice(1, -1)
  if (expr.startsWith('method.request.') || expr.startsWith('method.input.params.')) {
    const rest = expr.startsWith('method.request.') ? expr.slice(15) : `header.${expr.slice(20)}`
    const dot = rest.indexOf('.')
    if (dot === -1) return undefined
    const kind = rest.slice(0, dot)
    const name = rest.slice(dot + 1)
    switch (kind) {
      case 'path':
        return ctx.pathParameters?.[name]
      case 'querystring': {
        const values = ctx.query[name]
        return values === undefined ? undefined : values[values.length - 1]
      }
      case 'multivaluequerystring':
        return ctx.query[name]
      case 'header': {
        const values = headerValues(ctx, name)
        return values.length === 0 ? undefined : values[values.length - 1]
      }
      case 'multivalueheader': {
        const values = headerValues(ctx, name)
        return values.length === 0 ? undefined : values.join(',')
      }
      default:
        return undefined
    }
  }
  if (expr.startsWith('stageVariables.')) {
    const value = ctx.stageVariables?.[expr.slice(15)]
    return value === undefined || value === '' ? undefined : value
  }
  if (expr.startsWith('context.')) {
    const value = lookupContextVariable(contextVariables(ctx, options), expr.slice(8))
    if (value === undefined || value === null) return undefined
    return typeof value === 'string' ? value : JSON.stringify(value)
  }
  return undefined
}

/** Every value of a request header whose name matches `name` exactly (client casing), in order. */
export function headerValues(ctx: GatewayContext<object>, name: string): string[] {
  const raw = ctx.source.rawHeaders
  const out: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i] === name) out.push(raw[i + 1] as string)
  return out
}
