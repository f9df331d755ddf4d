/*
 * Compiles a route tree into JavaScript (what find-my-way's compiler and
 * V8-friendly routers do): the tree is visited once and emitted as
 * straight-line code, so a lookup runs no generic node loop. Literal children
 * become `switch`es on char codes (a char trie over the labels, so a fan-out
 * costs one compare per char, not one per label), parameters live in locals
 * (their count at every node is known at build time), backtracking (§1.2:
 * literal, then `{param}`, then `{greedy+}`) is the fall-through from a failed
 * block to the next alternative, and each route's match object is built by
 * code that stores its own parameter names (monomorphic stores).
 *
 * Only char codes and JSON-quoted parameter names (`[A-Za-z0-9._-]+`, checked
 * by templateSegments) are written into the code; labels, entries and
 * dictionaries are passed in as constants. Large subtrees, and every child of
 * a fan-out above DICTIONARY_FAN_OUT (looked up in a prototype-less
 * dictionary), become functions of their own; subtrees of the same shape
 * share one generated function (10,000 `/r{n}/{id}` routes compile one body).
 */
import { NullProto } from '@gw/core'
import { ANY_COVERS } from './methods.js'

/** One route of the table: what `match()` reports. */
export interface Entry<T> {
  readonly value: T
  readonly resourcePath: string
  readonly resourceId: string
  readonly routeKey: string
  readonly paramNames: readonly string[]
  /**
   * A route without parameters matches the same way every time: its match, built once (frozen) and returned to every
   * request, not a new object per request (#21). `undefined` for a route with parameters.
   */
  readonly match: RouteMatch<T> | undefined
}

/** Method → route at one resource (`ANY` included). */
export type MethodTable<T> = Record<string, Entry<T>>

/** One resource level of the tree. */
export interface Node<T> {
  /** Literal children by label. */
  readonly statics: Record<string, Node<T>>
  /** `{param}` child. */
  param: Node<T> | null
  /** `{greedy+}` routes at this level. */
  greedy: MethodTable<T> | null
  /** Routes that end at this node. */
  methods: MethodTable<T> | null
}

/** What `match()` returns. */
export interface RouteMatch<T> {
  /** The value given to `add()`. */
  readonly value: T
  /** Path parameters by name, `null` when the route has none (REST: as received; HTTP: decoded). */
  readonly params: Record<string, string> | null
  /** The route template that matched (`/pets/{id}`), `$default` for the HTTP default route. */
  readonly resourcePath: string
  /** Stable id of the resource (`$context.resourceId`). */
  readonly resourceId: string
  /** The matched route's key: `GET /pets/{id}`, `ANY /{proxy+}` or `$default` (`$context.routeKey`). */
  readonly routeKey: string
}

/** Returned by a compiled matcher that met a `.` or `..` segment: the caller canonicalizes the path (§1.1) and matches again. */
export const DOT_SEGMENT: unique symbol = Symbol('dot segment')

/**
 * A compiled tree, run over a path with a leading `/`. `pos` is where the
 * walk starts (a `/`), `end` where the path ends (REST: trailing slashes
 * trimmed); `greedyOk` false skips `{greedy+}` routes (the first pass of
 * §1.3). A path whose match would depend on a dot segment answers DOT_SEGMENT.
 */
export type Matcher<T> = (path: string, pos: number, end: number, method: string, greedyOk: boolean) => RouteMatch<T> | typeof DOT_SEGMENT | undefined

/** Literal fan-outs above this go through a dictionary (segment sliced and hashed) instead of the char trie. */
const DICTIONARY_FAN_OUT = 64
/**
 * Nodes emitted inline into one function; further subtrees get functions of
 * their own. Small is faster: with 6 the 10-route parametric table matched
 * 1.5x faster than with 48 (TurboFan optimizes a large function late and
 * poorly: 150 ms to compile one 48-node body), with no loss on large tables.
 */
const FUNCTION_NODES = 6

/** Index of the `/` that ends the segment starting at `start`, or `end`. */
function segmentEnd(path: string, start: number, end: number): number {
  let stop = start
  while (stop < end && path.charCodeAt(stop) !== 47) stop++
  return stop
}

/** The segment at `start` (its first char known to be `.`) is `.` or `..` (§1.1 dot segments). */
function isDotSegment(path: string, start: number, end: number): boolean {
  const next = start + 1 < end ? path.charCodeAt(start + 1) : 47
  if (next === 47) return true
  return next === 46 && (start + 2 >= end || path.charCodeAt(start + 2) === 47)
}

/** A greedy value from `start` (whose own first segment is already checked) holds a dot segment further on. */
function hasDotSegment(path: string, start: number, end: number): boolean {
  for (let i = start; i + 1 < end; i++) if (path.charCodeAt(i) === 47 && path.charCodeAt(i + 1) === 46 && isDotSegment(path, i + 1, end)) return true
  return false
}

