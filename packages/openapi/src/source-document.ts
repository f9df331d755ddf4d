import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LineCounter, parseDocument, isMap, isNode, isScalar, isSeq } from 'yaml'
import { OpenApiInvalid } from './errors.js'

/** A parsed YAML or JSON file that can tell the line of any JSON pointer in it. */
export interface SourceDocument {
  /** Absolute file name, or the label given for in-memory text. */
  readonly file: string
  /** The plain JavaScript value of the document. */
  readonly value: unknown
  /** 1-based line of the node at `segments`, or `undefined` when unknown. */
  lineOf(segments: readonly (string | number)[]): number | undefined
}

/**
 * Parses YAML or JSON text (JSON is parsed as YAML 1.2 so both carry line numbers).
 * @throws GwError GW_OPENAPI_INVALID naming the file and line of the first syntax error
 * @example
 * const doc = parseSourceText('openapi: 3.0.1', 'api.yaml')
 */
export function parseSourceText(text: string, file: string): SourceDocument {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, merge: true })
  const first = doc.errors[0]
  if (first !== undefined) {
    const line = first.linePos?.[0].line
    const reason = first.message.split('\n')[0] ?? first.message
    throw OpenApiInvalid(`${file}${line === undefined ? '' : `:${String(line)}`}: not valid YAML or JSON: ${reason}`)
  }
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: 1000 })
  } catch (err) {
    // Errors only the conversion sees (a merge key `<<` onto a scalar, too many aliases) are syntax errors too.
    throw OpenApiInvalid(`${file}: not valid YAML or JSON: ${(err as Error).message}`, { cause: err })
  }
  return {
    file,
    value,
    lineOf(segments) {
      // Walk to the pair so a field's line is its key's line, not the first line of its value.
      let node: unknown = doc.contents
      let range: readonly number[] | null | undefined = isNode(node) ? node.range : undefined
      for (const segment of segments) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment))
          if (pair === undefined) return undefined
          range = isNode(pair.key) ? pair.key.range : undefined
          node = pair.value
        } else if (isSeq(node)) {
          node = node.items[Number(segment)]
          range = isNode(node) ? node.range : undefined
        } else return undefined
      }
      return range == null || range[0] === undefined ? undefined : lineCounter.linePos(range[0]).line
    }
  }
}

/**
 * Reads and parses a YAML or JSON file.
 * @throws GwError GW_OPENAPI_INVALID when the file cannot be read or parsed
 */
export function loadSourceFile(file: string): SourceDocument {
  const absolute = resolve(file)
  let text: string
  try {
    text = readFileSync(absolute, 'utf8')
  } catch (err) {
    throw OpenApiInvalid(`${absolute}: cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err })
  }
  return parseSourceText(text, absolute)
}
