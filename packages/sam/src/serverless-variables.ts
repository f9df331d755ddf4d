import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parse } from 'yaml'
import { asRecord } from './translation.js'

type Path = (string | number)[]

/** What `${opt:…}`, `${env:…}`, `${sls:…}` and `${aws:…}` read. */
export interface VariableSources {
  /** `--stage` (`${opt:stage}`, `${sls:stage}` falls back to provider.stage then 'dev'). */
  stage?: string
  region?: string
  env: NodeJS.ProcessEnv
  accountId: string
  /** Directory `${file(…)}` paths are relative to. */
  dir: string
}

/** A variable that cannot be resolved; `path` is where it is written. */
export class VariableError extends Error {
  readonly path: Path
  constructor(path: Path, message: string) {
    super(message)
    this.path = path
  }
}

const INNERMOST = /\$\{([^${}]+)\}/

/**
 * Resolves the Serverless Framework's variables in a parsed serverless.yml: `${self:a.b}`, `${opt:stage, 'dev'}`,
 * `${env:NAME, fallback}`, `${file(./x.yml):a.b}`, `${sls:stage}`, `${aws:region}` / `${aws:accountId}`, nested
 * (`${self:custom.${opt:stage}}`) and with fallbacks that are literals or other variables. A whole-string variable
 * keeps the referenced value's type (object, number).
 */
export class ServerlessVariables {
  private readonly root: Record<string, unknown>
  private readonly sources: VariableSources
  private readonly resolving: string[] = []
  /** Files read through `${file(…)}`. */
  readonly files: string[] = []

  constructor(root: Record<string, unknown>, sources: VariableSources) {
    this.root = root
    this.sources = sources
  }

  /** One top-level section with every variable resolved (`resources` is CloudFormation and is left alone). */
  section(name: string): unknown {
    return this.walk(this.root[name], [name])
  }

  private walk(value: unknown, path: Path): unknown {
    if (typeof value === 'string') return this.string(value, path)
    if (Array.isArray(value)) return value.map((v, i) => this.walk(v, [...path, i]))
    const record = asRecord(value)
    if (record === undefined) return value
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, this.walk(v, [...path, k])]))
  }

  private string(text: string, path: Path): unknown {
    let current: unknown = text
    for (let guard = 0; typeof current === 'string' && guard < 100; guard++) {
      const m = INNERMOST.exec(current)
      if (m === null) return current
      const value = this.variable((m[1] as string).trim(), path)
      if (m[0] === current) return typeof value === 'string' ? this.string(value, path) : this.walk(value, path)
      if (typeof value === 'object' && value !== null) throw new VariableError(path, `\${${m[1] as string}} is an object and cannot be part of a string`)
      current = current.slice(0, m.index) + String(value) + current.slice(m.index + m[0].length)
    }
    return current
  }

  /** One variable body (`opt:stage, 'dev'`). */
  private variable(body: string, path: Path): unknown {
    const [head, ...fallbacks] = splitTopLevel(body)
    const value = this.lookup((head as string).trim(), path)
    if (value !== undefined) return value
    for (const fallback of fallbacks) {
      const f = fallback.trim()
      const literal = /^'(.*)'$|^"(.*)"$/.exec(f)
      if (literal !== null) return literal[1] ?? literal[2]
      if (/^-?\d+(\.\d+)?$/.test(f)) return Number(f)
      if (f === 'true' || f === 'false') return f === 'true'
      if (f === 'null') return null
      const v = this.lookup(f, path)
      if (v !== undefined) return v
    }
    throw new VariableError(path, `\${${body}} has no value${fallbacks.length === 0 ? " (give a fallback: ${source:name, 'default'})" : ''}`)
  }

  private lookup(address: string, path: Path): unknown {
    const file = /^file\((.+?)\)(?::(.*))?$/.exec(address)
    if (file !== null) return this.file((file[1] as string).trim(), file[2], path)
    const colon = address.indexOf(':')
    if (colon < 0) throw new VariableError(path, `\${${address}}: unknown variable (sources: self, opt, env, file(), sls, aws)`)
    const source = address.slice(0, colon)
    const name = address.slice(colon + 1)
    switch (source) {
      case 'self':
        return this.self(name, path)
      case 'opt':
        return name === 'stage' ? this.sources.stage : name === 'region' ? this.sources.region : undefined
      case 'env':
        return this.sources.env[name]
      case 'sls':
        if (name === 'stage') return this.sources.stage ?? this.self('provider.stage', path) ?? 'dev'
        if (name === 'instanceId') return 'local'
        return undefined
      case 'aws':
        if (name === 'region') return this.sources.region ?? this.self('provider.region', path) ?? 'us-east-1'
        if (name === 'accountId') return this.sources.accountId
        return undefined
      default:
        throw new VariableError(path, `\${${address}}: the ${source} variable source reads AWS or a plugin and is not available locally; give a fallback or use env:`)
    }
  }

  private self(address: string, path: Path): unknown {
    if (this.resolving.includes(address)) throw new VariableError(path, `circular variable: \${self:${[...this.resolving, address].join('} → ${self:')}}`)
    let node: unknown = this.root
    for (const segment of address === '' ? [] : address.split('.')) {
      node = Array.isArray(node) ? node[Number(segment)] : asRecord(node)?.[segment]
      if (node === undefined) return undefined
    }
    this.resolving.push(address)
    try {
      return this.walk(node, address.split('.'))
    } finally {
      this.resolving.pop()
    }
  }

  private file(relative: string, address: string | undefined, path: Path): unknown {
    const absolute = resolve(this.sources.dir, relative)
    if (!existsSync(absolute)) throw new VariableError(path, `\${file(${relative})}: file not found: ${absolute}`)
    if (!/\.(ya?ml|json)$/.test(absolute)) throw new VariableError(path, `\${file(${relative})}: gw reads YAML and JSON files (not JavaScript)`)
    if (!this.files.includes(absolute)) this.files.push(absolute)
    let node: unknown = parse(readFileSync(absolute, 'utf8'))
    for (const segment of address === undefined || address === '' ? [] : address.split('.')) node = asRecord(node)?.[segment]
    return node
  }
}

/** Splits `a, 'b, c', d` at commas outside quotes and parentheses. */
function splitTopLevel(body: string): string[] {
  const out: string[] = []
  let depth = 0
  let quote: string | undefined
  let start = 0
  for (let i = 0; i < body.length; i++) {
    const c = body[i]
    if (quote !== undefined) {
      if (c === quote) quote = undefined
    } else if (c === "'" || c === '"') quote = c
    else if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === ',' && depth === 0) {
      out.push(body.slice(start, i))
      start = i + 1
    }
  }
  out.push(body.slice(start))
  return out
}
