/**
 * One value per stage, made on the stage's first use (the authorizer result cache keeps each stage apart, §7). A
 * request of the stage used last finds its value by `===` on the stage name (one object per stage in a gateway)
 * without a map lookup: the hot path of a cache hit (issue #21).
 * @example
 * const lrus = new PerStage((stage) => new ExpiringLru<string, string>(1000))
 * lrus.of('prod').set('token', 'result', 60_000)
 */
export class PerStage<T> {
  readonly #make: (stage: string) => T
  readonly #values = new Map<string, T>()
  #lastStage: string | undefined
  #last: T | undefined

  constructor(make: (stage: string) => T) {
    this.#make = make
  }

  /** The stage's value, made now when the stage is new. */
  of(stage: string): T {
    if (stage === this.#lastStage) return this.#last as T
    let value = this.#values.get(stage)
    if (value === undefined) this.#values.set(stage, (value = this.#make(stage)))
    this.#lastStage = stage
    this.#last = value
    return value
  }

  /** The stage's value when the stage has been used, else `undefined` (nothing is made). */
  peek(stage: string): T | undefined {
    return this.#values.get(stage)
  }
}
