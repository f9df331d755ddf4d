/**
 * Claim values as API Gateway hands them to integrations: always strings.
 * HTTP API JWT authorizers render arrays Go-style `"[a b]"` and objects
 * `"map[k:v]"` (§10.7, §18.31); Cognito user pool authorizers join arrays
 * with commas (§2.1). Numbers in plain notation (`1700000000`, never `1.7e+09`).
 */
export type ClaimStyle = 'jwt' | 'cognito'

/** Stringifies every claim. */
export function stringifyClaims(claims: Readonly<Record<string, unknown>>, style: ClaimStyle): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(claims)) out[k] = claimString(v, style)
  return out
}

function claimString(v: unknown, style: ClaimStyle): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v)
  if (typeof v === 'boolean') return String(v)
  if (v === null || v === undefined) return ''
  if (Array.isArray(v)) {
    const items = v.map((x) => claimString(x, style))
    return style === 'jwt' ? `[${items.join(' ')}]` : items.join(',')
  }
  if (typeof v === 'object') {
    if (style === 'cognito') return JSON.stringify(v)
    const keys = Object.keys(v).sort()
    return `map[${keys.map((k) => `${k}:${claimString((v as Record<string, unknown>)[k], style)}`).join(' ')}]`
  }
  return typeof v === 'bigint' ? v.toString() : ''
}

/** Scopes of a token: the space-delimited `scope` claim or the `scp` claim (array or string) (§10.7). */
export function tokenScopes(payload: Readonly<Record<string, unknown>>): string[] | null {
  const scope = payload.scope
  if (typeof scope === 'string') return scope.split(' ').filter((s) => s.length > 0)
  const scp = payload.scp
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === 'string')
  if (typeof scp === 'string') return scp.split(' ').filter((s) => s.length > 0)
  return null
}
