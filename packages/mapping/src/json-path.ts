import { isPlainObject, ownValue } from './java-values.js'

type Step =
  | { readonly t: 'child'; readonly name: string }
  | { readonly t: 'index'; readonly i: number }
  | { readonly t: 'wild' }
  | { readonly t: 'desc'; readonly name: string | null }
  | { readonly t: 'slice'; readonly start: number | null; readonly end: number | null }
  | { readonly t: 'union'; readonly keys: readonly (string | number)[] }

/** A compiled JSONPath: steps plus whether it can yield several matches. */
export interface CompiledJsonPath {
  readonly steps: readonly Step[]
  readonly definite: boolean
}

const cache = new Map<string, CompiledJsonPath | null>()
const CACHE_LIMIT = 512
const NAME = /^[^.[\]\s]+/
const SLICE = /^(-?\d*):(-?\d*)$/
const INDEX = /^-?\d+$/

function parseBracket(inner: string): Step | null {
  const body = inner.trim()
  if (body === '*') return { t: 'wild' }
  if (INDEX.test(body)) return { t: 'index', i: Number(body) }
  const slice = SLICE.exec(body)
  if (slice) return { t: 'slice', start: slice[1] === '' ? null : Number(slice[1]), end: slice[2] === '' ? null : Number(slice[2]) }
  const keys: (string | number)[] = []
  for (const raw of body.split(',')) {
    const part = raw.trim()
    if (INDEX.test(part)) keys.push(Number(part))
    else if (part.length >= 2 && (part[0] === "'" || part[0] === '"') && part[part.length - 1] === part[0]) keys.push(part.slice(1, -1))
    else return null
  }
  if (keys.length === 1) return typeof keys[0] === 'number' ? { t: 'index', i: keys[0] } : { t: 'child', name: keys[0] as string }
  return { t: 'union', keys }
}

function parse(path: string): CompiledJsonPath | null {
  let rest = path.trim()
  if (rest.startsWith('$')) rest = rest.slice(1)
  else if (rest !== '' && rest[0] !== '.' && rest[0] !== '[') rest = `.${rest}`
  const steps: Step[] = []
  let definite = true
  while (rest.length > 0) {
    if (rest.startsWith('..')) {
      rest = rest.slice(2)
      definite = false
      if (rest.startsWith('*')) {
        steps.push({ t: 'desc', name: null })
        rest = rest.slice(1)
        continue
      }
      if (rest.startsWith('[')) {
        steps.push({ t: 'desc', name: null })
        continue
      }
      const m = NAME.exec(rest)
      if (!m) return null
      steps.push({ t: 'desc', name: m[0] })
      rest = rest.slice(m[0].length)
    } else if (rest[0] === '.') {
      rest = rest.slice(1)
      if (rest.startsWith('*')) {
        steps.push({ t: 'wild' })
        definite = false
        rest = rest.slice(1)
        continue
      }
      const m = NAME.exec(rest)
      if (!m) return null
      steps.push({ t: 'child', name: m[0] })
      rest = rest.slice(m[0].length)
    } else if (rest[0] === '[') {
      const close = findClose(rest)
      if (close === -1) return null
      const step = parseBracket(rest.slice(1, close))
      if (!step) return null
      if (step.t === 'wild' || step.t === 'slice' || step.t === 'union') definite = false
      steps.push(step)
      rest = rest.slice(close + 1)
    } else return null
  }
  return { steps, definite }
}

function findClose(s: string): number {
  let quote = ''
  for (let i = 1; i < s.length; i++) {
    const c = s[i]
    if (quote !== '') {
      if (c === quote) quote = ''
    } else if (c === "'" || c === '"') quote = c
    else if (c === ']') return i
  }
  return -1
}

/**
 * Compiles a Jayway-style JSONPath (§4.1: `$.a.b`, `$['a']`, `$.a[0]`,
 * `$.a[*].b`, `$..b`, slices and unions). Cached: templates call `path()`
 * with literal strings, so each distinct path is parsed once. Returns null
 * for paths outside that subset (filters): they match nothing.
 */
export function compileJsonPath(path: string): CompiledJsonPath | null {
  const hit = cache.get(path)
  if (hit !== undefined) return hit
  const compiled = parse(path)
  if (cache.size >= CACHE_LIMIT) cache.clear()
  cache.set(path, compiled)
  return compiled
}

function children(node: unknown): unknown[] {
  if (Array.isArray(node)) return node
  if (isPlainObject(node)) return Object.values(node)
  return []
}

function descend(node: unknown, name: string | null, out: unknown[]): void {
  if (name === null) {
    for (const c of children(node)) {
      out.push(c)
      descend(c, null, out)
    }
    return
  }
  if (isPlainObject(node)) {
    const v = ownValue(node, name)
    if (v !== undefined) out.push(v)
  }
  for (const c of children(node)) descend(c, name, out)
}

function apply(step: Step, node: unknown, out: unknown[]): void {
  switch (step.t) {
    case 'child':
      if (isPlainObject(node)) {
        const v = ownValue(node, step.name)
        if (v !== undefined) out.push(v)
      } else if (Array.isArray(node) && step.name === 'length') out.push(node.length)
      return
    case 'index':
      if (Array.isArray(node)) {
        const i = step.i < 0 ? node.length + step.i : step.i
        if (i >= 0 && i < node.length) out.push(node[i])
      }
      return
    case 'wild':
      for (const c of children(node)) out.push(c)
      return
    case 'desc':
      descend(node, step.name, out)
      return
    case 'slice':
      if (Array.isArray(node)) {
        const len = node.length
        const norm = (n: number): number => (n < 0 ? Math.max(0, len + n) : Math.min(len, n))
        const start = step.start === null ? 0 : norm(step.start)
        const end = step.end === null ? len : norm(step.end)
        for (let i = start; i < end; i++) out.push(node[i])
      }
      return
    case 'union':
      for (const key of step.keys) apply(typeof key === 'number' ? { t: 'index', i: key } : { t: 'child', name: key }, node, out)
      return
  }
}

/**
 * Evaluates a compiled path against parsed JSON. `undefined` = no match
 * (missing path, §4.1). One match → the element; several → an array.
 */
export function evaluateJsonPath(path: CompiledJsonPath, root: unknown): unknown {
  let nodes: unknown[] = [root]
  for (const step of path.steps) {
    const next: unknown[] = []
    for (const node of nodes) apply(step, node, next)
    nodes = next
    if (nodes.length === 0) return path.definite ? undefined : []
  }
  if (path.definite || nodes.length === 1) return nodes[0]
  return nodes
}
