import { performance } from 'node:perf_hooks'
import { GatewayError } from '@gw/core'
import { DefineHost, ForeachHost } from './host-objects.js'
import type { Expr, Macro, Node, Ref } from './ir.js'
import { NullObject, isPlainObject, javaEquals, javaList, javaString, setOwn, truthy } from './java-values.js'
import { callMethod, getIndex, getProperty, type InputSource } from './methods.js'
import { OverrideTwice, RenderLimit } from './errors.js'

/** Limits of one render (validated by compileTemplate). */
export interface RenderLimits {
  readonly maxIterations: number
  readonly timeoutMs: number
  readonly maxOutputLength: number
  readonly maxMacroDepth: number
}

/** Mutable state of one render. */
export interface RenderState {
  readonly vars: Map<string, unknown>
  readonly input: InputSource
  readonly macros: ReadonlyMap<string, Macro>
  readonly limits: RenderLimits
  /** The override maps of §4.7 (`requestOverride`, its `header`/`querystring`/`path`, `responseOverride`, its `header`). */
  readonly overrideTargets: readonly object[]
  /** `target + '\u0000' + key` of each override already set; created on the first override. */
  overridesSet: Set<string> | undefined
  readonly deadline: number
  steps: number
  depth: number
  breaking: boolean
}

const CHECK_EVERY = 1023

/** Ends the render with API_CONFIGURATION_ERROR (500 `{"message":"Internal server error"}`); `cause` names the limit. */
export function fail(cause: Error): never {
  throw new GatewayError('API_CONFIGURATION_ERROR', undefined, cause)
}

function tick(st: RenderState): void {
  if ((++st.steps & CHECK_EVERY) === 0 && performance.now() > st.deadline) {
    fail(RenderLimit(`mapping template exceeded its ${st.limits.timeoutMs} ms time limit`))
  }
}

function checkLength(st: RenderState, s: string): string {
  if (s.length > st.limits.maxOutputLength) fail(RenderLimit(`mapping template output exceeded ${st.limits.maxOutputLength} characters`))
  return s
}

/** Renders statements; `st.breaking` is set by `#break`. */
export function renderNodes(nodes: readonly Node[], st: RenderState): string {
  let out = ''
  for (const node of nodes) {
    tick(st)
    switch (node.k) {
      case 'text':
        out += node.v
        break
      case 'out': {
        const value = evalRef(node.e, st)
        out += value instanceof DefineHost ? renderDefine(value, st) : javaString(value)
        break
      }
      case 'set':
        assign(node.target, node.parent, node.last, evalExpr(node.e, st), st)
        break
      case 'if':
        for (const branch of node.branches) {
          if (branch.cond === null || truthy(evalExpr(branch.cond, st))) {
            out += renderNodes(branch.body, st)
            break
          }
        }
        break
      case 'foreach':
        out += renderForeach(node.name, evalExpr(node.from, st), node.body, st)
        break
      case 'break':
        st.breaking = true
        break
      case 'call':
        out += callMacro(node.name, node.args, st)
        break
      case 'define':
        st.vars.set(node.name, new DefineHost(node.body))
        break
    }
    if (out.length > st.limits.maxOutputLength) checkLength(st, out)
    if (st.breaking) break
  }
  return out
}

function enter(st: RenderState): void {
  if (++st.depth > st.limits.maxMacroDepth) fail(RenderLimit(`mapping template nesting exceeded ${st.limits.maxMacroDepth} levels (recursive #macro?)`))
}

function renderDefine(block: DefineHost, st: RenderState): string {
  enter(st)
  const out = renderNodes(block.body, st)
  st.depth--
  return out
}

function renderForeach(name: string, from: unknown, body: readonly Node[], st: RenderState): string {
  const items = Array.isArray(from) ? from : isPlainObject(from) ? Object.values(from) : []
  if (items.length === 0) return ''
  const vars = st.vars
  const prevItem = vars.get(name)
  const prevForeach = vars.get('foreach')
  const prevCount = vars.get('velocityCount')
  const prevHasNext = vars.get('velocityHasNext')
  const state = new ForeachHost()
  vars.set('foreach', state)
  let out = ''
  for (let i = 0; i < items.length; i++) {
    // §4, §15: a #foreach is capped at 1000 iterations.
    if (i >= st.limits.maxIterations) fail(RenderLimit(`#foreach exceeded ${st.limits.maxIterations} iterations (aws-semantics §15)`))
    state.index = i
    state.count = i + 1
    state.first = i === 0
    state.hasNext = i + 1 < items.length
    state.last = !state.hasNext
    vars.set(name, items[i])
    vars.set('velocityCount', i + 1)
    vars.set('velocityHasNext', state.hasNext)
    out += renderNodes(body, st)
    if (st.breaking) {
      st.breaking = false
      break
    }
  }
  vars.set(name, prevItem)
  vars.set('foreach', prevForeach)
  vars.set('velocityCount', prevCount)
  vars.set('velocityHasNext', prevHasNext)
  return out
}

