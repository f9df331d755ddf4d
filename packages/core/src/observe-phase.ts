import { monotonicMs } from './clock.js'
import { phaseEndChannel, phaseStartChannel, requestEndChannel, type PhaseEndEvent, type PhaseName, type PhaseStartEvent, type PhaseTimes } from './channels.js'
import type { GatewayContext } from './context.js'
import type { Middleware, Next } from './middleware.js'

/**
 * Wraps one step of a chain (authorizer, cache, integration) so that it
 * publishes `phaseStartChannel` / `phaseEndChannel` and, for an observed
 * request, writes its time to the request's `PhaseTimes` (aws-semantics
 * §13.1: `IntegrationLatency` is the integration phase; §13.3
 * `$context.authorizer.latency`). While nobody subscribes the wrapper costs
 * three `hasSubscribers` reads and calls the step as it is. The phase ends
 * when the step calls `next()` (the rest of the chain is not part of it),
 * returns, or throws.
 * @example
 * const chain = compose([observePhase('authorizer', jwtAuthorizer(opts)), observePhase('integration', proxy)])
 */
export function observePhase<S extends object>(phase: PhaseName, step: Middleware<S>): Middleware<S> {
  // The cache phase has no time on the request-end event (§13.1 counts its hits and misses, not its time).
  const timed = phase !== 'cache'
  return function observedPhase(ctx, next) {
    // PhaseTimes exist only on requests whose end is published, so the field is read only while someone listens.
    const times = timed && requestEndChannel.hasSubscribers ? ctx.phaseTimes : undefined
    if (times === undefined && !phaseStartChannel.hasSubscribers && !phaseEndChannel.hasSubscribers) return step(ctx, next)
    return new ObservedPhase(phase, ctx, times).run(step as Middleware<object>, next)
  }
}

/** One observed run of a step: its start time and whether its end was taken (once). */
class ObservedPhase {
  readonly #phase: PhaseName
  readonly #ctx: GatewayContext<object>
  readonly #times: PhaseTimes | undefined
  readonly #start: number
  #ended = false

  constructor(phase: PhaseName, ctx: GatewayContext<object>, times: PhaseTimes | undefined) {
    this.#phase = phase
    this.#ctx = ctx
    this.#times = times
    this.#start = monotonicMs()
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
    const durationMs = monotonicMs() - this.#start
    const times = this.#times
    if (times !== undefined) {
      if (this.#phase === 'integration') times.integrationLatencyMs = durationMs
      else times.authorizerLatencyMs = durationMs
    }
    if (phaseEndChannel.hasSubscribers) phaseEndChannel.publish({ ctx: this.#ctx, phase: this.#phase, durationMs, error } satisfies PhaseEndEvent)
  }
}
