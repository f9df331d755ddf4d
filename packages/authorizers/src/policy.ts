import { BlockList, isIP } from 'node:net'
import { compileWildcard, matchWildcard, type WildcardPattern } from './wildcard.js'

/**
 * IAM policy documents as API Gateway evaluates them (aws-semantics §10.4
 * authorizer policies, §10.8 identity policies, §10.9 resource policies):
 * explicit Deny wins, then Allow, else implicit deny. Documents are compiled
 * once (wildcards prepared, CIDR lists loaded into a node:net BlockList) and
 * then evaluated per request without allocation-heavy work.
 */

/** One statement of an IAM policy document. */
export interface PolicyStatement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Action?: string | string[]
  NotAction?: string | string[]
  Resource?: string | string[]
  NotResource?: string | string[]
  /** Resource policies only: `"*"` or `{ "AWS": "arn:aws:iam::123456789012:root" | [...] }`. */
  Principal?: '*' | { AWS: string | string[] }
  NotPrincipal?: { AWS: string | string[] }
  /** `{ "IpAddress": { "aws:SourceIp": ["10.0.0.0/8"] } }`: AND across operators and keys, OR across values. */
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>
}

/** An IAM policy document (`Version` is accepted and ignored). */
export interface PolicyDocument {
  Version?: string
  Id?: string
  Statement: PolicyStatement | PolicyStatement[]
}

/** Outcome of evaluating one policy: explicit `Deny`, `Allow`, or `None` (implicit deny). */
export type PolicyDecision = 'Allow' | 'Deny' | 'None'

/** The authenticated caller, for `Principal` matching and principal condition keys. */
export interface PolicyPrincipal {
  /** `arn:aws:iam::123456789012:user/alice`. */
  readonly arn: string
  /** `123456789012`. */
  readonly accountId: string
}

/** Resolves a condition key (lower-case, e.g. `aws:sourceip`) for the current request. */
export type ConditionLookup = (key: string) => string | undefined

/** What one evaluation needs. */
export interface PolicyRequest {
  /** `execute-api:Invoke` unless stated. */
  readonly action: string
  /** The method ARN (§10.1). */
  readonly resource: string
  /** `null` for anonymous callers (only `"*"` principals match them). */
  readonly principal: PolicyPrincipal | null
  readonly condition: ConditionLookup
}

/** A policy prepared for evaluation. */
export interface CompiledPolicy {
  evaluate(request: PolicyRequest): PolicyDecision
  /** Statements, for diagnostics. */
  readonly statementCount: number
  /**
   * True when a statement has a `Condition`: the decision may then depend on the request beyond action, resource
   * and principal, so a caller must not reuse it for another request to the same resource.
   */
  readonly conditional: boolean
}

type Matcher = (request: PolicyRequest) => boolean
interface CompiledStatement {
  readonly deny: boolean
  readonly test: Matcher
  readonly conditional: boolean
}

const ALWAYS: Matcher = () => true

/** Result of compiling an untrusted document: a policy or the reason it is invalid. */
export type CompileResult = { ok: true; policy: CompiledPolicy } | { ok: false; reason: string }

/**
 * Compiles a policy document (object or JSON string). Never throws: an
 * authorizer's malformed output must become a gateway response, and a bad
 * configured policy a GW_CONFIG_INVALID raised by the caller.
 * @example
 * const r = compilePolicy({ Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*' }] })
 */
export function compilePolicy(input: unknown): CompileResult {
  let doc = input
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc) as unknown
    } catch {
      return { ok: false, reason: 'policy is not valid JSON' }
    }
  }
  if (!isObject(doc)) return { ok: false, reason: 'policy must be an object' }
  const raw = doc.Statement
  const list = Array.isArray(raw) ? (raw as unknown[]) : raw === undefined ? undefined : [raw]
  if (list === undefined) return { ok: false, reason: 'policy has no Statement' }
  const statements: CompiledStatement[] = []
  for (let i = 0; i < list.length; i++) {
    const s = compileStatement(list[i])
    if (typeof s === 'string') return { ok: false, reason: `Statement[${i}]: ${s}` }
    statements.push(s)
  }
  const deny = statements.filter((s) => s.deny)
  const allow = statements.filter((s) => !s.deny)
  return {
    ok: true,
    policy: {
      statementCount: statements.length,
      conditional: statements.some((s) => s.conditional),
      evaluate(request) {
        for (let i = 0; i < deny.length; i++) if ((deny[i] as CompiledStatement).test(request)) return 'Deny'
        for (let i = 0; i < allow.length; i++) if ((allow[i] as CompiledStatement).test(request)) return 'Allow'
        return 'None'
      }
    }
  }
}

