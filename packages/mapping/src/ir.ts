import { parse as velocityParse } from 'velocityjs'

/**
 * The compiled form of a template: velocityjs parses once (at
 * `compileTemplate`), this module turns its AST into a small closed IR that
 * render.ts interprets. Nothing is parsed while rendering; interpolated
 * string literals ("$a-$b") are parsed here too.
 */

/** A statement. */
export type Node =
  | { readonly k: 'text'; readonly v: string }
  | { readonly k: 'out'; readonly e: Ref }
  | { readonly k: 'set'; readonly target: Ref; readonly parent: Ref | null; readonly last: Seg | null; readonly e: Expr }
  | { readonly k: 'if'; readonly branches: readonly Branch[] }
  | { readonly k: 'foreach'; readonly name: string; readonly from: Expr; readonly body: readonly Node[] }
  | { readonly k: 'break' }
  | { readonly k: 'call'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly k: 'define'; readonly name: string; readonly body: readonly Node[] }

/** One `#if`/`#elseif`/`#else` arm (`cond` null for `#else`). */
export interface Branch {
  readonly cond: Expr | null
  readonly body: readonly Node[]
}

/** An expression. */
export type Expr =
  | { readonly k: 'lit'; readonly v: string | number | boolean | null }
  | { readonly k: 'str'; readonly parts: readonly Node[] }
  | Ref
  | { readonly k: 'list'; readonly items: readonly Expr[] }
  | { readonly k: 'range'; readonly from: Expr; readonly to: Expr }
  | { readonly k: 'map'; readonly entries: readonly (readonly [string, Expr])[] }
  | { readonly k: 'op'; readonly op: string; readonly a: Expr; readonly b: Expr | null }

/** `$id.seg.seg(...)[...]`. */
export interface Ref {
  readonly k: 'ref'
  readonly id: string
  readonly path: readonly Seg[]
}

/** One step of a reference. */
export type Seg =
  | { readonly k: 'prop'; readonly name: string }
  | { readonly k: 'index'; readonly e: Expr }
  | { readonly k: 'method'; readonly name: string; readonly args: readonly Expr[] }

/** A `#macro`, hoisted at compile time (Velocity defines macros when parsing). */
export interface Macro {
  readonly params: readonly string[]
  readonly body: readonly Node[]
}

/** Output of `compileIr`. */
export interface CompiledIr {
  readonly nodes: readonly Node[]
  readonly macros: ReadonlyMap<string, Macro>
}

type Ast = Record<string, unknown> & { type?: string }
type Raw = string | Ast | Raw[]

const asAst = (v: unknown): Ast => (v !== null && typeof v === 'object' ? (v as Ast) : {})
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

/** Parses VTL with velocityjs; throws velocityjs's parse error. */
export function parseVtl(source: string): Raw[] {
  return velocityParse(source) as unknown as Raw[]
}

class IrBuilder {
  readonly macros = new Map<string, Macro>()

  nodes(list: readonly Raw[]): Node[] {
    const out: Node[] = []
    for (const item of list) {
      if (typeof item === 'string') {
        if (item !== '') pushText(out, item)
      } else if (Array.isArray(item)) this.block(item, out)
      else this.statement(item, out)
    }
    return out
  }

  private statement(ast: Ast, out: Node[]): void {
    switch (ast.type ?? '') {
      case 'references':
        out.push({ k: 'out', e: this.ref(ast) })
        return
      case 'set': {
        const [lhs, rhs] = asList(ast.equal)
        const target = this.ref(asAst(lhs))
        const last = target.path.length === 0 ? null : (target.path[target.path.length - 1] as Seg)
        const parent = last === null ? null : { k: 'ref' as const, id: target.id, path: target.path.slice(0, -1) }
        out.push({ k: 'set', target, parent, last, e: this.expr(rhs) })
        return
      }
      case 'break':
        out.push({ k: 'break' })
        return
      case 'macro_call':
        out.push({ k: 'call', name: String(ast.id), args: asList(ast.args).map((a) => this.expr(a)) })
        return
      case 'raw':
      case 'content':
        pushText(out, String(ast.value))
        return
      default:
        // comments and directives without output
        return
    }
  }

