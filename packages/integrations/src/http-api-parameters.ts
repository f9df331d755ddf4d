import { contextVariables, lookupContextVariable, type GatewayContext } from '@gw/core'
import { IntegrationUnsupported } from './errors.js'
import { compileJsonPath, readJsonPath, stringifyMapped, parseMappingBody } from './json-path.js'

/** What one value part reads: the request, the endpoint response, or nothing (literal). */
type Part = string | ((ctx: GatewayContext<object>, res: ResponseView | undefined, body: () => unknown) => string | undefined)

/** The endpoint response as HTTP API response mappings read it. */
export interface ResponseView {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
}

/** One compiled `append|overwrite|remove:{header|querystring}.{name}` or `overwrite:path|statuscode` (§3.7 HTTP API). */
export interface HttpApiOperation {
  readonly action: 'append' | 'overwrite' | 'remove'
  readonly target: 'header' | 'querystring' | 'path' | 'statuscode'
  readonly name: string
  value(ctx: GatewayContext<object>, res: ResponseView | undefined, body: () => unknown): string | undefined
}

const KEY = /^(append|overwrite|remove):(header|querystring)\.(.+)$|^overwrite:(path|statuscode)$/
const REFERENCE = /\$\{([^}]+)\}|\$((?:request|response|context|stageVariables)\.[A-Za-z0-9_.\-[\]']+|request\.path|request\.body)/g
/** §3.7: headers HTTP APIs refuse to map. */
const RESERVED = /^(?:access-control-.*|apigw-.*|authorization|connection|content-encoding|content-length|content-location|forwarded|keep-alive|origin|proxy-authenticate|proxy-authorization|te|trailers|transfer-encoding|upgrade|x-amz-.*|x-amzn-.*|x-forwarded-for|x-forwarded-host|x-forwarded-proto|via)$/i

function reference(ref: string): Exclude<Part, string> {
  const [head, ...rest] = ref.split('.')
  const tail = rest.join('.')
  if (head === 'request') {
    const [kind, ...n] = rest
    const name = n.join('.')
    if (kind === 'header') {
      const lower = name.toLowerCase()
      return (ctx) => {
        const v = ctx.headers[lower]
        return Array.isArray(v) ? v.join(',') : v
      }
    }
    if (kind === 'querystring') return (ctx) => ctx.query[name]?.join(',')
    if (kind === 'path') return name === '' ? (ctx) => ctx.path : (ctx) => ctx.pathParameters?.[name]
    if (kind === 'body') {
      const keys = compileJsonPath(name)
      return (_c, _r, body) => stringifyMapped(readJsonPath(body(), keys))
    }
  }
  if (head === 'response') {
    const [kind, ...n] = rest
    const name = n.join('.').toLowerCase()
    if (kind === 'header') return (_c, res) => {
      const v = res?.headers[name]
      return Array.isArray(v) ? v.join(',') : v
    }
  }
  if (head === 'context') return (ctx) => stringifyMapped(lookupContextVariable(contextVariables(ctx), tail))
  if (head === 'stageVariables') return (ctx) => ctx.stageVariables?.[tail]
  throw IntegrationUnsupported(`parameter mapping value "$${ref}" is not a source HTTP APIs know (§3.7)`)
}

function compileValue(value: string): { parts: Part[]; body: boolean } {
  const parts: Part[] = []
  let body = false
  let last = 0
  for (const m of value.matchAll(REFERENCE)) {
    if (m.index > last) parts.push(value.slice(last, m.index))
    const ref = m[1] ?? m[2] ?? ''
    body ||= ref.startsWith('request.body')
    parts.push(reference(ref))
    last = m.index + m[0].length
  }
  if (last < value.length) parts.push(value.slice(last))
  return { parts, body }
}

/**
 * Compiles HTTP API `requestParameters` / one status' `responseParameters`
 * (§3.7): keys `append|overwrite|remove:header.x|querystring.x`,
 * `overwrite:path`, `overwrite:statuscode`; values with `$request.*`,
 * `$response.header.*`, `$context.*`, `$stageVariables.*`, `${…}` interpolation.
 * @throws GwError GW_INTEGRATIONS_UNSUPPORTED for an unknown key, a reserved header or an unknown source
 */
export function compileHttpApiParameters(map: Record<string, string> | undefined): { ops: HttpApiOperation[]; needsBody: boolean } {
  const ops: HttpApiOperation[] = []
  let needsBody = false
  for (const [key, raw] of Object.entries(map ?? {})) {
    const m = KEY.exec(key)
    if (m === null) throw IntegrationUnsupported(`parameter mapping key "${key}" is not append|overwrite|remove:header.x|querystring.x or overwrite:path|statuscode (§3.7)`)
    const target = (m[2] ?? m[4]) as HttpApiOperation['target']
    const name = m[3] ?? ''
    if (target === 'header' && RESERVED.test(name)) throw IntegrationUnsupported(`header "${name}" is reserved on HTTP APIs and cannot be mapped (§3.7)`)
    const { parts, body } = compileValue(raw)
    needsBody ||= body
    ops.push({
      action: (m[1] ?? 'overwrite') as HttpApiOperation['action'],
      target,
      name: target === 'header' ? name.toLowerCase() : name,
      value(ctx, res, readBody) {
        let out = ''
        for (const p of parts) {
          const v = typeof p === 'string' ? p : p(ctx, res, readBody)
          if (v === undefined) return undefined
          out += v
        }
        return out
      }
    })
  }
  return { ops, needsBody }
}

/** Lazy parsed-body reader for `$request.body.*` (§3.7: first 100 KB). */
export function bodyReader(text: string): () => unknown {
  let parsed: unknown
  let done = false
  return () => {
    if (!done) {
      done = true
      parsed = parseMappingBody(text.length > 102_400 ? text.slice(0, 102_400) : text)
    }
    return parsed
  }
}