function compileStatement(input: unknown): CompiledStatement | string {
  if (!isObject(input)) return 'must be an object'
  const effect = input.Effect
  if (effect !== 'Allow' && effect !== 'Deny') return 'Effect must be "Allow" or "Deny"'
  const action = patternList(input.Action, input.NotAction, 'Action', true)
  if (typeof action === 'string') return action
  const resource = patternList(input.Resource, input.NotResource, 'Resource', false)
  if (typeof resource === 'string') return resource
  const principal = compilePrincipal(input.Principal, input.NotPrincipal)
  if (typeof principal === 'string') return principal
  const condition = input.Condition === undefined ? ALWAYS : compileConditions(input.Condition)
  if (typeof condition === 'string') return condition
  const actionM = action
  const resourceM = resource
  return {
    deny: effect === 'Deny',
    test: (r) => actionM(r.action) && resourceM(r.resource) && principal(r) && condition(r),
    conditional: condition !== ALWAYS
  }
}

function strings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value
  return undefined
}

function patternList(positive: unknown, negative: unknown, name: string, ignoreCase: boolean): ((value: string) => boolean) | string {
  if ((positive === undefined) === (negative === undefined)) return `exactly one of ${name} and Not${name} is required`
  const list = strings(positive ?? negative)
  if (list === undefined) return `${positive === undefined ? 'Not' : ''}${name} must be a string or a non-empty array of strings`
  const patterns = list.map((p) => compileWildcard(p, ignoreCase))
  const any = (value: string): boolean => {
    for (let i = 0; i < patterns.length; i++) if (matchWildcard(patterns[i] as WildcardPattern, value)) return true
    return false
  }
  return positive !== undefined ? any : (value) => !any(value)
}

function compilePrincipal(principal: unknown, notPrincipal: unknown): Matcher | string {
  if (principal === undefined && notPrincipal === undefined) return ALWAYS
  if (principal !== undefined && notPrincipal !== undefined) return 'Principal and NotPrincipal are exclusive'
  const value = principal ?? notPrincipal
  let matcher: Matcher
  if (value === '*') matcher = ALWAYS
  else {
    if (!isObject(value)) return 'Principal must be "*" or { "AWS": ... }'
    const aws = value.AWS === '*' ? ['*'] : strings(value.AWS)
    if (aws === undefined) return 'Principal.AWS must be a string or an array of strings'
    matcher = principalMatcher(aws)
  }
  if (notPrincipal !== undefined) return (r) => !matcher(r)
  return matcher
}

const ACCOUNT = /^\d{12}$/
const ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/

function principalMatcher(values: string[]): Matcher {
  if (values.includes('*')) return ALWAYS
  const accounts = new Set<string>()
  const arns = new Set<string>()
  for (const v of values) {
    if (ACCOUNT.test(v)) accounts.add(v)
    else {
      const root = ROOT.exec(v)
      if (root !== null) accounts.add(root[1] as string)
      else arns.add(v)
    }
  }
  return (r) => r.principal !== null && (accounts.has(r.principal.accountId) || arns.has(r.principal.arn))
}

type ValueTest = (actual: string) => boolean
interface OperatorSpec {
  readonly negated: boolean
  readonly build: (values: string[]) => ValueTest | string
}

function ipTest(values: string[]): ValueTest | string {
  const list = new BlockList()
  for (const cidr of values) {
    const slash = cidr.indexOf('/')
    const addr = slash === -1 ? cidr : cidr.slice(0, slash)
    const family = isIP(addr)
    if (family === 0) return `"${cidr}" is not an IP address or CIDR`
    const type = family === 4 ? 'ipv4' : 'ipv6'
    if (slash === -1) list.addAddress(addr, type)
    else {
      const prefix = Number(cidr.slice(slash + 1))
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return `"${cidr}" has an invalid prefix`
      list.addSubnet(addr, prefix, type)
    }
  }
  return (actual) => {
    // IPv4-mapped IPv6 (`::ffff:1.2.3.4`, what a dual-stack socket reports) is matched as IPv4.
    const ip = actual.startsWith('::ffff:') && isIP(actual.slice(7)) === 4 ? actual.slice(7) : actual
    const family = isIP(ip)
    if (family === 0) return false
    return list.check(ip, family === 4 ? 'ipv4' : 'ipv6')
  }
}

function equalsTest(ignoreCase: boolean): (values: string[]) => ValueTest {
  return (values) => {
    const set = new Set(ignoreCase ? values.map((v) => v.toLowerCase()) : values)
    return ignoreCase ? (a) => set.has(a.toLowerCase()) : (a) => set.has(a)
  }
}

