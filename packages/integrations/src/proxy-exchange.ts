import type { GatewayContext } from '@gw/core'
import type { UpstreamCall, UpstreamListener, UpstreamResponse } from './upstream-call.js'

/** Stands for an integration timeout in `upstreamFailure` (undici's own code for a late answer). */
const TIMED_OUT = Object.freeze({ code: 'UND_ERR_HEADERS_TIMEOUT' })

function onTimeout(exchange: ProxyExchange): void {
  // `upstreamFailure` maps the code to INTEGRATION_TIMEOUT (§3.1)
  exchange.call?.abort(Object.assign(new Error('integration timeout'), TIMED_OUT))
}

/** Puts an endpoint's answer on the context. */
export type Answer = (ctx: GatewayContext<object>, res: UpstreamResponse) => void
/** Puts a failed endpoint call on the context (or throws what the pipeline should see). */
export type Failure = (ctx: GatewayContext<object>, err: unknown) => void

/**
 * One proxied request while its endpoint call runs: it hears the answer or
 * the failure, puts it on `ctx` with the integration's `answer` or `failure`,
 * stops the timeout and settles the pipeline's promise. One object per
 * request instead of a response promise and a `then()` chain of closures.
 */
export class ProxyExchange implements UpstreamListener {
  /** The endpoint call, aborted when the timeout fires. */
  call: UpstreamCall | undefined
  readonly #ctx: GatewayContext<object>
  readonly #answer: Answer
  readonly #failure: Failure
  readonly #resolve: () => void
  readonly #reject: (err: unknown) => void
  readonly #timer: NodeJS.Timeout

  constructor(ctx: GatewayContext<object>, answer: Answer, failure: Failure, timeoutMs: number, resolve: () => void, reject: (err: unknown) => void) {
    this.call = undefined
    this.#ctx = ctx
    this.#answer = answer
    this.#failure = failure
    this.#resolve = resolve
    this.#reject = reject
    // A native timer (undici's own timers are coarse, ±0.5 s): §3.1 wants the 504 at timeoutInMillis. It runs until
    // the answer is in (a small body is collected first), so a body that stalls after its headers still times out.
    this.#timer = setTimeout(onTimeout, timeoutMs, this)
  }

  onResponse(res: UpstreamResponse): void {
    this.#settle(this.#answer, res)
  }

  onFailure(err: Error): void {
    this.#settle(this.#failure, err)
  }

  /** Stops the timeout, puts the outcome on the context and settles the pipeline's promise (rejects with what `put` threw). */
  #settle<T>(put: (ctx: GatewayContext<object>, outcome: T) => void, outcome: T): void {
    clearTimeout(this.#timer)
    try {
      put(this.#ctx, outcome)
      this.#resolve()
    } catch (err) {
      this.#reject(err)
    }
  }
}
