import { resolveParameterSource, type GatewayContext } from '@gw/core'

/** `method.request.{path|querystring|multivaluequerystring|header|multivalueheader}.{name}` (§7 `cacheKeyParameters`). */
export const CACHE_KEY_PARAMETER = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.[^.]+$/

/** Reads the values of a method's cache key parameters into one string. */
export type KeyValues = (ctx: GatewayContext<object>) => string

const none: KeyValues = () => ''

/**
 * Compiles `cacheKeyParameters` into one function. Each value is written
 * with its length (`5:alice`), absent ones as `-`, so no value can forge
 * another key (a `%00` or a comma inside a value stays inside it).
 * Parameters outside the list never reach the key: requests differing only
 * in them share one entry (§7).
 */
export function compileKeyValues(parameters: readonly string[]): KeyValues {
  if (parameters.length === 0) return none
  const readers = parameters.map(compileReader)
  return (ctx) => {
    let out = ''
    for (const read of readers) {
      const v = read(ctx)
      if (v === undefined) out += '|-'
      else {
        const s = typeof v === 'string' ? v : v.join(',')
        out += `|${String(s.length)}:${s}`
      }
    }
    return out
  }
}

type Reader = (ctx: GatewayContext<object>) => string | string[] | undefined

/**
 * Headers are read case-insensitively from the parsed headers: a key must
 * never depend on how a client spelled `Authorization`, or two principals
 * could land on one entry. Other sources resolve as in parameter mapping.
 */
function compileReader(parameter: string): Reader {
  const m = /^method\.request\.(header|multivalueheader)\.(.+)$/.exec(parameter)
  if (m === null) return (ctx) => resolveParameterSource(parameter, ctx)
  const name = (m[2] as string).toLowerCase()
  return (ctx) => ctx.headers[name]
}
