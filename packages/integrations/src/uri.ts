import { hasStageVariables, substituteStageVariables } from '@gw/core'

/** An HTTP(S) integration URI split once: origin, path pieces around `{placeholders}`, query. */
export interface ParsedUri {
  readonly origin: string
  /** Alternating literal / placeholder name: even indexes literal, odd names. */
  readonly path: readonly string[]
  readonly query: string
}

const URI = /^(https?:\/\/[^/?#]+)([^?#]*)(?:\?([^#]*))?/i
const PLACEHOLDER = /\{([^}]+)\}/

/** Parses an integration URI; `undefined` when it is not absolute http(s) (§3.4: invalid URI → 500). */
export function parseUri(uri: string): ParsedUri | undefined {
  const m = URI.exec(uri)
  if (m === null) return undefined
  const rawPath = m[2] === undefined || m[2] === '' ? '/' : m[2]
  return { origin: (m[1] as string).toLowerCase(), path: rawPath.split(PLACEHOLDER), query: m[3] ?? '' }
}

/**
 * A URI that may mention `${stageVariables.x}` (§6.3): static ones are parsed
 * once; dynamic ones per distinct substituted value (bounded memo).
 */
export function compileUri(uri: string): (vars: Readonly<Record<string, string>> | null) => ParsedUri | undefined {
  if (!hasStageVariables(uri)) {
    const parsed = parseUri(uri)
    return () => parsed
  }
  const memo = new Map<string, ParsedUri | undefined>()
  return (vars) => {
    const s = substituteStageVariables(uri, vars)
    let p = memo.get(s)
    if (p === undefined && !memo.has(s)) {
      p = parseUri(s)
      if (memo.size >= 256) memo.clear()
      memo.set(s, p)
    }
    return p
  }
}
