import { GwError } from '@gw/core'

/** One management answer: status, JSON (or text) body, AWS's `x-amzn-ErrorType` on errors. */
export interface Reply {
  status: number
  body: unknown
  errorType?: string
  contentType?: string
  headers?: Record<string, string>
}

/** 400 BadRequestException `{"message": ...}`. */
export const bad = (message: string): Reply => ({ status: 400, body: { message }, errorType: 'BadRequestException' })
/** 404 NotFoundException `{"message": ...}`. */
export const notFound = (message: string): Reply => ({ status: 404, body: { message }, errorType: 'NotFoundException' })
/** AWS's empty success of DeleteX / FlushX: 202, no body members. */
export const accepted = (): Reply => ({ status: 202, body: {} })

const ERROR_TYPES: Readonly<Record<number, string>> = { 400: 'BadRequestException', 404: 'NotFoundException', 409: 'ConflictException', 429: 'LimitExceededException' }

/**
 * Runs a registry or gateway management call and shapes its result with `wire`; the GwErrors it throws
 * (GW_USAGE_*, GW_STAGES_*, GW_CONFIG_INVALID) become AWS's error replies (400/404/409 with `x-amzn-ErrorType`).
 */
export async function call<T>(fn: () => T | Promise<T>, wire: (value: T) => unknown, status = 200): Promise<Reply> {
  try {
    return { status, body: wire(await fn()) }
  } catch (err) {
    if (!(err instanceof GwError)) throw err
    const code = err.status === 404 || err.status === 409 || err.status === 429 ? err.status : 400
    return { status: code, body: { message: err.message }, errorType: ERROR_TYPES[code] ?? 'BadRequestException' }
  }
}

/** A string map from a JSON member (values stringified; anything else left out). */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v)
  }
  return out
}

/** The `patchOperations` of an UpdateX body (`[{op, path, value, from}]`). */
export function patchOperations(input: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(input.patchOperations) ? (input.patchOperations as unknown[]).filter((op): op is Record<string, unknown> => typeof op === 'object' && op !== null) : []
}
