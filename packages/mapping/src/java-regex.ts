/**
 * Java `String` regex methods (§4: `replaceAll`, `replaceFirst`, `matches`,
 * `split`) on the linear-time engine of `linearRegex` (RE2 syntax, Java's
 * replacement syntax and split rules): template patterns are configuration,
 * the strings they run on are requests, so no input can make a pattern
 * backtrack. Each distinct pattern is compiled once (bounded cache), never per
 * call; one RE2 cannot express (lookahead, backreferences) is invalid (null).
 */
import { linearRegex, type LinearRegex } from '@gw/core'

const LIMIT = 256
const regexCache = new Map<string, LinearRegex | null>()

/** Compiles a Java pattern (inline flags such as `(?i)` are RE2's own); null if invalid. */
export function javaRegex(pattern: string): LinearRegex | null {
  const hit = regexCache.get(pattern)
  if (hit !== undefined) return hit
  let re: LinearRegex | null
  try {
    re = linearRegex(pattern)
  } catch {
    re = null
  }
  if (regexCache.size >= LIMIT) regexCache.clear()
  regexCache.set(pattern, re)
  return re
}

/** Java `String.replaceAll` / `replaceFirst` (`$n`, `${name}`, `\x` replacements); null for an invalid pattern or group. */
export function javaReplace(input: string, pattern: string, replacement: string, all: boolean): string | null {
  const re = javaRegex(pattern)
  if (!re) return null
  try {
    const m = re.matcher(input)
    return all ? m.replaceAll(replacement, true) : m.replaceFirst(replacement, true)
  } catch {
    return null // Java throws for a group the pattern does not have
  }
}

/** Java `String.matches`: the whole input must match. */
export function javaMatches(input: string, pattern: string): boolean | null {
  const re = javaRegex(pattern)
  return re ? re.matches(input) : null
}

/** Java `String.split(regex, limit)`: no captured groups in the output; limit 0 drops trailing empty strings. */
export function javaSplit(input: string, pattern: string, limit = 0): string[] | null {
  const re = javaRegex(pattern)
  return re ? re.split(input, limit) : null
}
