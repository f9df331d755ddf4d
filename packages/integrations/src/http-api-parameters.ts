import { contextVariables, lookupContextVariable, type GatewayContext } from '@gw/core'
import { IntegrationUnsupported } from './errors.js'
import { compileJsonPath, readJsonPath, stringifyMapped, parseMappingBody } from './json-path.js'

/** What one value part reads: the request, the endpoint response, or nothing (literal). */
type Part = string | ((ctx: GatewayContext<object>, res: ResponseView | undefined, body: () => unknown) => string | undefined)

/** The endpoint response as HTTP API response mappings read it. */
export interface ResponseView {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  /** The parsed response body, for `$response.body.{jsonpath}` (collected only when a mapping reads it). */
  readonly body?: () => unknown
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

/**
 * The raw request text of a request being mapped (`$request.body`), set by the integration before it evaluates
 * values; a WeakMap so contexts carry no extra field when no mapping reads the body.
 */
export const wholeBody = new WeakMap<GatewayContext<object>, string>()

/** §3.7: JSONPath of `$request.body.x` / `$response.body.x`: no recursive descent, no filters. */
function jsonPathKeys(ref: string, path: string): readonly (string | number)[] {
  if (ref.includes('..') || path.includes('?') || path.includes('*') || path.includes('('))
    throw IntegrationUnsupported(`parameter mapping value "$${ref}": HTTP APIs support no recursive descent (..), wildcards or filters in body JSONPath (§3.7)`)
  return compileJsonPath(path)
}

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
      // `$request.body` is the whole body; `$request.body.{jsonpath}` reads the first 100 KB, parsed (§3.7)
      if (name === '') return (ctx) => wholeBody.get(ctx)
      const keys = jsonPathKeys(ref, name)
      return (_c, _r, body) => stringifyMapped(readJsonPath(body(), keys))
    }
  }
  if (head === 'response') {
    const [kind, ...n] = rest
    const name = n.join('.')
    if (kind === 'header') {
      const lower = name.toLowerCase()
      return (_c, res) => {
        const v = res?.headers[lower]
        return Array.isArray(v) ? v.join(',') : v
      }
    }
    if (kind === 'body' && name !== '') {
      const keys = jsonPathKeys(ref, name)
      return (_c, res) => stringifyMapped(readJsonPath(res?.body?.(), keys))
    }
  }
  if (head === 'context') return (ctx) => stringifyMapped(lookupContextVariable(contextVariables(ctx), tail))
  if (head === 'stageVariables') return (ctx) => ctx.stageVariables?.[tail]
  throw IntegrationUnsupported(`parameter mapping value "$${ref}" is not a source HTTP APIs know (§3.7)`)
}

function compileValue(value: string): { parts: Part[]; body: boolean; responseBody: boolean } {
  const parts: Part[] = []
  let body = false
  let responseBody = false
  let last = 0
  for (const m of value.matchAll(REFERENCE)) {
    if (m.index > last) parts.push(value.slice(last, m.index))
    const ref = m[1] ?? m[2] ?? ''
    body ||= ref.startsWith('request.body')
    responseBody ||= ref.startsWith('response.body')
    parts.push(reference(ref))
    last = m.index + m[0].length
  }
  if (last < value.length) parts.push(value.slice(last))
  return { parts, body, responseBody }
}

/**
 * Compiles HTTP API `requestParameters` / one status' `responseParameters`
 * (§3.7): keys `append|overwrite|remove:header.x|querystring.x`,
 * `overwrite:path`, `overwrite:statuscode`; values with `$request.*`,
 * `$response.header.*`, `$context.*`, `$stageVariables.*`, `${…}` interpolation.
 * @throws GwError GW_INTEGRATIONS_UNSUPPORTED for an unknown key, a reserved header or an unknown source
 */
export function compileHttpApiParameters(
  map: Record<string, string> | undefined,
  field = 'requestParameters'
): { ops: HttpApiOperation[]; needsBody: boolean; needsResponseBody: boolean } {
  const ops: HttpApiOperation[] = []
  let needsBody = false
  let needsResponseBody = false
  const response = field !== 'requestParameters'
  for (const [key, raw] of Object.entries(map ?? {})) {
    const where = `${field}["${key}"]`
    const m = KEY.exec(key)
    if (m === null) throw IntegrationUnsupported(`${where}: the key is not append|overwrite|remove:header.x|querystring.x or overwrite:path|statuscode (§3.7)`)
    const target = (m[2] ?? m[4]) as HttpApiOperation['target']
    const name = m[3] ?? ''
    if (target === 'header' && RESERVED.test(name)) throw IntegrationUnsupported(`${where}: header "${name}" is reserved on HTTP APIs and cannot be mapped (§3.7)`)
    if (target === 'statuscode' && !response) throw IntegrationUnsupported(`${where}: overwrite:statuscode is a response mapping (responseParameters, §3.7)`)
    if (response && (target === 'querystring' || target === 'path')) throw IntegrationUnsupported(`${where}: responses map only headers and the status code (§3.7)`)
    let compiled: ReturnType<typeof compileValue>
    try {
      compiled = compileValue(raw)
    } catch (err) {
      throw IntegrationUnsupported(`${where}: ${(err as Error).message}`, { cause: err })
    }
    const { parts, body, responseBody } = compiled
    if (responseBody && !response) throw IntegrationUnsupported(`${where}: $response.* is only available in responseParameters (§3.7)`)
    needsBody ||= body
    needsResponseBody ||= responseBody
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
  return { ops, needsBody, needsResponseBody }
}

/** §3.7: `$request.body.{jsonpath}` is evaluated on the first 100 KB of the body. */
export const MAPPING_BODY_LIMIT = 102_400

/** Lazy parsed-body reader for `$request.body.*` (§3.7: first 100 KB; a body cut mid-JSON reads as nothing). */
export function bodyReader(body: Buffer | string, limit = MAPPING_BODY_LIMIT): () => unknown {
  let parsed: unknown
  let done = false
  return () => {
    if (!done) {
      done = true
      const buf = typeof body === 'string' ? Buffer.from(body) : body
      parsed = parseMappingBody((buf.length > limit ? buf.subarray(0, limit) : buf).toString('utf8'))
    }
    return parsed
  }
}