function callMacro(name: string, args: readonly Expr[], st: RenderState): string {
  const macro = st.macros.get(name)
  if (macro === undefined) return ''
  enter(st)
  const values = args.map((a) => evalExpr(a, st))
  const saved = macro.params.map((p) => st.vars.get(p))
  macro.params.forEach((p, i) => st.vars.set(p, values[i]))
  const out = renderNodes(macro.body, st)
  macro.params.forEach((p, i) => st.vars.set(p, saved[i]))
  st.depth--
  st.breaking = false
  return out
}

/** Evaluates `$a.b.c(…)[…]`; stops at the first null (renders nothing, §4.2). */
export function evalRef(ref: Ref, st: RenderState): unknown {
  let value = st.vars.get(ref.id)
  for (const seg of ref.path) {
    if (value === undefined || value === null) return undefined
    if (seg.k === 'prop') value = getProperty(value, seg.name, st.input)
    else if (seg.k === 'index') value = getIndex(value, evalExpr(seg.e, st))
    else {
      tick(st)
      const args = seg.args.map((a) => evalExpr(a, st))
      value = callMethod(value, seg.name, args, st.input)
      if (typeof value === 'string') checkLength(st, value)
    }
  }
  return value
}

/**
 * `#set`. A null right-hand side leaves the target unchanged (Velocity 1.7
 * default). Writes go to own properties of plain objects or in-range list
 * slots; `$context.requestOverride/responseOverride` targets may be set once (§4.7).
 */
function assign(target: Ref, parent: Ref | null, last: Ref['path'][number] | null, value: unknown, st: RenderState): void {
  if (value === undefined || value === null) return
  if (parent === null || last === null) {
    st.vars.set(target.id, value)
    return
  }
  const holder = evalRef(parent, st)
  let key: unknown
  if (last.k === 'prop') key = last.name
  else if (last.k === 'index') key = evalExpr(last.e, st)
  else return
  if (Array.isArray(holder)) {
    if (typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < holder.length) holder[key] = value
    return
  }
  if (!isPlainObject(holder) || (typeof key !== 'string' && typeof key !== 'number')) return
  const name = String(key)
  const which = st.overrideTargets.indexOf(holder)
  if (which !== -1) {
    const id = `${which}\u0000${name}`
    const seen = (st.overridesSet ??= new Set())
    if (seen.has(id)) fail(OverrideTwice(`$context override "${name}" set twice (aws-semantics §4.7)`))
    seen.add(id)
  }
  setOwn(holder, name, value)
}

function num(v: unknown): number | null {
  return typeof v === 'number' ? v : null
}

function arithmetic(op: string, a: unknown, b: unknown): unknown {
  const x = num(a)
  const y = num(b)
  if (x === null || y === null) return undefined
  const ints = Number.isInteger(x) && Number.isInteger(y)
  switch (op) {
    case '+':
      return x + y
    case '-':
      return x - y
    case '*':
      return x * y
    case '/':
      if (y === 0) return undefined
      return ints ? Math.trunc(x / y) : x / y
    case '%':
      return y === 0 ? undefined : x % y
    default:
      return undefined
  }
}

function compare(op: string, a: unknown, b: unknown): boolean {
  const x = num(a)
  const y = num(b)
  if (x === null || y === null) {
    if (typeof a === 'string' && typeof b === 'string') {
      const c = a < b ? -1 : a > b ? 1 : 0
      return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0
    }
    return false
  }
  return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y
}

/** Evaluates an expression. */
export function evalExpr(e: Expr, st: RenderState): unknown {
  switch (e.k) {
    case 'lit':
      return e.v
    case 'ref':
      return evalRef(e, st)
    case 'str':
      return checkLength(st, renderNodes(e.parts, st))
    case 'list':
      return javaList(e.items.map((i) => evalExpr(i, st)))
    case 'range': {
      const from = num(evalExpr(e.from, st))
      const to = num(evalExpr(e.to, st))
      if (from === null || to === null) return undefined
      const size = Math.abs(Math.trunc(to) - Math.trunc(from)) + 1
      if (size > st.limits.maxIterations) fail(RenderLimit(`range [${from}..${to}] exceeds the ${st.limits.maxIterations}-iteration #foreach limit (aws-semantics §15)`))
      const step = to >= from ? 1 : -1
      const out: number[] = []
      for (let i = Math.trunc(from); out.length < size; i += step) out.push(i)
      return javaList(out)
    }
    case 'map': {
      const map = new NullObject()
      for (const [key, value] of e.entries) setOwn(map, key, evalExpr(value, st))
      return map
    }
    case 'op': {
      const op = e.op
      if (op === '&&') return truthy(evalExpr(e.a, st)) && e.b !== null && truthy(evalExpr(e.b, st))
      if (op === '||') return truthy(evalExpr(e.a, st)) || (e.b !== null && truthy(evalExpr(e.b, st)))
      if (op === 'not' || op === '!') return !truthy(evalExpr(e.a, st))
      const a = evalExpr(e.a, st)
      const b = e.b === null ? undefined : evalExpr(e.b, st)
      if (op === 'minus' && e.b === null) return typeof a === 'number' ? -a : undefined
      if (op === '==') return javaEquals(a, b)
      if (op === '!=') return !javaEquals(a, b)
      if (op === '<' || op === '>' || op === '<=' || op === '>=') return compare(op, a, b)
      return arithmetic(op, a, b)
    }
  }
}
