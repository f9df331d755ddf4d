import { asRecord, type Diagnostics } from './translation.js'
import { str } from './values.js'

/** `AWS::NoValue`: the property is removed (CloudFormation's `!If [c, x, !Ref AWS::NoValue]`). */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue')

/** Pseudo parameters of the local stack (`AWS::Region`, `AWS::AccountId`, `AWS::StackName`). */
export interface PseudoParameters {
  region: string
  accountId: string
  stackName: string
}

/** What the evaluator asks the translator about resources. */
export interface ResourceResolver {
  /** The logical ids that exist (after `Condition`s). */
  has(logicalId: string): boolean
  /** `!Ref LogicalId` of a resource (function name, API id, ...). */
  ref(logicalId: string): unknown
  /** `!GetAtt LogicalId.Attribute`, or undefined when gw does not know the attribute. */
  getAtt(logicalId: string, attribute: string): unknown
}

type Path = (string | number)[]

/**
 * Evaluates CloudFormation intrinsic functions (long form; the short-form tags were turned into it by the parser):
 * Ref, Fn::Sub (both forms), Fn::GetAtt, Fn::Join, Fn::If with Conditions, Fn::FindInMap, Fn::Select, Fn::Split,
 * Fn::Base64, Fn::GetAZs, Fn::Equals / Not / And / Or, and the pseudo parameters. Anything else is an error that
 * names the logical id and the property.
 */
export class Evaluator {
  private readonly diag: Diagnostics
  private readonly parameters: Record<string, unknown>
  private readonly mappings: Record<string, unknown>
  private readonly conditionDefs: Record<string, unknown>
  private readonly conditions = new Map<string, boolean>()
  private readonly evaluating: string[] = []
  private readonly pseudo: PseudoParameters
  resources: ResourceResolver = { has: () => false, ref: () => undefined, getAtt: () => undefined }

  constructor(diag: Diagnostics, template: Record<string, unknown>, overrides: Readonly<Record<string, string>>, pseudo: PseudoParameters) {
    this.diag = diag
    this.pseudo = pseudo
    this.mappings = asRecord(template.Mappings) ?? {}
    this.conditionDefs = asRecord(template.Conditions) ?? {}
    this.parameters = {}
    const declared = asRecord(template.Parameters) ?? {}
    for (const name of Object.keys(overrides)) {
      if (!(name in declared)) diag.fail(name, [], `--parameter-overrides names a parameter the template does not declare (declared: ${Object.keys(declared).join(', ') || 'none'})`, ['Parameters'])
    }
    for (const [name, raw] of Object.entries(declared)) {
      const def = asRecord(raw) ?? {}
      const given = overrides[name] ?? (def.Default === undefined ? undefined : str(def.Default))
      if (given === undefined) diag.fail(name, ['Default'], 'the parameter has no Default: give one with --parameter-overrides', ['Parameters', name])
      const allowed = Array.isArray(def.AllowedValues) ? def.AllowedValues.map(String) : undefined
      if (allowed !== undefined && !allowed.includes(given)) diag.fail(name, ['AllowedValues'], `'${given}' is not one of ${allowed.join(', ')}`, ['Parameters', name])
      const type = typeof def.Type === 'string' ? def.Type : 'String'
      this.parameters[name] = type === 'CommaDelimitedList' || type.startsWith('List<') ? given.split(',').map((s) => s.trim()) : type === 'Number' ? given : given
    }
  }

  /** Whether the named condition holds (Conditions section, evaluated once, cycles refused). */
  condition(name: string, logicalId: string, path: Path): boolean {
    const known = this.conditions.get(name)
    if (known !== undefined) return known
    if (!(name in this.conditionDefs)) this.diag.fail(logicalId, path, `condition '${name}' is not declared in Conditions`)
    if (this.evaluating.includes(`Condition:${name}`)) this.diag.fail(name, [], `circular condition: ${[...this.evaluating, `Condition:${name}`].join(' → ')}`, ['Conditions', name])
    this.evaluating.push(`Condition:${name}`)
    const value = this.truth(this.conditionDefs[name], name, [], ['Conditions', name])
    this.evaluating.pop()
    this.conditions.set(name, value)
    return value
  }

