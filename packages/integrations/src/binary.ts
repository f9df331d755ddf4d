/**
 * Compiled `binaryMediaTypes` matcher (§17.1): MIME type before `;`,
 * `type/*` matches any subtype, `*\/*` everything, case-insensitive.
 */
export function compileBinaryMatcher(types: readonly string[]): (contentType: string | undefined) => boolean {
  if (types.length === 0) return () => false
  const exact = new Set<string>()
  const prefixes: string[] = []
  let any = false
  for (const t of types) {
    const v = t.trim().toLowerCase()
    if (v === '*/*') any = true
    else if (v.endsWith('/*')) prefixes.push(v.slice(0, -1))
    else exact.add(v)
  }
  if (any) return (ct) => ct !== undefined && ct !== ''
  return (ct) => {
    if (ct === undefined) return false
    const semi = ct.indexOf(';')
    const m = (semi === -1 ? ct : ct.slice(0, semi)).trim().toLowerCase()
    if (exact.has(m)) return true
    for (const p of prefixes) if (m.startsWith(p)) return true
    return false
  }
}

/** First media type of `Accept` (§17.1: only the first counts). */
export function firstAccept(accept: string | undefined): string | undefined {
  if (accept === undefined) return undefined
  const comma = accept.indexOf(',')
  return comma === -1 ? accept : accept.slice(0, comma)
}

const TEXT_TYPES = new Set(['application/json', 'application/xml', 'application/javascript'])

/** §17.3: HTTP API sends only text types as text; everything else (also no Content-Type) base64. */
export function isHttpApiTextType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false
  const semi = contentType.indexOf(';')
  const m = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
  return m.startsWith('text/') || TEXT_TYPES.has(m)
}
