import type { ApiFlavour } from './gateway-response-types.js'

/** Multi-value query: decoded name → every decoded value in order. Prototype-less. */
export type QueryParameters = Record<string, string[]>

function decode(part: string): string {
  if (part.indexOf('+') !== -1) part = part.replace(/\+/g, ' ')
  if (part.indexOf('%') === -1) return part
  try {
    return decodeURIComponent(part)
  } catch {
    // A malformed escape (`%zz`) is kept as received rather than failing the request.
    return part
  }
}

/**
 * Parses a raw query string the way API Gateway does: values decoded with
 * `+` as space (§1.2), `?a` gives `a: ['']`, and on REST APIs a raw `;`
 * also separates parameters (§1.1).
 */
export function parseQuery(raw: string, flavour: ApiFlavour = 'REST'): QueryParameters {
  const out: QueryParameters = Object.create(null) as QueryParameters
  if (raw === '') return out
  const parts = flavour === 'REST' ? raw.split(/[&;]/) : raw.split('&')
  for (const part of parts) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const name = decode(eq === -1 ? part : part.slice(0, eq))
    const value = eq === -1 ? '' : decode(part.slice(eq + 1))
    const list = out[name]
    if (list === undefined) out[name] = [value]
    else list.push(value)
  }
  return out
}
