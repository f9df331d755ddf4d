/**
 * What a selection expression reads (§14.2, §4.10): the message parsed as
 * JSON (`undefined` when it is not JSON), `$context` and stage variables.
 */
export interface SelectionInput {
  readonly body: unknown
  readonly context?: Readonly<Record<string, unknown>> | undefined
  readonly stageVariables?: Readonly<Record<string, string>> | null | undefined
}

/** A compiled selection expression: evaluates to the selection key. */
export interface SelectionExpression {
  /** True when the expression reads the message body (a non-JSON message then selects `$default`, §14.2). */
  readonly readsBody: boolean
  /** True when the expression has no variables (`action`, `\$default`). */
  readonly isStatic: boolean
  evaluate(input: SelectionInput): string
}

type Part = string | ((input: SelectionInput) => string)

/** `request.body.a.b[0]` → `['a', 'b', 0]`; `undefined` when it is not a path. */
function bodyPath(path: string): (string | number)[] | undefined {
  const out: (string | number)[] = []
  const re = /([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\.(?=[^.])/gy
  let m: RegExpExecArray | null
  let last = 0
  while ((m = re.exec(path)) !== null) {
    if (m[1] !== undefined) out.push(m[1])
    else if (m[2] !== undefined) out.push(Number(m[2]))
    else if (m[3] !== undefined) out.push(m[3])
    last = re.lastIndex
    if (last === path.length) break
  }
  return last === path.length && out.length > 0 ? out : undefined
}

/** How AWS renders a selected value (§14.2): scalars as text, arrays `[a, b]`, missing `''`. */
export function stringifySelected(value: unknown): string {
  if (value === undefined) return ''
  if (value === null) return 'null'
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `[${value.map(stringifySelected).join(', ')}]`
  if (typeof value === 'object') return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${stringifySelected(v)}`).join(', ')}}`
  return ''
}

function read(value: unknown, path: readonly (string | number)[]): unknown {
  let cur = value
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    if (typeof key === 'number') {
      if (!Array.isArray(cur)) return undefined
      cur = cur[key]
    } else {
      if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined
      cur = (cur as Record<string, unknown>)[key]
    }
  }
  return cur
}

/** One `$…` variable; a reason string when it is not one we can read. */
function variable(name: string): ((input: SelectionInput) => string) | string {
  if (name === 'request.body') return (i) => stringifySelected(i.body)
  if (name.startsWith('request.body.')) {
    const path = bodyPath(name.slice('request.body.'.length))
    if (path === undefined) return `"${name}" is not a JSONPath into the message body`
    return (i) => stringifySelected(read(i.body, path))
  }
  if (name.startsWith('context.')) {
    const path = name.slice('context.'.length).split('.')
    return (i) => stringifySelected(read(i.context, path))
  }
  if (name.startsWith('stageVariables.')) {
    const key = name.slice('stageVariables.'.length)
    return (i) => i.stageVariables?.[key] ?? ''
  }
  return `"$${name}" is not a selection variable ($request.body.X, $context.X, $stageVariables.X)`
}

const BARE = /^[A-Za-z0-9_.[\]']+/

/**
 * Compiles a selection expression once (§14.2): `$request.body.action`,
 * `${request.body.action}`, several variables with text between
 * (`${request.body.service}/${request.body.action}`), static text (`action`),
 * `\$` for a literal `$` (`\$default`). Variables are evaluated once, never
 * recursively. Returns the reason when the expression cannot be compiled.
 * @example
 * const route = compileSelectionExpression('${request.body.service}/${request.body.action}')
 * if (typeof route !== 'string') route.evaluate({ body: { service: 'chat', action: 'join' } }) // 'chat/join'
 */
export function compileSelectionExpression(source: string): SelectionExpression | string {
  const parts: Part[] = []
  let text = ''
  let readsBody = false
  let i = 0
  while (i < source.length) {
    const c = source[i] as string
    if (c === '\\' && source[i + 1] === '$') {
      text += '$'
      i += 2
      continue
    }
    if (c !== '$') {
      text += c
      i++
      continue
    }
    let name: string
    if (source[i + 1] === '{') {
      const end = source.indexOf('}', i + 2)
      if (end === -1) return `unclosed \${ in "${source}"`
      name = source.slice(i + 2, end)
      i = end + 1
    } else {
      const m = BARE.exec(source.slice(i + 1))
      if (m === null) return `a lone $ in "${source}" (write \\$ for a literal $)`
      name = m[0].replace(/\.$/, '')
      i += 1 + name.length
    }
    const fn = variable(name)
    if (typeof fn === 'string') return fn
    if (name.startsWith('request.body')) readsBody = true
    if (text !== '') parts.push(text)
    text = ''
    parts.push(fn)
  }
  if (text !== '') parts.push(text)
  if (parts.length === 0) return 'an empty expression'
  const only = parts.length === 1 ? parts[0] : undefined
  const isStatic = parts.every((p) => typeof p === 'string')
  const literal = isStatic ? parts.join('') : undefined
  return {
    readsBody,
    isStatic,
    evaluate:
      literal !== undefined
        ? () => literal
        : typeof only === 'function'
          ? only
          : (input) => {
              let out = ''
              for (const p of parts) out += typeof p === 'string' ? p : p(input)
              return out
            }
  }
}
