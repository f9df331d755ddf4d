/*
 * The canonical-path rules of aws-semantics §1.1-§1.3, in exactly one place.
 * Everything that turns a request path into routing segments goes through
 * `requestSegments()`; everything that turns a route template into tree
 * segments goes through `templateSegments()`.
 */
import type { ApiFlavour } from '@gw/core'

/**
 * The path the router walks (stage already removed), as one string:
 *
 * - REST (§1.2): not decoded (`%2F` stays inside its segment, parameters are
 *   passed as received); empty segments (`//`) and trailing slashes stay in the
 *   string and the matcher skips them, so `/pets/` routes like `/pets` and
 *   `/stage//hardcoded` like `/hardcoded`.
 * - HTTP (§1.3): percent-decoded first (`/a%2Fb` routes as `/a/b`, a decoded `?`
 *   truncates the path); empty segments are significant (trailing slash strict).
 * - Both [I]: dot segments `.` and `..` (after decoding on HTTP, so `%2e%2e` is
 *   `..`) are resolved as RFC 3986 §5.2.4 does and can never climb above `/`;
 *   a missing leading `/` is added; matching is case-sensitive.
 */
export function canonicalPath(path: string, flavour: ApiFlavour): string {
  let p = flavour === 'HTTP' ? decodeHttpPath(path) : path
  if (p.length === 0 || p.charCodeAt(0) !== 47 /* / */) p = `/${p}`
  if (p.includes('/.')) p = removeDotSegments(p.split('/')).join('/')
  return p
}

/**
 * Percent-decodes an HTTP API path (§1.3). A decoded `?` ends the path. An
 * invalid escape (`%zz`) leaves the path as received [I]: it then simply matches
 * no literal that expects the decoded form.
 */
export function decodeHttpPath(path: string): string {
  if (!path.includes('%')) return path
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return path
  }
  const q = decoded.indexOf('?')
  return q === -1 ? decoded : decoded.slice(0, q)
}

function removeDotSegments(parts: string[]): string[] {
  const out: string[] = ['']
  const last = parts.length - 1
  for (let i = 1; i <= last; i++) {
    const seg = parts[i] as string
    if (seg === '.' || seg === '..') {
      if (seg === '..' && out.length > 1) out.pop()
      // `/a/b/..` ends in a directory: keep the trailing slash as RFC 3986 does
      if (i === last) out.push('')
      continue
    }
    out.push(seg)
  }
  return out
}

/** One segment of a route template. */
export type TemplateSegment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string }

const PARAM = /^\{([A-Za-z0-9._-]+)\}$/
const GREEDY = /^\{([A-Za-z0-9._-]+)\+\}$/
/** pathPart charset of §1.2 (plus `,` and `:` that OpenAPI import allows). */
const REST_LITERAL = /^[A-Za-z0-9._\-,:]+$/
/** HTTP API literals: anything but `/`, braces and whitespace (§1.3). */
const HTTP_LITERAL = /^[^/{}\s]+$/

/**
 * Parses a route template (`/pets/{id}`, `/{proxy+}`, `/`) into segments, or
 * returns the reason API Gateway would refuse it: a parameter that is not a
 * whole segment, a greedy that is not last (§1.2), a trailing slash on an HTTP
 * route key (§1.3), a dot segment.
 */
export function templateSegments(template: string, flavour: ApiFlavour): TemplateSegment[] | string {
  if (template.charCodeAt(0) !== 47) return 'a path must start with "/"'
  if (template === '/') return []
  if (template.endsWith('/')) return flavour === 'HTTP' ? 'an HTTP API route key cannot end with "/" (§1.3)' : 'a resource path cannot end with "/" (§1.2)'
  const raw = template.slice(1).split('/')
  const out: TemplateSegment[] = []
  for (let i = 0; i < raw.length; i++) {
    const seg = raw[i] as string
    if (seg === '') return 'empty path segment ("//")'
    if (seg === '.' || seg === '..') return `dot segment "${seg}" is not a resource`
    const greedy = GREEDY.exec(seg)
    if (greedy !== null) {
      if (i !== raw.length - 1) return `greedy "${seg}" must be the last segment (§1.2)`
      out.push({ kind: 'greedy', name: greedy[1] as string })
      continue
    }
    const param = PARAM.exec(seg)
    if (param !== null) {
      out.push({ kind: 'param', name: param[1] as string })
      continue
    }
    if (!(flavour === 'HTTP' ? HTTP_LITERAL : REST_LITERAL).test(seg)) return `"${seg}" is not a valid path part; a parameter must be a whole segment like {id} (§1.2)`
    out.push({ kind: 'literal', value: seg })
  }
  return out
}