  private block(items: Raw[], out: Node[]): void {
    const head = asAst(items[0])
    const rest = items.slice(1)
    switch (head.type ?? '') {
      case 'if': {
        const branches: Branch[] = []
        let cond: Expr | null = this.expr(head.condition)
        let body: Raw[] = []
        for (const item of rest) {
          const ast = !Array.isArray(item) && typeof item === 'object' ? item : null
          if (ast?.type === 'elseif' || ast?.type === 'else') {
            branches.push({ cond, body: this.nodes(body) })
            cond = ast.type === 'elseif' ? this.expr(ast.condition) : null
            body = []
          } else body.push(item)
        }
        branches.push({ cond, body: this.nodes(body) })
        out.push({ k: 'if', branches })
        return
      }
      case 'foreach':
        out.push({ k: 'foreach', name: String(head.to), from: this.expr(head.from), body: this.nodes(rest) })
        return
      case 'macro':
        this.macros.set(String(head.id), {
          params: asList(head.args).map((a) => String(asAst(a).id)),
          body: this.nodes(rest)
        })
        return
      case 'define':
        out.push({ k: 'define', name: String(head.id), body: this.nodes(rest) })
        return
      default:
        out.push(...this.nodes(rest))
    }
  }

  ref(ast: Ast): Ref {
    const path: Seg[] = []
    for (const seg of asList(ast.path)) {
      const s = asAst(seg)
      if (s.type === 'property') path.push({ k: 'prop', name: String(s.id) })
      else if (s.type === 'index') path.push({ k: 'index', e: this.expr(s.id) })
      else if (s.type === 'method') path.push({ k: 'method', name: String(s.id), args: asList(s.args).map((a) => this.expr(a)) })
    }
    return { k: 'ref', id: String(ast.id), path }
  }

  expr(raw: unknown): Expr {
    const ast = asAst(raw)
    switch (ast.type ?? '') {
      case 'references':
        return this.ref(ast)
      case 'integer':
      case 'decimal':
        return { k: 'lit', v: Number(ast.value) }
      case 'bool':
        return { k: 'lit', v: ast.value === 'true' ? true : ast.value === 'false' ? false : null }
      case 'string':
        return this.string(String(ast.value), ast.isEval === true)
      case 'runt':
        return { k: 'lit', v: String(ast.value) }
      case 'array': {
        const values = asList(ast.value)
        if (ast.isRange === true) return { k: 'range', from: this.bound(values[0]), to: this.bound(values[1]) }
        return { k: 'list', items: values.map((v) => this.expr(v)) }
      }
      case 'map': {
        const value = asAst(ast.value)
        return { k: 'map', entries: Object.keys(value).map((key) => [key, this.expr(value[key])] as const) }
      }
      case 'math': {
        const [a, b] = asList(ast.expression)
        const op = String(ast.operator)
        if (op === 'parenthesis') return this.expr(a)
        return { k: 'op', op, a: this.expr(a), b: b === undefined ? null : this.expr(b) }
      }
      default:
        return { k: 'lit', v: null }
    }
  }

  private bound(v: unknown): Expr {
    if (typeof v === 'string' || typeof v === 'number') return { k: 'lit', v: Number(v) }
    return this.expr(v)
  }

  private string(value: string, interpolate: boolean): Expr {
    if (!interpolate || (!value.includes('$') && !value.includes('#'))) return { k: 'lit', v: value }
    try {
      return { k: 'str', parts: this.nodes(parseVtl(value)) }
    } catch {
      return { k: 'lit', v: value }
    }
  }
}

