import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, type Tags } from 'yaml'
import { SamInvalid } from './errors.js'

/** A parsed template: its plain value (intrinsics in their long form) and the line of any property path. */
export interface TemplateSource {
  /** Absolute file name. */
  readonly file: string
  readonly value: unknown
  /** 1-based line of the deepest existing node on `path`, or `undefined`. */
  lineOf(path: readonly (string | number)[]): number | undefined
}

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

const TAGS = cloudFormationTags()

/**
 * Parses YAML (or JSON) with CloudFormation's short-form tags. An unknown `!Tag` is an error naming its line.
 * @throws GwError GW_SAM_INVALID
 */
export function parseTemplateText(text: string, file: string): TemplateSource {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, customTags: TAGS, merge: true, uniqueKeys: true })
  const first = doc.errors[0]
  if (first !== undefined) {
    const line = first.linePos?.[0].line
    throw SamInvalid(`${file}${line === undefined ? '' : `:${String(line)}`}: not valid YAML: ${first.message.split('\n')[0] ?? first.message}`)
  }
  for (const warning of doc.warnings) {
    if (warning.code !== 'TAG_RESOLVE_FAILED') continue
    const line = warning.linePos?.[0].line
    const tag = /Unresolved tag: (\S+)/.exec(warning.message)?.[1] ?? 'tag'
    // Name the logical id and the property: `Resources.Fn.Properties.X` → `Fn: Properties.X`.
    const path = pathOfTag(doc.contents, tag, [])
    const where = path !== undefined && path.length >= 2 ? `${String(path[1])}: ${path.slice(2).map(String).join('.') || '(resource)'}: ` : ''
    throw SamInvalid(`${file}${line === undefined ? '' : `:${String(line)}`}: ${where}unknown intrinsic function ${tag} (known: !Ref, !Condition, ${FN_NAMES.map((n) => `!${n}`).join(', ')})`)
  }
  const value: unknown = doc.toJS({ maxAliasCount: 1000 })
  return {
    file,
    value,
    lineOf(path) {
      let node: unknown = doc.contents
      let range: readonly number[] | null | undefined = isNode(node) ? node.range : undefined
      for (const segment of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment))
          if (pair === undefined) break
          range = isNode(pair.key) ? pair.key.range : range
          node = pair.value
        } else if (isSeq(node)) {
          const item = node.items[Number(segment)]
          if (item === undefined) break
          node = item
          range = isNode(node) ? node.range : range
        } else break
      }
      return range == null || range[0] === undefined ? undefined : lineCounter.linePos(range[0]).line
    }
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
 * Reads and parses a template file.
 * @throws GwError GW_SAM_INVALID when it cannot be read or parsed
 */
export function loadTemplateFile(file: string): TemplateSource {
  const absolute = resolve(file)
  let text: string
  try {
    text = readFileSync(absolute, 'utf8')
  } catch (err) {
    throw SamInvalid(`${absolute}: cannot read file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err })
  }
  return parseTemplateText(text, absolute)
}
