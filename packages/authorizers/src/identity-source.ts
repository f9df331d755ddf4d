import { contextVariables, lookupContextVariable, type GatewayContext } from '@gw/core'

/** Reads one identity source from a request; `undefined` when missing or empty (§10.2, §10.3, §10.5). */
export type IdentityReader = (ctx: GatewayContext<object>) => string | undefined

const REST_FORMS = /^method\.request\.(header|querystring)\.(.+)$|^(stageVariables|context)\.(.+)$/
const HTTP_FORMS = /^\$request\.(header|querystring)\.(.+)$|^\$(stageVariables|context)\.(.+)$/

/**
 * Compiles an identity-source expression once. REST forms (§10.2, §10.3):
 * `method.request.header.X`, `method.request.querystring.X`,
 * `stageVariables.X`, `context.X`; HTTP API forms (§10.5): `$request.header.X`
 * (case-insensitive), `$request.querystring.X` (case-sensitive), `$context.X`,
 * `$stageVariables.X`. Returns a reason string when the expression is invalid.
 */
export function compileIdentitySource(expression: string): IdentityReader | string {
  const m = REST_FORMS.exec(expression) ?? HTTP_FORMS.exec(expression)
  if (m === null) return `"${expression}" is not an identity source (method.request.header.X, method.request.querystring.X, stageVariables.X, context.X, or the $request./$context./$stageVariables. forms)`
  const kind = m[1] ?? m[3]
  const name = (m[2] ?? m[4]) as string
  switch (kind) {
    case 'header': {
      const lower = name.toLowerCase()
      return (ctx) => nonEmpty(ctx.headers[lower])
    }
    case 'querystring':
      return (ctx) => {
        const values = ctx.query[name]
        return values === undefined ? undefined : nonEmpty(values[values.length - 1])
      }
    case 'stageVariables':
      return (ctx) => nonEmpty(ctx.stageVariables?.[name])
    case 'context':
    case undefined:
    default:
      return contextReader(name)
  }
}

function contextReader(name: string): IdentityReader {
  // Common keys read straight from the context; others build `$context` (§13.3).
  switch (name) {
    case 'routeKey':
      return (ctx) => nonEmpty(ctx.routeKey)
    case 'stage':
      return (ctx) => nonEmpty(ctx.stage)
    case 'httpMethod':
      return (ctx) => ctx.method
    case 'identity.sourceIp':
      return (ctx) => nonEmpty(ctx.sourceIp)
    default:
      return (ctx) => {
        const v = lookupContextVariable(contextVariables(ctx), name)
        if (typeof v === 'string') return nonEmpty(v)
        return typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined
      }
  }
}

function nonEmpty(value: string | string[] | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined
  const s = Array.isArray(value) ? value.join(',') : value
  return s.length === 0 ? undefined : s
}
