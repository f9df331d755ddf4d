import { createHash } from 'node:crypto'
import { ExpiringLru, type KeyValueStore, type MaybePromise } from '@gw/core'
import { LRUCache } from 'lru-cache'
import { parseAuthorizerOutput, type AuthorizerResult, type OutputMode } from './lambda-output.js'

/**
 * Lambda authorizer result cache (§10.4): the whole result under the
 * identity-source values, for the TTL. Without a store it is an in-process
 * LRU of parsed results (`ExpiringLru`: nothing to parse on a hit). With a `KeyValueStore`
 * (e.g. the Redis one of @gw/store-redis) every instance shares it: keys are
 * SHA-256 of the identity values (tokens never stored in clear), values the
 * serialized output, and a local memo avoids re-parsing the same string.
 */
export class ResultCache {
  readonly #store: KeyValueStore | undefined
  readonly #local: ExpiringLru<string, AuthorizerResult> | undefined
  readonly #parsed: LRUCache<string, AuthorizerResult>
  readonly #mode: OutputMode
  readonly #namespace: string
  #prefix: string
  #generation = 0

  constructor(store: KeyValueStore | undefined, maxEntries: number, mode: OutputMode, namespace: string) {
    this.#store = store
    this.#mode = mode
    this.#namespace = namespace
    this.#prefix = `gw:authz:${namespace}:`
    this.#local = store === undefined ? new ExpiringLru<string, AuthorizerResult>(maxEntries) : undefined
    this.#parsed = new LRUCache({ max: Math.min(maxEntries, 1024) })
  }

  /** Cache key of one tuple of identity-source values (order matters, §10.3). */
  key(values: readonly string[]): string {
    const joined = values.length === 1 ? (values[0] as string) : values.join('\u0000')
    return this.#store === undefined ? joined : this.#prefix + createHash('sha256').update(joined).digest('base64url')
  }

  /** Forgets every result (FlushStageAuthorizersCache): the local LRU is cleared, shared keys move to a new generation. */
  clear(): void {
    this.#local?.clear()
    this.#parsed.clear()
    this.#generation++
    this.#prefix = `gw:authz:${this.#namespace}:${String(this.#generation)}:`
  }

  get(key: string): MaybePromise<AuthorizerResult | undefined> {
    if (this.#local !== undefined) return this.#local.get(key)
    const raw = (this.#store as KeyValueStore).get(key)
    return raw instanceof Promise ? raw.then((r) => this.#decode(r)) : this.#decode(raw)
  }

  set(key: string, result: AuthorizerResult, serialized: string, ttlMs: number): MaybePromise<void> {
    if (this.#local !== undefined) {
      this.#local.set(key, result, ttlMs)
      return
    }
    this.#parsed.set(serialized, result)
    return (this.#store as KeyValueStore).set(key, serialized, ttlMs)
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
