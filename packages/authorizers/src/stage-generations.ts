import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { KeyValueStore, MaybePromise } from '@gw/core'
import { PerStage } from './per-stage.js'

/**
 * How long an instance keeps using the generation it last read before it reads it again: a
 * FlushStageAuthorizersCache on another instance reaches this one within this time (aws-semantics §7).
 */
export const GENERATION_REFRESH_MS = 1000

/** The generation of a stage nobody has flushed (no generation key in the store). */
const FIRST = '0'

/** One stage's generation as this instance knows it. */
export class StageGeneration {
  /** Store key holding the stage's current generation. */
  readonly key: string
  readonly #base: string
  value = FIRST
  /** Key prefix of the stage's entries in this generation. */
  prefix: string
  /** When the store was last asked (`performance.now()` ms); never before the first request. */
  readAt = -Infinity
  /** The read under way: requests that find the generation due share it. Resolves true when the generation moved. */
  pending: Promise<boolean> | undefined

  constructor(base: string) {
    this.#base = base
    this.key = `${base}generation`
    this.prefix = `${base}${FIRST}:`
  }

  /** Moves to `value` (a flush here, or one read from the store). */
  set(value: string): void {
    this.value = value
    this.prefix = `${this.#base}${value}:`
  }
}

/**
 * The generations of one authorizer's result cache on a shared `KeyValueStore`, one per stage (§7: each stage has
 * its own authorizer cache; §10.4). A stage's entries live under `gw:authz:{namespace}:{stage}:{generation}:` and its
 * current generation under `gw:authz:{namespace}:{stage}:generation`. FlushStageAuthorizersCache writes a new
 * generation: the flushing instance uses it at once; every other instance reads the key again at most
 * `GENERATION_REFRESH_MS` after its last read, beside the entry of the request that finds it due, so a cache hit
 * stays one store round trip. Entries of an old generation are never read again and expire by their TTL.
 */
export class StageGenerations {
  readonly #store: KeyValueStore
  readonly #stages: PerStage<StageGeneration>

  constructor(store: KeyValueStore, namespace: string) {
    this.#store = store
    this.#stages = new PerStage((stage) => new StageGeneration(`gw:authz:${namespace}:${stage}:`))
  }

  /** The stage's generation as this instance knows it. */
  of(stage: string): StageGeneration {
    return this.#stages.of(stage)
  }

  /**
   * Reads the stage's generation again when the last read is `GENERATION_REFRESH_MS` old: `undefined` when not due
   * (or when a synchronous store already answered), else a promise of whether it moved. A failed or empty read keeps
   * the generation known (and is tried again when due): a store outage never fails a request.
   */
  refresh(gen: StageGeneration): Promise<boolean> | undefined {
    if (gen.pending !== undefined) return gen.pending
    const now = performance.now()
    if (now - gen.readAt < GENERATION_REFRESH_MS) return undefined
    // The time the read starts: a flush written after it is seen by the read one interval later at the latest.
    gen.readAt = now
    const before = gen.value
    const apply = (value: string | undefined): boolean => {
      gen.pending = undefined
      // No key (never flushed; or a store in an outage that reads as a miss) keeps the generation known. A flush on
      // this instance while the read was under way wins: its generation is the newer one.
      if (value === undefined || value === before || gen.value !== before) return false
      gen.set(value)
      return true
    }
    let read: MaybePromise<string | undefined>
    try {
      read = this.#store.get(gen.key)
    } catch {
      return undefined
    }
    if (!(read instanceof Promise)) {
      apply(read)
      return undefined
    }
    gen.pending = read.then(apply, () => {
      gen.pending = undefined
      return false
    })
    return gen.pending
  }

  /** Starts a new generation of the stage (FlushStageAuthorizersCache): used here at once, written for the other instances. */
  async bump(stage: string): Promise<void> {
    const gen = this.of(stage)
    const value = randomUUID()
    gen.set(value)
    gen.readAt = performance.now()
    // No TTL: the key must outlive every entry of the generations before it.
    await this.#store.set(gen.key, value)
  }
}