function pushText(out: Node[], text: string): void {
  const prev = out[out.length - 1]
  if (prev?.k === 'text') out[out.length - 1] = { k: 'text', v: prev.v + text }
  else out.push({ k: 'text', v: text })
}

/** Turns a velocityjs AST into the IR; macros are hoisted. */
export function compileIr(ast: readonly Raw[]): CompiledIr {
  const builder = new IrBuilder()
  const nodes = builder.nodes(ast)
  return { nodes, macros: builder.macros }
}

/** Adds the root name of every reference in `nodes` (and their nested statements and expressions) to `into`. */
function collectNodeRoots(nodes: readonly Node[], into: Set<string>): void {
  for (const n of nodes) {
    switch (n.k) {
      case 'out':
        collectExprRoots(n.e, into)
        break
      case 'set':
        collectExprRoots(n.target, into)
        collectExprRoots(n.e, into)
        break
      case 'if':
        for (const b of n.branches) {
          if (b.cond !== null) collectExprRoots(b.cond, into)
          collectNodeRoots(b.body, into)
        }
        break
      case 'foreach':
        collectExprRoots(n.from, into)
        collectNodeRoots(n.body, into)
        break
      case 'call':
        for (const a of n.args) collectExprRoots(a, into)
        break
      case 'define':
        collectNodeRoots(n.body, into)
        break
      case 'text':
      case 'break':
        break
    }
  }
}

function collectExprRoots(e: Expr, into: Set<string>): void {
  switch (e.k) {
    case 'ref':
      into.add(e.id)
      for (const seg of e.path) {
        if (seg.k === 'index') collectExprRoots(seg.e, into)
        else if (seg.k === 'method') for (const a of seg.args) collectExprRoots(a, into)
      }
      break
    case 'str':
      collectNodeRoots(e.parts, into)
      break
    case 'list':
      for (const item of e.items) collectExprRoots(item, into)
      break
    case 'range':
      collectExprRoots(e.from, into)
      collectExprRoots(e.to, into)
      break
    case 'map':
      for (const [, v] of e.entries) collectExprRoots(v, into)
      break
    case 'op':
      collectExprRoots(e.a, into)
      if (e.b !== null) collectExprRoots(e.b, into)
      break
    case 'lit':
      break
  }
}

/**
 * Every variable name a compiled template can read or write (`context`, `input`, `util`, `stageVariables`, its own
 * `#set` / `#foreach` names), macros included. VTL has no dynamic variable lookup, so a name absent from this set is
 * never touched by a render: the renderer skips building what only that name needs (e.g. `$context`).
 */
export function referencedRoots(ir: CompiledIr): ReadonlySet<string> {
  const out = new Set<string>()
  collectNodeRoots(ir.nodes, out)
  for (const m of ir.macros.values()) collectNodeRoots(m.body, out)
  return out
}

/** The output of a template made of text only (no reference, directive or macro), else `undefined`. */
export function constantText(ir: CompiledIr): string | undefined {
  if (ir.macros.size !== 0) return undefined
  let text = ''
  for (const n of ir.nodes) {
    if (n.k !== 'text') return undefined
    text += n.v
  }
  return text
}

/** One piece of a flat template: literal text, or the name of a `$stageVariables.name` reference. */
export type FlatPart = string | { readonly stageVariable: string }

/**
 * The pieces of a template made only of text and `$stageVariables.name` references (no directive, no macro, no
 * other variable), else `undefined`. Such a template needs no interpreter state: the renderer concatenates.
 */
export function flatStageVariableParts(ir: CompiledIr): FlatPart[] | undefined {
  if (ir.macros.size !== 0) return undefined
  const parts: FlatPart[] = []
  for (const n of ir.nodes) {
    if (n.k === 'text') parts.push(n.v)
    else if (n.k === 'out' && n.e.id === 'stageVariables' && n.e.path.length === 1 && n.e.path[0]?.k === 'prop') parts.push({ stageVariable: n.e.path[0].name })
    else return undefined
  }
  return parts
}
