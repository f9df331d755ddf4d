/**
 * A stable 10-character lower-case id for a resource path (`$context.resourceId`),
 * shaped like AWS's ids [I]: FNV-1a over the path, base 36. Computed once per route.
 */
export function resourceIdOf(path: string): string {
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0
  }
  return (h1.toString(36) + h2.toString(36)).padEnd(10, '0').slice(0, 10)
}
