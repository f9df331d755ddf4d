import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LineCounter, parseDocument, isMap, isNode, isScalar, isSeq, type Document, type Tags } from 'yaml'
import { OpenApiInvalid } from './errors.js'

/** A parsed YAML or JSON file that can tell the line of any JSON pointer in it. */
export interface SourceDocument {
  /** Absolute file name, or the label given for in-memory text. */
  readonly file: string
  /** The plain JavaScript value of the document. */
  readonly value: unknown
  /** 1-based line of the node at `segments`, or `undefined` when there is no such node. */
  lineOf(segments: readonly (string | number)[]): number | undefined
}

/**
 * What one kind of source file is (an OpenAPI document, a SAM template, `gw.config.yaml`): the YAML tags it
 * knows and the error that refuses it. One parser with line numbers serves them all.
 */
export interface SourceFormat {
  /** What the text must be, as syntax errors say it: `file:line: not valid ${expected}: reason`. */
  readonly expected: string
  /** Builds the error for a file that cannot be read or parsed: the caller's `GW_*_INVALID` (a `defineError` factory). */
  readonly invalid: (message: string, options?: { cause?: unknown }) => Error
  /** `yaml` custom tags, such as CloudFormation's short forms (`!Ref`, `!Sub`). */
  readonly customTags?: Tags
  /** Inspects the parsed YAML before it becomes a plain value; throws (with {@link invalid}) to refuse it, e.g. for an unknown tag. */
  readonly check?: (doc: Document.Parsed, file: string) => void
}

/** OpenAPI documents (and `$ref`'d files): plain YAML 1.2 or JSON, refused with GW_OPENAPI_INVALID. */
const OPENAPI_SOURCE: SourceFormat = { expected: 'YAML or JSON', invalid: OpenApiInvalid }

/**
 * Parses YAML or JSON text (JSON is parsed as YAML 1.2 so both carry line numbers).
 * @param format what the text is; @default an OpenAPI document (GW_OPENAPI_INVALID)
 * @throws GwError GW_OPENAPI_INVALID (or `format.invalid`'s code) naming the file and line of the first syntax error
 * @example
 * const doc = parseSourceText('openapi: 3.0.1', 'api.yaml')
 */
export function parseSourceText(text: string, file: string, format: SourceFormat = OPENAPI_SOURCE): SourceDocument {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, merge: true, ...(format.customTags === undefined ? {} : { customTags: format.customTags }) })
  const first = doc.errors[0]
  if (first !== undefined) {
    const line = first.linePos?.[0].line
    const reason = first.message.split('\n')[0] ?? first.message
    throw format.invalid(`${file}${line === undefined ? '' : `:${String(line)}`}: not valid ${format.expected}: ${reason}`)
  }
  format.check?.(doc, file)
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: 1000 })
  } catch (err) {
    // Errors only the conversion sees (a merge key `<<` onto a scalar, too many aliases) are syntax errors too.
    throw format.invalid(`${file}: not valid ${format.expected}: ${(err as Error).message}`, { cause: err })
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
 * 1-based line of the deepest node on `path` that exists: the field itself, else the nearest parent that is
 * written (a missing required field is reported at the object that lacks it).
 * @example
 * nearestLine(doc, ['paths', '/pets', 'get', 'responses']) // the line of `get:` when it has no `responses`
 */
export function nearestLine(source: SourceDocument, path: readonly (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const line = source.lineOf(path.slice(0, n))
    if (line !== undefined) return line
  }
  return undefined
}

/**
 * Reads and parses a YAML or JSON file.
 * @param format what the file is; @default an OpenAPI document (GW_OPENAPI_INVALID)
 * @throws GwError GW_OPENAPI_INVALID (or `format.invalid`'s code) when the file cannot be read or parsed
 */
export function loadSourceFile(file: string, format: SourceFormat = OPENAPI_SOURCE): SourceDocument {
  const absolute = resolve(file)
  let text: string
  try {
    text = readFileSync(absolute, 'utf8')
  } catch (err) {
    throw format.invalid(`${absolute}: cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err })
  }
  return parseSourceText(text, absolute, format)
}