  private truth(value: unknown, logicalId: string, path: Path, root?: Path): boolean {
    const record = asRecord(value)
    const fail = (message: string): never => (root === undefined ? this.diag.fail(logicalId, path, message) : this.diag.fail(logicalId, path, message, root))
    if (record !== undefined && Object.keys(record).length === 1) {
      const [key, arg] = Object.entries(record)[0] as [string, unknown]
      const args = Array.isArray(arg) ? arg : []
      switch (key) {
        case 'Condition':
          return this.condition(String(arg), logicalId, path)
        case 'Fn::Equals': {
          if (args.length !== 2) fail('Fn::Equals takes two values')
          const [a, b] = args.map((x, i) => this.resolveIn(x, logicalId, [...path, key, i], root))
          return JSON.stringify(a) === JSON.stringify(b)
        }
        case 'Fn::Not':
          return !this.truth(args[0], logicalId, [...path, key, 0], root)
        case 'Fn::And':
          return args.every((x, i) => this.truth(x, logicalId, [...path, key, i], root))
        case 'Fn::Or':
          return args.some((x, i) => this.truth(x, logicalId, [...path, key, i], root))
      }
    }
    const resolved = this.resolveIn(value, logicalId, path, root)
    if (resolved === true || resolved === 'true') return true
    if (resolved === false || resolved === 'false') return false
    return fail('a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or a Condition')
  }

  /**
   * The value with every intrinsic evaluated; `AWS::NoValue` removes the property.
   * @throws GwError GW_SAM_INVALID naming `logicalId` and the property path
   */
  resolve(value: unknown, logicalId: string, path: Path): unknown {
    const out = this.resolveIn(value, logicalId, path)
    return out === NO_VALUE ? undefined : out
  }

