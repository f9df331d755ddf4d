import { createHash } from 'node:crypto'
import { ExpiringLru, type KeyValueStore, type MaybePromise } from '@gw/core'
import { LRUCache } from 'lru-cache'
import { parseAuthorizerOutput, type AuthorizerResult, type OutputMode } from './lambda-output.js'
import { PerStage } from './per-stage.js'
import { StageGenerations } from './stage-generations.js'

/**
 * Lambda authorizer result cache (§10.4): the whole result under the
 * identity-source values, for the TTL, apart per stage (§7: a result cached on
 * `prod` is no hit on `dev`, and FlushStageAuthorizersCache empties one
 * stage's results). Without a store it is one in-process LRU of parsed results
 * per stage (`ExpiringLru`, `maxEntries` each: nothing to parse on a hit). With
 * a `KeyValueStore` (e.g. the Redis one of @gw/store-redis) every instance
 * shares it: keys are SHA-256 of the identity values (tokens never stored in
 * clear) under the stage's generation (`StageGenerations`: a flush reaches
 * the other instances within `GENERATION_REFRESH_MS`), values the serialized
 * output, and a local memo avoids re-parsing the same string.
 */
export class ResultCache {
  readonly #store: KeyValueStore | undefined
  readonly #generations: StageGenerations | undefined
  readonly #lrus: PerStage<ExpiringLru<string, AuthorizerResult>>
  readonly #parsed: LRUCache<string, AuthorizerResult>
  readonly #mode: OutputMode

  constructor(store: KeyValueStore | undefined, maxEntries: number, mode: OutputMode, namespace: string) {
    this.#store = store
    this.#generations = store === undefined ? undefined : new StageGenerations(store, namespace)
    this.#lrus = new PerStage(() => new ExpiringLru<string, AuthorizerResult>(maxEntries))
    this.#mode = mode
    this.#parsed = new LRUCache({ max: Math.min(maxEntries, 1024) })
  }

  /** Cache key of one tuple of identity-source values within a stage (order matters, §10.3). */
  key(values: readonly string[]): string {
    return this.keyOf(values.length === 1 ? (values[0] as string) : values.join('\u0000'))
  }

  /** Cache key of a single identity-source value (the same as `key([value])`). */
  keyOf(value: string): string {
    return this.#store === undefined ? value : createHash('sha256').update(value).digest('base64url')
  }

  /**
   * Forgets every result of `stage` (FlushStageAuthorizersCache, §7); other stages keep theirs. Memory: the stage's
   * LRU is emptied. Shared store: the stage moves to a new generation, at once here and within
   * `GENERATION_REFRESH_MS` on the other instances (resolves once the store holds it).
   */
  clear(stage: string): MaybePromise<void> {
    if (this.#generations !== undefined) return this.#generations.bump(stage)
    this.#lrus.peek(stage)?.clear()
  }

  /** The stage's result for `key`, or `undefined`. On a store: one round trip (the generation, when due, is read beside it). */
  get(stage: string, key: string): MaybePromise<AuthorizerResult | undefined> {
    if (this.#generations === undefined) return this.#lrus.of(stage).get(key)
    const gen = this.#generations.of(stage)
    const moved = this.#generations.refresh(gen)
    const entry = this.#read(gen.prefix + key)
    if (moved === undefined) return entry
    // Read under the generation known so far; read again only when a flush elsewhere moved it.
    return Promise.all([entry, moved]).then(([result, changed]) => (changed ? this.#read(gen.prefix + key) : result))
  }

  set(stage: string, key: string, result: AuthorizerResult, serialized: string, ttlMs: number): MaybePromise<void> {
    if (this.#generations === undefined) {
      this.#lrus.of(stage).set(key, result, ttlMs)
      return
    }
    this.#parsed.set(serialized, result)
    return (this.#store as KeyValueStore).set(this.#generations.of(stage).prefix + key, serialized, ttlMs)
  }

  #read(storeKey: string): MaybePromise<AuthorizerResult | undefined> {
    const raw = (this.#store as KeyValueStore).get(storeKey)
    return raw instanceof Promise ? raw.then((r) => this.#decode(r)) : this.#decode(raw)
  }

  #decode(raw: string | undefined): AuthorizerResult | undefined {
    if (raw === undefined) return undefined
    const memo = this.#parsed.get(raw)
    if (memo !== undefined) return memo
    const parsed = parseAuthorizerOutput(raw, this.#mode)
    if (typeof parsed === 'string') return undefined
    this.#parsed.set(raw, parsed.result)
    return parsed.result
  }
}
