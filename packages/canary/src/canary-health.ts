/**
 * Sliding-window 5XX counter of one canary (beyond AWS): `buckets` slots of
 * `windowMs / buckets` each, so memory is fixed and old traffic ages out.
 */
export class CanaryHealth {
  readonly #slotMs: number
  readonly #total: Uint32Array
  readonly #errors: Uint32Array
  readonly #stamp: Float64Array

  constructor(windowMs: number, buckets = 10) {
    this.#slotMs = Math.max(1, Math.floor(windowMs / buckets))
    this.#total = new Uint32Array(buckets)
    this.#errors = new Uint32Array(buckets)
    this.#stamp = new Float64Array(buckets).fill(-1)
  }

  /** Counts one canary response at time `now`. */
  record(status: number, now: number): void {
    const slot = Math.floor(now / this.#slotMs)
    const i = slot % this.#total.length
    if (this.#stamp[i] !== slot) {
      this.#stamp[i] = slot
      this.#total[i] = 0
      this.#errors[i] = 0
    }
    this.#total[i] = (this.#total[i] as number) + 1
    if (status >= 500) this.#errors[i] = (this.#errors[i] as number) + 1
  }

  /** Requests and 5XX responses in the window ending at `now`. */
  totals(now: number): { requests: number; errors: number } {
    const current = Math.floor(now / this.#slotMs)
    const oldest = current - this.#total.length + 1
    let requests = 0
    let errors = 0
    for (let i = 0; i < this.#total.length; i++) {
      const s = this.#stamp[i] as number
      if (s >= oldest && s <= current) {
        requests += this.#total[i] as number
        errors += this.#errors[i] as number
      }
    }
    return { requests, errors }
  }
}
