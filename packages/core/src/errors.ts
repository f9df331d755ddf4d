/**
 * Configuration and programmer mistakes (never request rejections: those are
 * gateway responses, see `reject()`). One base class, stable string codes,
 * `instanceof` that holds across duplicate copies of @gw/core (undici's
 * `Symbol.for` brand), and `cause` passed through.
 */
const kGwError = Symbol.for('@gw/core.GwError')

/** Every stable error code of @gw/core. Other packages declare their own unions. */
export type CoreErrorCode = 'GW_CONFIG_INVALID' | 'GW_CORE_NEXT_TWICE' | 'GW_CORE_RESPONSE_SENT' | 'GW_CORE_BODY_CONSUMED'

/**
 * Base class of all @gw configuration/programmer errors.
 * @example
 * try { throttler({ rate: -1 }) } catch (err) { if (err instanceof GwError && err.code === 'GW_CONFIG_INVALID') ... }
 */
export class GwError<C extends string = string> extends Error {
  /** Stable machine-readable code (`GW_<AREA>_<WHAT>`); public API, never renamed. */
  readonly code: C
  /** HTTP status a host framework should use if this escapes into it (500 unless stated). */
  readonly status: number

  constructor(code: C, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'GwError'
    this.code = code
    this.status = options?.status ?? 500
  }

  get [kGwError](): true {
    return true
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kGwError] === true
  }
}

/**
 * Declares one error of a package's catalogue (fastify `createError` style).
 * @example
 * export const NextTwice = defineError('GW_CORE_NEXT_TWICE', 'next() called multiple times')
 * throw NextTwice()
 */
export function defineError<C extends string>(
  code: C,
  defaultMessage: string,
  status = 500
): (message?: string, options?: { cause?: unknown }) => GwError<C> {
  return (message?: string, options?: { cause?: unknown }) =>
    new GwError(code, message ?? defaultMessage, { status, ...(options?.cause === undefined ? {} : { cause: options.cause }) })
}

/** Thrown at construction when options or a definition are invalid. */
export const ConfigInvalid = defineError('GW_CONFIG_INVALID', 'invalid configuration')
/** `next()` was called twice by one middleware. */
export const NextTwice = defineError('GW_CORE_NEXT_TWICE', 'next() called multiple times')
/** The request body stream was already consumed (streamed) and cannot be read again. */
export const BodyConsumed = defineError('GW_CORE_BODY_CONSUMED', 'the request body was already streamed; read it with ctx.readBody() before streaming')
