import type { GatewayContext } from './context.js'
import { GatewayError } from './gateway-error.js'
import { reject } from './gateway-responses.js'
import type { Logger } from './logger.js'
import type { Middleware } from './middleware.js'
import { SETTLED } from './settled.js'

/**
 * Turns anything thrown inside a pipeline into a gateway response: a
 * `GatewayError` renders its type; anything else becomes 500
 * `{"message":"Internal server error"}` (DEFAULT_5XX, so a customized
 * DEFAULT_5XX applies) and one structured log line, never a stack trace to
 * the client.
 */
export function handlePipelineError(ctx: GatewayContext<object>, err: unknown, logger: Logger): void {
  if (err instanceof GatewayError) return reject(ctx, err.type, err.options)
  logger.error({
    event: 'gw.unhandled_error',
    requestId: ctx.requestId,
    method: ctx.method,
    path: ctx.rawPath,
    error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err)
  })
  reject(ctx, 'DEFAULT_5XX', { status: 500, message: 'Internal server error' })
}

/**
 * Runs a pipeline on a context with the error boundary above. Resolves once
 * `ctx` holds the final response; never rejects.
 */
export function runPipeline(pipeline: Middleware<object>, ctx: GatewayContext<object>, logger: Logger): Promise<void> {
  try {
    const out = pipeline(ctx, noNext)
    if (out instanceof Promise && out !== resolved) return out.then(undefined, (err: unknown) => handlePipelineError(ctx, err, logger))
  } catch (err) {
    handlePipelineError(ctx, err, logger)
  }
  return resolved
}

const resolved: Promise<void> = SETTLED
const noNext = (): Promise<void> => resolved
