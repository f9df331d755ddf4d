import { setOwn } from '@gw/core'

/**
 * Rewrites every `$ref` to a model inside a schema from one prefix to another, e.g. OpenAPI 3's
 * `#/components/schemas/Pet` to the definition's canonical `#/definitions/Pet` (draft-4 style, §5.2), and back on export.
 */
export function rewriteModelRefs(schema: unknown, from: RegExp, to: string): unknown {
  if (Array.isArray(schema)) return schema.map((item) => rewriteModelRefs(item, from, to))
  if (typeof schema !== 'object' || schema === null) return schema
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    // setOwn: a schema property named `__proto__` stays an own key instead of replacing the prototype.
    setOwn(out, key, key === '$ref' && typeof value === 'string' ? value.replace(from, to) : rewriteModelRefs(value, from, to))
  }
  return out
}
