import { resolveParameterSource, type GatewayContext } from '@gw/core'
import { compileJsonPath, readJsonPath, stringifyMapped } from './json-path.js'

/** Resolves one mapping source for one request; `undefined` skips the mapping (§3.7). */
export type RequestSource = (ctx: GatewayContext<object>, body: string, parsedBody: unknown) => string | string[] | undefined

/** `integration.requestParameters` compiled once (§3.7). */
export interface RequestParameters {
  readonly headers: readonly (readonly [string, RequestSource])[]
  readonly query: readonly (readonly [string, RequestSource])[]
  readonly path: ReadonlyMap<string, RequestSource>
  /** Some source reads `method.request.body…`: the body must be buffered. */
  readonly needsBody: boolean
  /** Some target is a header the gateway refuses at call time (§3.2) → 500. */
  readonly forbidden: boolean
}

const FORBIDDEN = new Set(['content-length', 'transfer-encoding', 'x-amzn-trace-id', 'x-amzn-apigateway-api-id'])
const FORBIDDEN_AWS = new Set(['authorization', 'connection', 'expect', 'proxy-authenticate', 'te'])

function compileSource(expression: string): { source: RequestSource; body: boolean } {
  const e = expression.trim()
  if (e === 'method.request.body') return { source: (_c, body) => body, body: true }
  if (e.startsWith('method.request.body.')) {
    const keys = compileJsonPath(e.slice(20))
    return { source: (_c, _b, parsed) => stringifyMapped(readJsonPath(parsed, keys)), body: true }
  }
  return { source: (ctx) => resolveParameterSource(e, ctx), body: false }
}

/**
 * Compiles `requestParameters` (target → source, §3.7). Targets
 * `integration.request.{header|querystring|path}.{name}`; other keys are
 * ignored (the gateway's import validates them).
 */
export function compileRequestParameters(map: Record<string, string> | undefined, aws: boolean): RequestParameters {
  const headers: (readonly [string, RequestSource])[] = []
  const query: (readonly [string, RequestSource])[] = []
  const path = new Map<string, RequestSource>()
  let needsBody = false
  let forbidden = false
  for (const [target, expr] of Object.entries(map ?? {})) {
    const { source, body } = compileSource(expr)
    if (target.startsWith('integration.request.header.')) {
      const name = target.slice(27).toLowerCase()
      if (FORBIDDEN.has(name) || (aws && FORBIDDEN_AWS.has(name))) forbidden = true
      headers.push([name, source])
    } else if (target.startsWith('integration.request.querystring.')) query.push([target.slice(32), source])
    else if (target.startsWith('integration.request.path.')) path.set(target.slice(25), source)
    else continue
    needsBody ||= body
  }
  return { headers, query, path, needsBody, forbidden }
}

/** Appends `name=value` pairs (form-encoded) for mapped query values. */
export function appendQuery(query: string, name: string, value: string | string[]): string {
  const k = encodeURIComponent(name)
  let out = query
  for (const v of Array.isArray(value) ? value : [value]) out += `${out === '' ? '' : '&'}${k}=${encodeURIComponent(v)}`
  return out
}