function likeTest(values: string[]): ValueTest {
  const patterns = values.map((v) => compileWildcard(v))
  return (a) => patterns.some((p) => matchWildcard(p, a))
}

function numberTest(cmp: (a: number, b: number) => boolean, parse: (s: string) => number): (values: string[]) => ValueTest | string {
  return (values) => {
    const nums = values.map(parse)
    if (nums.some((n) => Number.isNaN(n))) return `invalid value in ${JSON.stringify(values)}`
    return (a) => {
      const x = parse(a)
      return !Number.isNaN(x) && nums.some((n) => cmp(x, n))
    }
  }
}

const parseDate = (s: string): number => (/^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s))

/** Condition operators of §10.9 (and their IAM siblings). `IfExists` variants are derived. */
const OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  stringequals: { negated: false, build: equalsTest(false) },
  stringnotequals: { negated: true, build: equalsTest(false) },
  stringequalsignorecase: { negated: false, build: equalsTest(true) },
  stringnotequalsignorecase: { negated: true, build: equalsTest(true) },
  stringlike: { negated: false, build: likeTest },
  stringnotlike: { negated: true, build: likeTest },
  arnequals: { negated: false, build: equalsTest(false) },
  arnnotequals: { negated: true, build: equalsTest(false) },
  arnlike: { negated: false, build: likeTest },
  arnnotlike: { negated: true, build: likeTest },
  ipaddress: { negated: false, build: ipTest },
  notipaddress: { negated: true, build: ipTest },
  bool: { negated: false, build: (values) => (a) => values.some((v) => v.toLowerCase() === a.toLowerCase()) },
  numericequals: { negated: false, build: numberTest((a, b) => a === b, Number) },
  numericnotequals: { negated: true, build: numberTest((a, b) => a === b, Number) },
  numericlessthan: { negated: false, build: numberTest((a, b) => a < b, Number) },
  numericlessthanequals: { negated: false, build: numberTest((a, b) => a <= b, Number) },
  numericgreaterthan: { negated: false, build: numberTest((a, b) => a > b, Number) },
  numericgreaterthanequals: { negated: false, build: numberTest((a, b) => a >= b, Number) },
  dateequals: { negated: false, build: numberTest((a, b) => a === b, parseDate) },
  datenotequals: { negated: true, build: numberTest((a, b) => a === b, parseDate) },
  datelessthan: { negated: false, build: numberTest((a, b) => a < b, parseDate) },
  datelessthanequals: { negated: false, build: numberTest((a, b) => a <= b, parseDate) },
  dategreaterthan: { negated: false, build: numberTest((a, b) => a > b, parseDate) },
  dategreaterthanequals: { negated: false, build: numberTest((a, b) => a >= b, parseDate) }
}

function compileConditions(input: unknown): Matcher | string {
  if (!isObject(input)) return 'Condition must be an object'
  const tests: Matcher[] = []
  for (const [operatorName, block] of Object.entries(input)) {
    let op = operatorName.toLowerCase()
    if (op.includes(':')) return `Condition operator "${operatorName}": ForAnyValue/ForAllValues are not supported (single-valued keys only)`
    if (op === 'null') {
      if (!isObject(block)) return `Condition.${operatorName} must be an object`
      for (const [key, v] of Object.entries(block)) {
        const wantAbsent = String(v).toLowerCase() === 'true'
        const k = key.toLowerCase()
        tests.push((r) => (r.condition(k) === undefined) === wantAbsent)
      }
      continue
    }
    const ifExists = op.endsWith('ifexists')
    if (ifExists) op = op.slice(0, -'ifexists'.length)
    const spec = OPERATORS[op]
    if (spec === undefined) return `unsupported Condition operator "${operatorName}"`
    if (!isObject(block)) return `Condition.${operatorName} must be an object`
    for (const [key, raw] of Object.entries(block)) {
      const values = (Array.isArray(raw) ? (raw as unknown[]) : [raw]).map((v) => String(v))
      if (values.length === 0) return `Condition.${operatorName}.${key} has no values`
      const test = spec.build(values)
      if (typeof test === 'string') return `Condition.${operatorName}.${key}: ${test}`
      const k = key.toLowerCase()
      const negated = spec.negated
      // IAM: a missing key makes a condition false, except for negated operators
      // (true) and `...IfExists` (true); OR across values, negated = none matches.
      tests.push((r) => {
        const actual = r.condition(k)
        if (actual === undefined) return ifExists || negated
        return negated ? !test(actual) : test(actual)
      })
    }
  }
  if (tests.length === 1) return tests[0] as Matcher
  return (r) => {
    for (let i = 0; i < tests.length; i++) if (!(tests[i] as Matcher)(r)) return false
    return true
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
