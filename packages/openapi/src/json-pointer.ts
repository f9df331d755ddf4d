/** Escapes one JSON pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function escapePointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1')
}

/** Builds a JSON pointer (`#/paths/~1pets/get`) from path segments. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.length === 0 ? '#' : `#/${segments.map(escapePointerSegment).join('/')}`
}

/**
 * Splits a pointer fragment (`/a/b~1c`, with or without a leading `#`) into decoded segments. A segment that is not
 * valid percent-encoding (`%`, `%C0%AF`) is taken literally: it then points to nothing, which the caller reports.
 */
export function parsePointer(pointer: string): string[] {
  const body = pointer.startsWith('#') ? pointer.slice(1) : pointer
  if (body === '' || body === '/') return body === '/' ? [''] : []
  return body
    .slice(1)
    .split('/')
    .map((s) => percentDecoded(s).replace(/~1/g, '/').replace(/~0/g, '~'))
}

function percentDecoded(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** Reads the value a pointer designates inside `root`, or `undefined`. */
export function getAtPointer(root: unknown, segments: readonly string[]): unknown {
  let node: unknown = root
  for (const segment of segments) {
    if (typeof node !== 'object' || node === null) return undefined
    if (!Object.prototype.hasOwnProperty.call(node, segment)) return undefined
    node = (node as Record<string, unknown>)[segment]
  }
  return node
}
