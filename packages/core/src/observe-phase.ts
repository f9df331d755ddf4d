import { performance } from 'node:perf_hooks'
import { phaseEndChannel, phaseStartChannel, type PhaseEndEvent, type PhaseName, type PhaseStartEvent } from './channels.js'
import type { GatewayContext } from './context.js'
import type { Middleware, Next } from './middleware.js'

/**
 * Wraps one step of a chain (authorizer, cache, integration) so that it
 * publishes `phaseStartChannel` / `phaseEndChannel` (aws-semantics §13.1:
 * `IntegrationLatency` is the integration phase). While nobody subscribes the
 * wrapper costs one `hasSubscribers` read and calls the step as it is. The
 * phase ends when the step calls `next()` (the rest of the chain is not part
 * of it), returns, or throws.
 * @example
 * const chain = compose([observePhase('authorizer', jwtAuthorizer(opts)), observePhase('integration', proxy)])
 */
export function observePhase<S extends object>(phase: PhaseName, step: Middleware<S>): Middleware<S> {
  return function observedPhase(ctx, next) {
    if (!phaseStartChannel.hasSubscribers && !phaseEndChannel.hasSubscribers) return step(ctx, next)
    return new ObservedPhase(phase, ctx).run(step as Middleware<object>, next)
  }
}

/** One observed run of a step: its start time and whether its end was published (once). */
class ObservedPhase {
  readonly #phase: PhaseName
  readonly #ctx: GatewayContext<object>
  readonly #start: number
  #ended = false

  constructor(phase: PhaseName, ctx: GatewayContext<object>) {
    this.#phase = phase
    this.#ctx = ctx
    this.#start = performance.now()
    if (phaseStartChannel.hasSubscribers) phaseStartChannel.publish({ ctx, phase } satisfies PhaseStartEvent)
  }

  run(step: Middleware<object>, next: Next): Promise<void> | void {
    let out: Promise<void> | void
    try {
      out = step(this.#ctx, () => {
        this.#end(undefined)
        return next()
      })
    } catch (err) {
      this.#end(err)
      throw err
    }
    if (out instanceof Promise) {
      return out.then(
        () => this.#end(undefined),
        (err: unknown) => {
          this.#end(err)
          throw err
        }
      )
    }
    this.#end(undefined)
    return out
  }

  #end(error: unknown): void {
    if (this.#ended) return
    this.#ended = true
    if (phaseEndChannel.hasSubscribers) phaseEndChannel.publish({ ctx: this.#ctx, phase: this.#phase, durationMs: performance.now() - this.#start, error } satisfies PhaseEndEvent)
  }
}