type Factory = (constants: readonly unknown[]) => (...args: unknown[]) => unknown

/** Runtime helpers every generated function receives, by these names. */
const HELPER_NAMES = ['segmentEnd', 'isDotSegment', 'hasDotSegment', 'NullProto', 'ANY', 'DOT'] as const
const HELPERS = [segmentEnd, isDotSegment, hasDotSegment, NullProto, ANY_COVERS, DOT_SEGMENT] as const

/** Generates one function's body; constants (entries, dictionaries, sub-functions) are referenced as `K0`, `K1`, … */
class FunctionEmitter<T> {
  readonly constants: unknown[] = []
  /** Nodes emitted so far: names the locals of the next one, and bounds the function's size. */
  #level = 0
  readonly compiler: TreeCompiler<T>
  readonly http: boolean

  constructor(compiler: TreeCompiler<T>, http: boolean) {
    this.compiler = compiler
    this.http = http
  }

  constant(value: unknown): string {
    this.constants.push(value)
    return `K${this.constants.length - 1}`
  }

  /** Code that returns the match of `node`'s subtree for the path from `pos`, or falls through when there is none. */
  node(node: Node<T>, pos: string, params: readonly string[]): string {
    const l = this.#level++
    const q = `q${l}`
    const c = `c${l}`
    let out: string
    if (this.http) {
      // §1.3: every `/` is a boundary, `//` is an empty segment that only a greedy value can take
      out = `if (${pos} >= end) {\n${this.terminal(node.methods, params)}} else {\nconst ${q} = ${pos} + 1;\nconst ${c} = ${q} < end ? path.charCodeAt(${q}) : 47;\n`
    } else {
      // §1.2: runs of `/` are skipped (empty segments ignored), `end` already excludes trailing slashes;
      // `pos` is always at a `/` or at `end`, so the first char of the segment is one further
      out = `let ${q} = ${pos} + 1;\nwhile (${q} < end && path.charCodeAt(${q}) === 47) ${q}++;\nif (${q} >= end) {\n${this.terminal(node.methods, params)}} else {\nconst ${c} = path.charCodeAt(${q});\n`
    }
    out += `if (${c} === 46 && isDotSegment(path, ${q}, end)) return DOT;\n`
    out += this.literals(node, q, c, params)
    if (node.param !== null) {
      const s = `s${l}`
      const v = `v${l}`
      // the segment's end scanned inline: a helper call would not be inlined into a function this size
      const body = `let ${s} = ${q} + 1;\nwhile (${s} < end && path.charCodeAt(${s}) !== 47) ${s}++;\nconst ${v} = path.slice(${q}, ${s});\n${this.child(node.param, s, [...params, v])}`
      out += this.http ? `if (${c} !== 47) {\n${body}}\n` : `{\n${body}}\n`
    }
    if (node.greedy !== null) {
      // REST drops the trailing slash from a greedy value (`end` is trimmed); HTTP keeps what is there (§1.2, §1.3)
      out += `if (g) {\n${this.terminal(node.greedy, [...params, `path.slice(${q}, end)`], `if (hasDotSegment(path, ${q}, end)) return DOT;\n`)}}\n`
    }
    return `${out}}\n`
  }

  /** Literal children: a char trie over the labels, or a dictionary for a large fan-out. */
  private literals(node: Node<T>, q: string, c: string, params: readonly string[]): string {
    const labels = Object.keys(node.statics)
    if (labels.length === 0) return ''
    if (labels.length > DICTIONARY_FAN_OUT) {
      const dictionary = new NullProto() as Record<string, unknown>
      for (const label of labels) dictionary[label] = this.compiler.compile(node.statics[label] as Node<T>, params.length)
      const s = `d${q}`
      return `{\nconst ${s} = segmentEnd(path, ${q}, end);\nconst f = ${this.constant(dictionary)}[path.slice(${q}, ${s})];\nif (f !== undefined) {\nconst r = f(path, ${s}, end, method, g${params.map((p) => `, ${p}`).join('')});\nif (r !== undefined) return r;\n}\n}\n`
    }
    return this.trie(
      labels.map((label) => ({ label, node: node.statics[label] as Node<T> })),
      0,
      q,
      c,
      params
    )
  }

