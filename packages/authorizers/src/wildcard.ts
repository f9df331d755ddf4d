/**
 * IAM wildcard matching (aws-semantics §10.4, §10.9): `*` matches any
 * sequence of characters INCLUDING `/` and `:`, `?` exactly one character,
 * everything else literally. This is why picomatch is not used: its `*` stops
 * at `/`, IAM's does not. No regex is built, so a policy returned by an
 * authorizer at request time costs no compilation and cannot cause
 * catastrophic backtracking (greedy two-pointer match, O(n·m) worst case).
 */

/** A pattern prepared once: literal patterns compare with `===`. */
export interface WildcardPattern {
  readonly source: string
  readonly literal: boolean
  readonly ignoreCase: boolean
}

/** Prepares a pattern; `ignoreCase` for IAM action names (case-insensitive), not for ARNs. */
export function compileWildcard(source: string, ignoreCase = false): WildcardPattern {
  const text = ignoreCase ? source.toLowerCase() : source
  return { source: text, literal: !text.includes('*') && !text.includes('?'), ignoreCase }
}

/** True when `value` matches the prepared pattern. */
export function matchWildcard(pattern: WildcardPattern, value: string): boolean {
  const v = pattern.ignoreCase ? value.toLowerCase() : value
  if (pattern.literal) return pattern.source === v
  return globMatch(pattern.source, v)
}

function globMatch(p: string, v: string): boolean {
  let pi = 0
  let vi = 0
  let star = -1
  let mark = 0
  const pl = p.length
  const vl = v.length
  while (vi < vl) {
    const c = pi < pl ? p.charCodeAt(pi) : -1
    if (c === 42 /* * */) {
      star = pi++
      mark = vi
    } else if (c === 63 /* ? */ || (c !== -1 && c === v.charCodeAt(vi))) {
      pi++
      vi++
    } else if (star !== -1) {
      pi = star + 1
      vi = ++mark
    } else return false
  }
  while (pi < pl && p.charCodeAt(pi) === 42) pi++
  return pi === pl
}
