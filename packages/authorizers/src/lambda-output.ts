import { compilePolicy, type CompiledPolicy } from './policy.js'

/** A Lambda authorizer's answer, validated and with its policy compiled (cached as a whole, §10.4). */
export interface AuthorizerResult {
  /** `principalId` (policy responses). */
  readonly principalId: string | undefined
  /** Compiled `policyDocument` (policy responses). */
  readonly policy: CompiledPolicy | undefined
  /** `isAuthorized` (HTTP API simple responses, §10.5). */
  readonly isAuthorized: boolean | undefined
  /** `context` as returned. */
  readonly context: Readonly<Record<string, unknown>>
  /** `usageIdentifierKey` (REST, used as API key when `apiKeySource = AUTHORIZER`). */
  readonly usageIdentifierKey: string | undefined
}

/** How outputs are validated: REST policy, HTTP API policy, HTTP API simple. */
export type OutputMode = 'rest' | 'http' | 'simple'

/** Authorizer result size limit (§10.4: 8 KB). */
export const MAX_RESULT_BYTES = 8192
/** Policy `Resource` strings returned by authorizers (§10.1: 512 characters). */
export const MAX_POLICY_RESOURCE_CHARS = 512

/**
 * Validates an authorizer output (§10.4, §10.5). Returns the normalized
 * result, or a reason string for a malformed one (→ 500
 * AUTHORIZER_CONFIGURATION_ERROR, never cached). `serialized` is what the
 * shared cache stores.
 */
export function parseAuthorizerOutput(output: unknown, mode: OutputMode): { result: AuthorizerResult; serialized: string } | string {
  let value = output
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown
    } catch {
      return 'output is not JSON'
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'output is not an object'
  const out = value as Record<string, unknown>
  const rawContext = out.context ?? {}
  if (typeof rawContext !== 'object' || rawContext === null || Array.isArray(rawContext)) return 'context must be an object'
  const context = rawContext as Record<string, unknown>
  if (mode === 'rest') {
    // REST: context values must be string, number or boolean (§10.4, §18.25).
    for (const v of Object.values(context)) if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return 'context values must be string, number or boolean'
  }
  let serialized: string
  try {
    serialized = JSON.stringify(mode === 'simple' ? { isAuthorized: out.isAuthorized, context } : { principalId: out.principalId, policyDocument: out.policyDocument, context, usageIdentifierKey: out.usageIdentifierKey })
  } catch {
    return 'output is not serializable'
  }
  if (serialized.length > MAX_RESULT_BYTES && Buffer.byteLength(serialized) > MAX_RESULT_BYTES) return 'output exceeds 8 KB'
  if (mode === 'simple') {
    // `isAuthorized` must be a real boolean: "false" is malformed (§10.5, §18.29).
    if (typeof out.isAuthorized !== 'boolean') return 'isAuthorized must be a boolean'
    return { result: { principalId: undefined, policy: undefined, isAuthorized: out.isAuthorized, context, usageIdentifierKey: undefined }, serialized }
  }
  if (typeof out.principalId !== 'string' && typeof out.principalId !== 'number') return 'principalId is missing'
  const doc = out.policyDocument
  if (typeof doc !== 'object' || doc === null) return 'policyDocument is missing'
  const tooLong = resourceTooLong(doc)
  if (tooLong) return `policy Resource longer than ${MAX_POLICY_RESOURCE_CHARS} characters`
  const compiled = compilePolicy(doc)
  if (!compiled.ok) return compiled.reason
  const key = out.usageIdentifierKey
  if (key !== undefined && key !== null && typeof key !== 'string') return 'usageIdentifierKey must be a string'
  return {
    result: { principalId: String(out.principalId), policy: compiled.policy, isAuthorized: undefined, context, usageIdentifierKey: typeof key === 'string' ? key : undefined },
    serialized
  }
}

function resourceTooLong(doc: object): boolean {
  const statements = (doc as { Statement?: unknown }).Statement
  const list: unknown[] = Array.isArray(statements) ? (statements as unknown[]) : [statements]
  for (const s of list) {
    if (typeof s !== 'object' || s === null) continue
    const r = (s as { Resource?: unknown }).Resource
    const rs: unknown[] = Array.isArray(r) ? (r as unknown[]) : [r]
    for (const x of rs) if (typeof x === 'string' && x.length > MAX_POLICY_RESOURCE_CHARS) return true
  }
  return false
}

/** REST: every context value stringified (`1` → `"1"`, `true` → `"true"`, §2.1, §10.4). */
export function stringifyContext(context: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(context)) out[k] = String(v)
  return out
}