  /** Labels that share their first `k` chars; at most one of them can match, so every branch is exclusive. */
  private trie(entries: readonly { label: string; node: Node<T> }[], k: number, q: string, c: string, params: readonly string[]): string {
    // every read stays below `end` (≤ path.length): an out-of-range charCodeAt would teach V8 to expect NaN here
    const at = (i: number): string => (i === 0 ? c : `path.charCodeAt(${q} + ${i})`)
    const boundary = (i: number): string => `(${q} + ${i} === end || path.charCodeAt(${q} + ${i}) === 47)`
    let out = ''
    const longer: { label: string; node: Node<T> }[] = []
    for (const e of entries) {
      if (e.label.length === k) out += `if (${boundary(k)}) {\n${this.child(e.node, `${q} + ${k}`, params)}}\n`
      else longer.push(e)
    }
    if (longer.length === 1) {
      const { label, node } = longer[0] as { label: string; node: Node<T> }
      const chars: string[] = []
      for (let i = k; i < label.length; i++) chars.push(`${at(i)} === ${label.charCodeAt(i)}`)
      return `${out}if (${q} + ${label.length} <= end && ${chars.join(' && ')} && ${boundary(label.length)}) {\n${this.child(node, `${q} + ${label.length}`, params)}}\n`
    }
    if (longer.length === 0) return out
    const groups = new Map<number, { label: string; node: Node<T> }[]>()
    for (const e of longer) {
      const code = e.label.charCodeAt(k)
      const group = groups.get(code)
      if (group === undefined) groups.set(code, [e])
      else group.push(e)
    }
    out += `switch (${k === 0 ? c : `${q} + ${k} < end ? ${at(k)} : 47`}) {\n`
    for (const [code, group] of groups) out += `case ${code}: {\n${this.trie(group, k + 1, q, c, params)}break;\n}\n`
    return `${out}}\n`
  }

  /** A child subtree: inline while the function is small, else a call to a function of its own. */
  private child(node: Node<T>, pos: string, params: readonly string[]): string {
    if (this.#level < FUNCTION_NODES) return this.node(node, pos, params)
    const fn = this.constant(this.compiler.compile(node, params.length))
    return `{\nconst r = ${fn}(path, ${pos}, end, method, g${params.map((p) => `, ${p}`).join('')});\nif (r !== undefined) return r;\n}\n`
  }

  /** The route for `method` in `methods` (explicit method first, then `ANY`; HEAD never served by GET, §1.2), returned as a match. */
  private terminal(methods: MethodTable<T> | null, params: readonly string[], guard = ''): string {
    if (methods === null) return ''
    let out = ''
    for (const method of Object.keys(methods)) {
      if (method !== 'ANY') out += `if (method === ${JSON.stringify(method)}) ${this.result(methods[method] as Entry<T>, params, guard)}`
    }
    const any = methods.ANY
    if (any !== undefined) out += `if (ANY[method] === true) ${this.result(any, params, guard)}`
    return out
  }

  /** `guard`: code run before the match is built (a greedy value checks itself for dot segments). */
  private result(entry: Entry<T>, params: readonly string[], guard: string): string {
    const e = this.constant(entry)
    const names = entry.paramNames
    let out = `{\n${guard}`
    if (entry.match !== undefined) return `${out}return ${e}.match;\n}\n`
    let object = 'null'
    if (names.length !== 0) {
      out += 'const o = new NullProto();\n'
      for (let i = 0; i < names.length; i++) out += `o[${JSON.stringify(names[i])}] = ${params[i] as string};\n`
      object = 'o'
    }
    return `${out}return { value: ${e}.value, params: ${object}, resourcePath: ${e}.resourcePath, resourceId: ${e}.resourceId, routeKey: ${e}.routeKey };\n}\n`
  }
}

/** One compilation of one tree: one generated function per distinct body. */
class TreeCompiler<T> {
  readonly #factories = new Map<string, Factory>()
  readonly http: boolean

  constructor(http: boolean) {
    this.http = http
  }

  /** The function matching `node`'s subtree, called with `depth` parameter values collected on the way. */
  compile(node: Node<T>, depth: number): (...args: unknown[]) => unknown {
    const emitter = new FunctionEmitter<T>(this, this.http)
    const params = Array.from({ length: depth }, (_, i) => `p${i}`)
    const body = emitter.node(node, 'pos', params)
    const bindings = emitter.constants.map((_, i) => `const K${i} = K[${i}];\n`).join('')
    const source = `'use strict';\n${bindings}return function match(path, pos, end, method, g${params.map((p) => `, ${p}`).join('')}) {\n${body}return undefined;\n};`
    let factory = this.#factories.get(source)
    if (factory === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from char codes and validated parameter names only (see the file comment)
      const outer = new Function(...HELPER_NAMES, 'K', source) as (...helpers: unknown[]) => ReturnType<Factory>
      factory = (constants) => outer(...HELPERS, constants)
      this.#factories.set(source, factory)
    }
    return factory(emitter.constants)
  }
}

/** Compiles the tree under `root` into one matcher (REST §1.2 or HTTP §1.3 rules). */
export function compileTree<T>(root: Node<T>, http: boolean): Matcher<T> {
  return new TreeCompiler<T>(http).compile(root, 0) as Matcher<T>
}

/** A new, empty tree node. */
export function newNode<T>(): Node<T> {
  return { statics: new NullProto(), param: null, greedy: null, methods: null }
}
