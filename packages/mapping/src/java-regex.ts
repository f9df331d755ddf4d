/**
 * Java `String` regex methods (§4: `replaceAll`, `replaceFirst`, `matches`,
 * `split`) on JavaScript's engine. Patterns come from template literals,
 * so each distinct pattern is translated and compiled once (bounded cache),
 * never per call.
 */

const LIMIT = 256
const regexCache = new Map<string, RegExp | null>()
const replacementCache = new Map<string, string>()

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= LIMIT) cache.clear()
  cache.set(key, value)
  return value
}

const INLINE_FLAGS = /^\(\?([imsux]+)\)/

/**
 * Translates a Java pattern (leading `(?i)`/`(?s)`/`(?m)` flags) and
 * compiles it, with the `g` flag when `global`; null if invalid.
 */
export function javaRegex(pattern: string, global = true): RegExp | null {
  const key = global ? `g${pattern}` : `1${pattern}`
  const hit = regexCache.get(key)
  if (hit !== undefined) {
    if (hit) hit.lastIndex = 0
    return hit
  }
  let source = pattern
  let flags = global ? 'g' : ''
  const inline = INLINE_FLAGS.exec(source)
  if (inline) {
    source = source.slice(inline[0].length)
    for (const f of inline[1] ?? '') if (f === 'i' || f === 'm' || f === 's') flags += f
  }
  let re: RegExp | null
  try {
    re = new RegExp(source, flags)
  } catch {
    re = null
  }
  return remember(regexCache, key, re)
}

/** Java replacement syntax (`\x` literal, `$n` group, `${name}`) → JavaScript replacement syntax. */
export function javaReplacement(replacement: string): string {
  const hit = replacementCache.get(replacement)
  if (hit !== undefined) return hit
  let out = ''
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i] as string
    if (c === '\\' && i + 1 < replacement.length) {
      const next = replacement[++i] as string
      out += next === '$' ? '$$' : next
    } else if (c === '$') {
      const next = replacement[i + 1]
      if (next !== undefined && next >= '0' && next <= '9') out += '$'
      else if (next === '{') {
        const end = replacement.indexOf('}', i)
        if (end === -1) out += '$$'
        else {
          out += `$<${replacement.slice(i + 2, end)}>`
          i = end
        }
      } else out += '$$'
    } else out += c
  }
  return remember(replacementCache, replacement, out)
}

/** Java `String.replaceAll` / `replaceFirst`; null for an invalid pattern. */
export function javaReplace(input: string, pattern: string, replacement: string, all: boolean): string | null {
  const re = javaRegex(pattern, all)
  if (!re) return null
  return input.replace(re, javaReplacement(replacement))
}

/** Java `String.matches`: the whole input must match. */
export function javaMatches(input: string, pattern: string): boolean | null {
  const prefix = INLINE_FLAGS.exec(pattern)?.[0] ?? ''
  const re = javaRegex(`${prefix}^(?:${pattern.slice(prefix.length)})$`, false)
  if (!re) return null
  return re.test(input)
}

/** Java `String.split(regex, limit)`: no captured groups in the output; limit 0 drops trailing empty strings. */
export function javaSplit(input: string, pattern: string, limit = 0): string[] | null {
  const re = javaRegex(pattern)
  if (!re) return null
  re.lastIndex = 0
  const parts: string[] = []
  let last = 0
  let matched = false
  for (let m = re.exec(input); m !== null; m = re.exec(input)) {
    if (m[0].length === 0) {
      if (m.index >= input.length) break
      if (m.index === 0) {
        re.lastIndex++
        continue
      }
    }
    if (limit > 0 && parts.length === limit - 1) break
    matched = true
    parts.push(input.slice(last, m.index))
    last = m.index + m[0].length
    if (m[0].length === 0) re.lastIndex++
  }
  re.lastIndex = 0
  if (!matched) return [input]
  parts.push(input.slice(last))
  if (limit === 0) while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  return parts
}
