import { loadSourceFile, type SourceDocument, type SourceFormat } from '@gw/openapi'
import { isMap, isNode, isScalar, isSeq, type Document, type Tags } from 'yaml'
import { SamInvalid } from './errors.js'

/** The CloudFormation functions written `Fn::Name` in long form and `!Name` in short form. */
export const FN_NAMES = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'If', 'Equals', 'Not', 'And', 'Or', 'Transform', 'Length', 'ToJsonString'] as const

/**
 * The short forms as `yaml` custom tags: each becomes its long form (`!Sub x` → `{ 'Fn::Sub': 'x' }`,
 * `!Ref x` → `{ Ref: 'x' }`, `!Condition c` → `{ Condition: 'c' }`), whatever node it tags (scalar, sequence, map).
 * `!GetAtt A.B` stays a string; the evaluator splits it like CloudFormation does.
 */
function cloudFormationTags(): Tags {
  const tags: Tags = []
  const add = (tag: string, key: string): void => {
    tags.push({ tag, resolve: (value: string) => ({ [key]: value }) })
    tags.push({ tag, collection: 'seq', resolve: (seq) => ({ [key]: seq.toJSON() as unknown }) })
    tags.push({ tag, collection: 'map', resolve: (map) => ({ [key]: map.toJSON() as unknown }) })
  }
  add('!Ref', 'Ref')
  add('!Condition', 'Condition')
  for (const name of FN_NAMES) add(`!${name}`, `Fn::${name}`)
  return tags
}

/**
 * A SAM template or serverless.yml: YAML (or JSON) with CloudFormation's short-form tags, refused with
 * GW_SAM_INVALID. An unknown `!Tag` is an error naming its line, logical id and property.
 */
const TEMPLATE_SOURCE: SourceFormat = { expected: 'YAML', invalid: SamInvalid, customTags: cloudFormationTags(), check: refuseUnknownTags }

function refuseUnknownTags(doc: Document.Parsed, file: string): void {
  for (const warning of doc.warnings) {
    if (warning.code !== 'TAG_RESOLVE_FAILED') continue
    const line = warning.linePos?.[0].line
    const tag = /Unresolved tag: (\S+)/.exec(warning.message)?.[1] ?? 'tag'
    // Name the logical id and the property: `Resources.Fn.Properties.X` → `Fn: Properties.X`.
    const path = pathOfTag(doc.contents, tag, [])
    const where = path !== undefined && path.length >= 2 ? `${String(path[1])}: ${path.slice(2).map(String).join('.') || '(resource)'}: ` : ''
    throw SamInvalid(`${file}${line === undefined ? '' : `:${String(line)}`}: ${where}unknown intrinsic function ${tag} (known: !Ref, !Condition, ${FN_NAMES.map((n) => `!${n}`).join(', ')})`)
  }
}

/** The key path of the first node carrying `tag`. */
function pathOfTag(node: unknown, tag: string, path: (string | number)[]): (string | number)[] | undefined {
  if (isNode(node) && node.tag === tag) return path
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '?'
      const found = pathOfTag(pair.value, tag, [...path, key])
      if (found !== undefined) return found
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const found = pathOfTag(item, tag, [...path, i])
      if (found !== undefined) return found
    }
  }
  return undefined
}

/**
 * Reads and parses a template file: its plain value (intrinsics in their long form) and the line of any property path.
 * @throws GwError GW_SAM_INVALID when it cannot be read or parsed
 */
export function loadTemplateFile(file: string): SourceDocument {
  return loadSourceFile(file, TEMPLATE_SOURCE)
}