  private resolveIn(value: unknown, logicalId: string, path: Path, root?: Path): unknown {
    const fail = (at: Path, message: string): never => (root === undefined ? this.diag.fail(logicalId, at, message) : this.diag.fail(logicalId, at, message, root))
    if (Array.isArray(value)) {
      const out: unknown[] = []
      value.forEach((item, i) => {
        const r = this.resolveIn(item, logicalId, [...path, i], root)
        if (r !== NO_VALUE) out.push(r)
      })
      return out
    }
    const record = asRecord(value)
    if (record === undefined) return value
    const keys = Object.keys(record)
    if (keys.length === 1) {
      const key = keys[0] as string
      const arg = record[key]
      const at = [...path, key]
      const list = (n: number, what: string): unknown[] => {
        const r = this.resolveIn(arg, logicalId, at, root)
        if (!Array.isArray(r) || (n > 0 && r.length !== n)) fail(at, `${key} takes ${what}`)
        return r as unknown[]
      }
      if (key === 'Ref') return this.ref(String(arg), logicalId, at, root)
      if (key.startsWith('Fn::')) {
        switch (key) {
          case 'Fn::Sub':
            return this.sub(arg, logicalId, at, root)
          case 'Fn::GetAtt': {
            const parts = typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : (this.resolveIn(arg, logicalId, at, root) as unknown[])
            if (!Array.isArray(parts) || parts.length !== 2 || typeof arg === 'string' && !arg.includes('.')) fail(at, 'Fn::GetAtt takes LogicalId.Attribute or [LogicalId, Attribute]')
            return this.getAtt(String(parts[0]), String(parts[1]), logicalId, at, root)
          }
          case 'Fn::Join': {
            const [sep, items] = list(2, '[delimiter, [values]]')
            if (!Array.isArray(items)) fail(at, 'Fn::Join takes [delimiter, [values]]')
            return (items as unknown[]).map((x) => scalar(x, () => fail(at, 'Fn::Join joins strings'))).join(String(sep))
          }
          case 'Fn::Select': {
            const [index, items] = list(2, '[index, [values]]')
            const i = Number(index)
            if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) fail(at, `Fn::Select index ${String(index)} is out of range`)
            return (items as unknown[])[i]
          }
          case 'Fn::Split': {
            const [sep, text] = list(2, '[delimiter, string]')
            return String(text).split(String(sep))
          }
          case 'Fn::If': {
            const raw = Array.isArray(arg) ? arg : []
            if (raw.length !== 3) fail(at, 'Fn::If takes [condition, valueIfTrue, valueIfFalse]')
            const chosen = this.condition(String(raw[0]), logicalId, [...at, 0]) ? 1 : 2
            return this.resolveIn(raw[chosen], logicalId, [...at, chosen], root)
          }
          case 'Fn::FindInMap': {
            const [map, top, second] = list(3, '[MapName, TopLevelKey, SecondLevelKey]')
            const found = asRecord(asRecord(this.mappings[String(map)])?.[String(top)])?.[String(second)]
            if (found === undefined) fail(at, `Mappings.${String(map)}.${String(top)}.${String(second)} does not exist`)
            return found
          }
          case 'Fn::Base64':
            return Buffer.from(String(this.resolveIn(arg, logicalId, at, root))).toString('base64')
          case 'Fn::GetAZs':
            return ['a', 'b', 'c'].map((z) => `${this.pseudo.region}${z}`)
          case 'Fn::Equals':
          case 'Fn::Not':
          case 'Fn::And':
          case 'Fn::Or':
            return this.truth(record, logicalId, path, root)
          case 'Fn::ImportValue':
            this.diag.warn(logicalId, at, 'Fn::ImportValue reads another stack\'s export, which does not exist locally: the name is used as the value')
            return String(this.resolveIn(arg, logicalId, at, root))
          default:
            return fail(at, `unknown intrinsic function ${key} (gw evaluates Ref, Fn::Sub, Fn::GetAtt, Fn::Join, Fn::If, Fn::FindInMap, Fn::Select, Fn::Split, Fn::Base64, Fn::GetAZs, Fn::Equals/Not/And/Or, Fn::ImportValue)`)
        }
      }
    }
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(record)) {
      const r = this.resolveIn(v, logicalId, [...path, k], root)
      if (r !== NO_VALUE) out[k] = r
    }
    return out
  }

  private ref(name: string, logicalId: string, at: Path, root?: Path): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.pseudo.region
      case 'AWS::AccountId':
        return this.pseudo.accountId
      case 'AWS::StackName':
        return this.pseudo.stackName
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.pseudo.region}:${this.pseudo.accountId}:stack/${this.pseudo.stackName}/00000000-0000-0000-0000-000000000000`
      case 'AWS::Partition':
        return 'aws'
      case 'AWS::URLSuffix':
        return 'amazonaws.com'
      case 'AWS::NotificationARNs':
        return []
      case 'AWS::NoValue':
        return NO_VALUE
    }
    if (Object.hasOwn(this.parameters, name)) return this.parameters[name]
    if (this.resources.has(name)) return this.guard(name, logicalId, at, root, () => this.resources.ref(name))
    return root === undefined
      ? this.diag.fail(logicalId, at, `Ref to '${name}', which is neither a parameter, a pseudo parameter nor a resource of the template`)
      : this.diag.fail(logicalId, at, `Ref to '${name}', which is neither a parameter, a pseudo parameter nor a resource of the template`, root)
  }

  private getAtt(target: string, attribute: string, logicalId: string, at: Path, root?: Path): unknown {
    if (!this.resources.has(target)) {
      return root === undefined ? this.diag.fail(logicalId, at, `Fn::GetAtt on '${target}', which is not a resource of the template`) : this.diag.fail(logicalId, at, `Fn::GetAtt on '${target}', which is not a resource of the template`, root)
    }
    const value = this.guard(target, logicalId, at, root, () => this.resources.getAtt(target, attribute))
    if (value !== undefined) return value
    this.diag.warn(logicalId, at, `gw does not know attribute ${attribute} of ${target}: '${target}.${attribute}' is used as its value`)
    return `${target}.${attribute}`
  }

  /** Runs `fn` for the resource `target`, refusing a reference cycle (A's name refers to B whose name refers to A). */
  private guard(target: string, logicalId: string, at: Path, root: Path | undefined, fn: () => unknown): unknown {
    if (this.evaluating.includes(target)) {
      const message = `circular reference: ${[...this.evaluating, target].join(' → ')}`
      return root === undefined ? this.diag.fail(logicalId, at, message) : this.diag.fail(logicalId, at, message, root)
    }
    this.evaluating.push(target)
    try {
      return fn()
    } finally {
      this.evaluating.pop()
    }
  }

  private sub(arg: unknown, logicalId: string, at: Path, root?: Path): string {
    const fail = (message: string): never => (root === undefined ? this.diag.fail(logicalId, at, message) : this.diag.fail(logicalId, at, message, root))
    let text: unknown = arg
    let vars: Record<string, unknown> = {}
    if (Array.isArray(arg)) {
      if (arg.length !== 2 || asRecord(arg[1]) === undefined) fail('Fn::Sub takes a string or [string, { Var: value }]')
      text = arg[0]
      vars = this.resolveIn(arg[1], logicalId, [...at, 1], root) as Record<string, unknown>
    }
    if (typeof text !== 'string') return fail('Fn::Sub takes a string or [string, { Var: value }]')
    return text.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`
      const name = inner.trim()
      if (Object.hasOwn(vars, name)) return scalar(vars[name], () => fail(`\${${name}} is not a string`))
      const dot = name.indexOf('.')
      const value = dot > 0 && !name.startsWith('AWS::') ? this.getAtt(name.slice(0, dot), name.slice(dot + 1), logicalId, at, root) : this.ref(name, logicalId, at, root)
      return value === NO_VALUE ? '' : scalar(value, () => fail(`\${${name}} is a list; Fn::Sub needs a string`))
    })
  }
}

function scalar(value: unknown, fail: () => never): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  return fail()
}
