import type { GatewayResponseType } from './gateway-response-types.js'

const kGatewayError = Symbol.for('@gw/core.GatewayError')

/** Extra details of a rejection. */
export interface RejectOptions {
  /** Replaces the type's default message (`$context.error.message`). `null` renders JSON null. */
  message?: string | null
  /**
   * The concrete status of this failure when it differs from the type's
   * default (INTEGRATION_FAILURE: 502 for a malformed proxy response, §12.1
   * note). A customized `statusCode` still wins.
   */
  status?: number
  /** `$context.error.validationErrorString` (§12.2). */
  validationErrorString?: string
  /** Headers to add (e.g. `www-authenticate` on JWT 401s, §12.3). */
  headers?: Readonly<Record<string, string>>
}

/**
 * A request rejection thrown from deep code. On the hot path prefer
 * `return reject(ctx, type)`, which captures no stack. Either ends in the
 * same gateway response. `instanceof` holds across copies of @gw/core.
 * @example
 * throw new GatewayError('INTEGRATION_TIMEOUT')
 */
export class GatewayError extends Error {
  /** The gateway-response type (aws-semantics §12.1). */
  readonly type: GatewayResponseType
  /** Rendering details. */
  readonly options: RejectOptions | undefined

  constructor(type: GatewayResponseType, options?: RejectOptions, cause?: unknown) {
    super(typeof options?.message === 'string' ? options.message : type, cause === undefined ? undefined : { cause })
    this.name = 'GatewayError'
    this.type = type
    this.options = options
  }

  get [kGatewayError](): true {
    return true
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kGatewayError] === true
  }
}
