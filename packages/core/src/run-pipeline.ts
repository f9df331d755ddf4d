import type { GatewayContext } from './context.js'
import { GatewayError } from './gateway-error.js'
import { reject } from './gateway-responses.js'
import type { Logger } from './logger.js'
import type { Middleware, Next } from './middleware.js'
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
 * Where a request goes once its pipeline ran: `'answer'`, send the context's
 * response; `'host'`, the host framework's next handler answers (Express
 * `next()`, Koa `await next()`, Fastify's route, Hono's `next()`), carrying
 * the headers the pipeline set.
 */
export type PipelineOutcome = 'answer' | 'host'

/** Where the pipeline runs: inside a host framework (and whether routers fall through), or as the whole server. */
export interface OutcomeSettings {
  /** A host handler runs after the pipeline (Express, Koa, Fastify, Hono); false for `toNodeHandler` / `toFetchHandler`. */
  readonly host: boolean
  /** A pipeline that set `ctx.noRoute` (a router, a gateway) hands the request to the host instead of its 403/404. */
  readonly fallthrough: boolean
}

/** A standalone server: no host after the pipeline. */
export const STANDALONE: OutcomeSettings = Object.freeze({ host: false, fallthrough: false })

const IN_HOST: OutcomeSettings = Object.freeze({ host: true, fallthrough: false })
const IN_HOST_FALLTHROUGH: OutcomeSettings = Object.freeze({ host: true, fallthrough: true })

/** Settings of a pipeline inside a host framework (shared frozen objects, nothing per request). */
export function inHost(fallthrough: boolean): OutcomeSettings {
  return fallthrough ? IN_HOST_FALLTHROUGH : IN_HOST
}

function hasNoHeaders(headers: object): boolean {
  for (const _ in headers) return false
  return true
}

/**
 * The one rule of every adapter, applied after the pipeline settled. An empty
 * 200 nobody chose cannot leave it:
 * 1. the pipeline called its last `next()` and answered nothing (no body, no
 *    error, status untouched): "not mine". Inside a host the host answers;
 *    standalone there is nobody else, so the gateway's "no route" answer
 *    (REST 403 `{"message":"Missing Authentication Token"}`, HTTP API 404
 *    `{"message":"Not Found"}`, aws-semantics §12.1/§12.3);
 * 2. the pipeline neither called `next()` nor set a status, body, error or
 *    header: a middleware bug, answered 500 `{"message":"Internal server
 *    error"}` with one `gw.no_answer` log line;
 * 3. a pipeline with routes that found none (`ctx.noRoute`) goes to the
 *    host only with `fallthrough`; else its 403/404 (rendered here if the
 *    router left it to us);
 * 4. anything else is the pipeline's answer.
 */
export function outcomeOf(ctx: GatewayContext<object>, passed: boolean, settings: OutcomeSettings, logger: Logger): PipelineOutcome {
  if (ctx.noRoute && settings.fallthrough) return 'host'
  if (ctx.error === undefined && ctx.body === null && ctx.status === 200) {
    if (passed && settings.host) return 'host'
    if (passed || ctx.noRoute) {
      ctx.noRoute = true
      reject(ctx, 'MISSING_AUTHENTICATION_TOKEN')
    } else if (hasNoHeaders(ctx.responseHeaders)) {
      logger.error({ event: 'gw.no_answer', requestId: ctx.requestId, method: ctx.method, path: ctx.rawPath, error: 'the pipeline returned without an answer and without calling next()' })
      reject(ctx, 'DEFAULT_5XX', { status: 500, message: 'Internal server error' })
    }
  }
  return 'answer'
}

/**
 * Runs a pipeline under the error boundary (`handlePipelineError`) and
 * decides its outcome (`outcomeOf`). Returns the outcome itself when every
 * middleware finished synchronously (adapters answer in the same tick),
 * else a promise of it; never throws or rejects.
 */
export function runToOutcome(pipeline: Middleware<object>, ctx: GatewayContext<object>, settings: OutcomeSettings, logger: Logger): PipelineOutcome | Promise<PipelineOutcome> {
  let passed = false
  // The chain's last next(): reaching it means every middleware let the request through.
  const last: Next = () => {
    passed = true
    return SETTLED
  }
  let out: unknown
  try {
    out = pipeline(ctx, last)
  } catch (err) {
    handlePipelineError(ctx, err, logger)
    return 'answer'
  }
  if (out instanceof Promise && out !== SETTLED) {
    return out.then(
      () => outcomeOf(ctx, passed, settings, logger),
      (err: unknown) => {
        handlePipelineError(ctx, err, logger)
        return 'answer' as const
      }
    )
  }
  return outcomeOf(ctx, passed, settings, logger)
}

/**
 * Runs a standalone pipeline (no host after it) with the error boundary and
 * `outcomeOf`'s rule. Resolves once `ctx` holds the final response; never rejects.
 */
export function runPipeline(pipeline: Middleware<object>, ctx: GatewayContext<object>, logger: Logger): Promise<void> {
  const out = runToOutcome(pipeline, ctx, STANDALONE, logger)
  return typeof out === 'string' ? SETTLED : out.then(noop)
}

const noop = (): void => {}
