/**
 * The host name of a `Host` header: lower-cased, port removed (an IPv6
 * literal such as `[::1]:8080` keeps its brackets), `''` when absent.
 */
export function hostName(header: string | string[] | undefined): string {
  if (typeof header !== 'string') return ''
  const colon = header.lastIndexOf(':')
  const host = colon > header.lastIndexOf(']') ? header.slice(0, colon) : header
  return host.toLowerCase()
}

/**
 * True when `path` starts with `/{basePath}` on a segment boundary (§1.1:
 * `v1` matches `/v1` and `/v1/pets`, never `/v1x`). `basePath` has no
 * leading or trailing slash; `''` matches everything.
 */
export function underBasePath(path: string, basePath: string): boolean {
  if (basePath === '') return true
  const end = 1 + basePath.length
  return path.startsWith(basePath, 1) && (path.length === end || path.charCodeAt(end) === 47)
}
