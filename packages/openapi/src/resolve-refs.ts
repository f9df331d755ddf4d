import { dirname, resolve } from 'node:path'
import { setOwn } from '@gw/core'
import { OpenApiInvalid, OpenApiRef } from './errors.js'
import { getAtPointer, parsePointer } from './json-pointer.js'
import { loadSourceFile, type SourceDocument } from './source-document.js'

/**
 * Deepest nesting an import walks. Real documents stay far below it (a model nested 20 levels is unusual); deeper
 * input is refused instead of overflowing the call stack with a RangeError.
 */
export const MAX_DOCUMENT_DEPTH = 512

/** Where API Gateway models live: their `$ref`s stay references (a model has a name), everything else is inlined. */
const MODEL_REF = /^#\/(?:definitions|components\/schemas)\/[^/]+$/

/**
 * Resolves every `$ref` of an OpenAPI document (§16.1): relative-file refs (`./schemas/pet.yaml#/Pet`) and local refs
 * (`#/components/parameters/id`, `#/components/x-amazon-apigateway-integrations/x`) are inlined; refs to the root
 * document's models (`#/definitions/X`, `#/components/schemas/X`) are kept, because a model is a named object in
 * API Gateway. Remote (`http:`) refs are refused: an import never reaches the network.
 * @throws GwError GW_OPENAPI_REF naming the file and the ref when a target is missing or refs form a cycle
 */
export function resolveRefs(root: SourceDocument, load: (file: string) => SourceDocument = loadSourceFile): unknown {
  const cache = new Map<string, SourceDocument>([[root.file, root]])
  const loadCached = (file: string): SourceDocument => {
    let doc = cache.get(file)
    if (doc === undefined) {
      doc = load(file)
      cache.set(file, doc)
    }
    return doc
  }

  const walk = (node: unknown, doc: SourceDocument, active: ReadonlySet<string>, depth = 0): unknown => {
    if (typeof node !== 'object' || node === null) return node
    if (depth > MAX_DOCUMENT_DEPTH) throw OpenApiInvalid(`${doc.file}: nested deeper than ${String(MAX_DOCUMENT_DEPTH)} levels`)
    if (Array.isArray(node)) return node.map((item) => walk(item, doc, active, depth + 1))
    const record = node as Record<string, unknown>
    const ref = record.$ref
    if (typeof ref === 'string') {
      if (doc === root && MODEL_REF.test(ref)) {
        if (getAtPointer(root.value, parsePointer(ref)) === undefined) {
          throw OpenApiRef(`${root.file}: $ref '${ref}' points to no model`)
        }
        return { $ref: ref }
      }
      const hash = ref.indexOf('#')
      const filePart = hash === -1 ? ref : ref.slice(0, hash)
      const fragment = hash === -1 ? '' : ref.slice(hash)
      if (/^[a-z][a-z0-9+.-]*:/i.test(filePart)) {
        throw OpenApiRef(`${doc.file}: $ref '${ref}' is remote; only local and relative-file refs are resolved`)
      }
      const target = filePart === '' ? doc : loadRef(filePart, doc, ref)
      const key = `${target.file}${fragment}`
      if (active.has(key)) throw OpenApiRef(`${doc.file}: $ref '${ref}' is circular`)
      const value = getAtPointer(target.value, parsePointer(fragment))
      if (value === undefined) throw OpenApiRef(`${doc.file}: $ref '${ref}' points to nothing in ${target.file}`)
      const next = new Set(active)
      next.add(key)
      return walk(value, target, next, depth + 1)
    }
    const out: Record<string, unknown> = {}
    // setOwn: a key named `__proto__` (a schema property, say) stays an own key, as the parser left it.
    for (const [key, value] of Object.entries(record)) setOwn(out, key, walk(value, doc, active, depth + 1))
    return out
  }

  const loadRef = (filePart: string, from: SourceDocument, ref: string): SourceDocument => {
    try {
      // decodeURI throws on malformed percent-encoding (`%`): a bad ref, reported as one.
      return loadCached(resolve(dirname(from.file), decodeURI(filePart)))
    } catch (err) {
      throw OpenApiRef(`${from.file}: $ref '${ref}': ${(err as Error).message}`, { cause: err })
    }
  }

  return walk(root.value, root, new Set())
}
