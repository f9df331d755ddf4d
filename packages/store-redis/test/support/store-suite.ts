// The store test suite, run once per backend: stores.test.ts (the shared Redis, standalone) and cluster.test.ts (a
// 3-master Redis Cluster of the test's own). Tests that need a standalone redis-server of their own (INFO
// commandstats of one server, SCRIPT FLUSH) run only on the standalone backend.
import { randomBytes } from 'node:crypto'
import { describe, expect, it, onTestFinished } from 'vitest'
import { Cluster, Redis } from 'ioredis'
import { GwError } from '@gw/core'
import { RedisCacheStore, RedisConnectionStore, RedisKeyValueStore, RedisQuotaStore, RedisRateLimitStore } from '@gw/store-redis'
import { freePort, randomPrefix, RedisProcess } from './redis.js'

/** Where the suite runs. */
export interface StoreBackend {
  /** Options every store of the suite gets (its URL). */
  options(): { url?: string; commandTimeoutMs?: number }
  /** A client for assertions. */
  admin(): Redis | Cluster
  /** Keys matching a glob, by SCAN (every master of a Cluster); never KEYS on a shared Redis. */
  keys(pattern: string): Promise<string[]>
  /** Whether this is one standalone server (tests with their own redis-server run only then). */
  readonly standalone: boolean
}

/** SCAN for `pattern` on one node. */
export async function scanKeys(node: Redis, pattern: string): Promise<string[]> {
  const out: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    out.push(...keys)
    cursor = next
  } while (cursor !== '0')
  return out
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function closing<T extends { close(): Promise<void>; ready(t?: number): Promise<void> }>(store: T): Promise<T> {
  onTestFinished(() => store.close())
  return store.ready().then(() => store)
}

const day = (): string => new Date().toISOString().slice(0, 10)

/** Every store's behaviour on `b`. */
export function storeSuite(b: StoreBackend): void {
  describe('RedisRateLimitStore (§8.1 on Redis time)', () => {
    it('§8.1 buckets start full, exhaust, then refill at the rate', async () => {
      const store = await closing(new RedisRateLimitStore({ ...b.options(), prefix: randomPrefix() }))
      const results: boolean[] = []
      for (let i = 0; i < 4; i++) results.push((await store.take('k', 20, 3)).allowed)
      expect(results).toEqual([true, true, true, false])
      const blocked = await store.take('k', 20, 3)
      expect(blocked.retryAfterMs).toBeGreaterThan(0)
      expect(blocked.retryAfterMs).toBeLessThanOrEqual(50)
      await sleep(120) // 20/s → 2.4 tokens
      expect((await store.take('k', 20, 3)).allowed).toBe(true)
    })

    it('§8.1 a refused take leaves the bucket as it was: state and expiry (the lean script writes first, speculating a full bucket)', async () => {
      const prefix = randomPrefix()
      const store = await closing(new RedisRateLimitStore({ ...b.options(), prefix }))
      const key = `{${prefix}}:tb:slow`
      // 1 token/s, burst 2: a full bucket's take expires its key ~1 s later (when it is full again)
      expect(await store.take('slow', 1, 2)).toMatchObject({ allowed: true, remaining: 1 })
      const afterOne = await b.admin().pttl(key)
      expect(afterOne).toBeGreaterThan(900)
      expect(afterOne).toBeLessThanOrEqual(1002)
      // the second take drains it (not full: decided from the stored state, then written): full again in ~2 s
      expect(await store.take('slow', 1, 2)).toMatchObject({ allowed: true, remaining: 0 })
      const drained = await b.admin().get(key)
      expect(await b.admin().pttl(key)).toBeGreaterThan(1900)
      // refused: the speculative write (a full bucket's state, 1 s expiry) must be undone exactly
      const refused = await store.take('slow', 1, 2)
      expect(refused).toMatchObject({ allowed: false, remaining: 0 })
      expect(refused.retryAfterMs).toBeGreaterThan(900)
      expect(refused.retryAfterMs).toBeLessThanOrEqual(1000)
      expect(await b.admin().get(key)).toBe(drained)
      expect(await b.admin().pttl(key)).toBeGreaterThan(1800)
      // a cost above the burst is refused without touching the bucket
      expect(await store.take('slow', 1, 2, 3)).toMatchObject({ allowed: false, retryAfterMs: 0 })
      expect(await b.admin().get(key)).toBe(drained)
    })

    it('§8.1 a high rate keeps its units: 10,000/s with burst 1 admits at most one take per 0.1 ms of Redis time', async () => {
      const store = await closing(new RedisRateLimitStore({ ...b.options(), prefix: randomPrefix() }))
      const t0 = await b.admin().time()
      let admitted = 0
      for (let i = 0; i < 2000; i++) if ((await store.take('fast', 10_000, 1)).allowed) admitted++
      const t1 = await b.admin().time()
      const elapsedMs = (Number(t1[0]) - Number(t0[0])) * 1000 + (Number(t1[1]) - Number(t0[1])) / 1000
      // never more than the burst plus what the rate refilled meanwhile; and with burst 1, a take finds a token at
      // least every second round trip (a round trip shorter than 0.1 ms wastes at most half of the refill)
      expect(admitted).toBeLessThanOrEqual(1 + Math.ceil(elapsedMs * 10))
      expect(admitted).toBeGreaterThanOrEqual(Math.floor(0.45 * Math.min(2000, elapsedMs * 10)))
    })

    it('§8.1 takeAll is all-or-none: a blocked outer bucket spends no inner token', async () => {
      const store = await closing(new RedisRateLimitStore({ ...b.options(), prefix: randomPrefix() }))
      const buckets = [
        { key: 'method', rate: 0.001, burst: 5 },
        { key: 'account', rate: 0.001, burst: 2 }
      ]
      const outcomes = []
      for (let i = 0; i < 4; i++) outcomes.push(await store.takeAll(buckets))
      expect(outcomes.map((o) => o.allowed)).toEqual([true, true, false, false])
      expect(outcomes[2]?.blocked).toBe(1)
      expect((await store.take('method', 0.001, 5, 0)).remaining).toBe(3)
    })

    it('keys carry the {prefix} hash tag (Redis Cluster: one slot per store)', async () => {
      const prefix = randomPrefix()
      const store = await closing(new RedisRateLimitStore({ ...b.options(), prefix }))
      await store.takeAll([
        { key: 'a', rate: 1, burst: 2 },
        { key: 'b', rate: 1, burst: 2 }
      ])
      const keys = (await b.keys(`{${prefix}}:tb:*`)).sort()
      expect(keys).toEqual([`{${prefix}}:tb:a`, `{${prefix}}:tb:b`])
      expect(await b.admin().pttl(keys[0] ?? '')).toBeGreaterThan(0)
    })

    it('200 concurrent takes on burst 100 admit exactly 100 (atomic Lua)', async () => {
      const store = await closing(new RedisRateLimitStore({ ...b.options(), prefix: randomPrefix() }))
      const decisions = await Promise.all(Array.from({ length: 200 }, async () => store.take('hot', 0.001, 100)))
      expect(decisions.filter((d) => d.allowed)).toHaveLength(100)
    })

    it.runIf(b.standalone)('§8.1 same-tick decisions share one EVALSHA and stay exact: mixed take/takeAll on shared buckets, in order', async () => {
      // an own redis-server, so INFO commandstats counts only this store's calls
      const redis = new RedisProcess(await freePort())
      await redis.start()
      onTestFinished(() => redis.kill())
      const store = await closing(new RedisRateLimitStore({ url: redis.url, prefix: randomPrefix() }))
      const stats = new Redis(redis.url)
      onTestFinished(async () => {
        await stats.quit()
      })
      // load both scripts first (a fresh server answers NOSCRIPT once per script)
      await store.take('warm', 1, 1)
      await store.takeAll([
        { key: 'warm-a', rate: 1, burst: 1 },
        { key: 'warm-b', rate: 1, burst: 1 }
      ])
      await stats.config('RESETSTAT')
      const account = { key: 'account', rate: 0.001, burst: 150 }
      const method = { key: 'method', rate: 0.001, burst: 60 }
      // 300 decisions in one tick: even ones take from both buckets (all-or-none), odd ones from the account alone
      const decisions = await Promise.all(
        Array.from({ length: 300 }, async (_, i) => (i % 2 === 0 ? store.takeAll([method, account]) : store.take(account.key, account.rate, account.burst)))
      )
      const both = decisions.filter((_, i) => i % 2 === 0)
      const accountOnly = decisions.filter((_, i) => i % 2 === 1)
      // in order: pairs (both, account) spend 2 account tokens while the method bucket lasts (60 pairs = 120), then
      // the 30 account tokens left go one per decision of either kind (method still has none after 60)
      expect(both.filter((d) => d.allowed)).toHaveLength(60)
      expect(accountOnly.filter((d) => d.allowed)).toHaveLength(90)
      expect(both[60]).toMatchObject({ allowed: false, blocked: 0 })
      expect(accountOnly.at(-1)).toMatchObject({ allowed: false, blocked: 0, remaining: 0 })
      expect(accountOnly.at(-1)?.retryAfterMs).toBeGreaterThan(0)
      expect((await store.take(account.key, account.rate, account.burst, 0)).remaining).toBe(0)
      // one round trip per decision at most: the 300 went in batches of at most 128 (3 calls), then the last take alone
      const info = await stats.info('commandstats')
      expect(Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1])).toBe(4)
      expect(info).not.toContain('cmdstat_eval:')
    })
  })

  describe('RedisQuotaStore (§8.2, §9.3)', () => {
    it('§8.2 1,500 concurrent consumes with limit 1,000: exactly 1,000 counted', async () => {
      const store = await closing(new RedisQuotaStore({ ...b.options(), prefix: randomPrefix() }))
      const window = { key: 'plan:key', period: 'P1', limit: 1000, day: day(), ttlMs: 60_000 }
      const decisions = await Promise.all(Array.from({ length: 1500 }, async () => store.consume(window)))
      expect(decisions.filter((d) => d.allowed)).toHaveLength(1000)
      expect(await store.used('plan:key', 'P1')).toBe(1000)
      expect(await store.dailyUsage('plan:key', [day(), '1999-01-01'])).toEqual([1000, 0])
    })

    it('§8.2 counters survive a gateway restart (new store, same Redis)', async () => {
      const prefix = randomPrefix()
      const first = new RedisQuotaStore({ ...b.options(), prefix })
      await first.ready()
      const window = { key: 'k', period: 'P', limit: 10, day: day(), ttlMs: 60_000 }
      for (let i = 0; i < 7; i++) await first.consume(window)
      await first.close()
      const second = await closing(new RedisQuotaStore({ ...b.options(), prefix }))
      expect(await second.consume(window)).toEqual({ allowed: true, used: 8, remaining: 2 })
    })

    it('§8.2 UpdateUsage: setUsed may go negative to extend the quota', async () => {
      const store = await closing(new RedisQuotaStore({ ...b.options(), prefix: randomPrefix() }))
      const window = { key: 'k', period: 'P', limit: 1, day: day(), ttlMs: 60_000 }
      expect((await store.consume(window)).allowed).toBe(true)
      expect((await store.consume(window)).allowed).toBe(false)
      await store.setUsed('k', 'P', -2, 60_000)
      const after = [await store.consume(window), await store.consume(window), await store.consume(window), await store.consume(window)]
      expect(after.map((d) => d.allowed)).toEqual([true, true, true, false])
    })

    it.runIf(b.standalone)('§8.2 same-tick consumes share one EVALSHA per owner (one slot) and stay exact, in order', async () => {
      const redis = new RedisProcess(await freePort())
      await redis.start()
      onTestFinished(() => redis.kill())
      const store = await closing(new RedisQuotaStore({ url: redis.url, prefix: randomPrefix() }))
      const stats = new Redis(redis.url)
      onTestFinished(async () => {
        await stats.quit()
      })
      const a = { key: 'plan:a', period: 'P', limit: 100, day: day(), ttlMs: 60_000 }
      const other = { key: 'plan:b', period: 'P', limit: 50, day: day(), ttlMs: 60_000 }
      // load both scripts (a fresh server answers NOSCRIPT once per script): one sent at once, one batched
      const warm = { ...a, key: 'warm' }
      await Promise.all([store.consume(warm), store.consume(warm)])
      await stats.config('RESETSTAT')
      // the first is sent at once (nothing in flight), the other 299 in the same tick: per owner, batches of at most 128
      const decisions = await Promise.all(Array.from({ length: 300 }, async (_, i) => store.consume(i % 2 === 0 ? a : other)))
      const ofA = decisions.filter((_, i) => i % 2 === 0)
      const ofB = decisions.filter((_, i) => i % 2 === 1)
      // in order: the first `limit` of each owner pass, counted 1, 2, 3, …; the rest are refused at the limit
      expect(ofA.slice(0, 100).map((d) => d.used)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
      expect(ofA.slice(0, 100).every((d) => d.allowed)).toBe(true)
      expect(ofA.slice(100)).toEqual(Array.from({ length: 50 }, () => ({ allowed: false, used: 100, remaining: 0 })))
      expect(ofB.filter((d) => d.allowed)).toHaveLength(50)
      expect(ofB.slice(0, 50).every((d) => d.allowed)).toBe(true)
      expect(await store.used('plan:a', 'P')).toBe(100)
      expect(await store.dailyUsage('plan:b', [day()])).toEqual([50])
      const info = await stats.info('commandstats')
      // 1 alone + owner a's 149 in 2 calls + owner b's 150 in 2 calls (then 2 GETs, 1 MGET for the checks)
      expect(Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1])).toBe(5)
      expect(info).not.toContain('cmdstat_eval:')
    })

    it('quota keys share the owner hash tag', async () => {
      const prefix = randomPrefix()
      const store = await closing(new RedisQuotaStore({ ...b.options(), prefix }))
      await store.consume({ key: 'owner1', period: 'P', limit: 5, day: '2026-01-02', ttlMs: 60_000 })
      expect((await b.keys(`${prefix}:q:*`)).sort()).toEqual([`${prefix}:q:{owner1}:d:2026-01-02`, `${prefix}:q:{owner1}:p:P`])
    })
  })

  describe('RedisKeyValueStore, RedisCacheStore, RedisConnectionStore', () => {
    it('key-value: set/get/ttl/delete', async () => {
      const kv = await closing(new RedisKeyValueStore({ ...b.options(), prefix: randomPrefix() }))
      await kv.set('a', 'one')
      await kv.set('b', 'two', 50)
      expect(await kv.get('a')).toBe('one')
      expect(await kv.get('b')).toBe('two')
      await sleep(80)
      expect(await kv.get('b')).toBeUndefined()
      await kv.delete('a')
      expect(await kv.get('a')).toBeUndefined()
    })

    it('cache: binary values round-trip, TTL by Redis, flush(partition) empties only that partition for every instance (§7)', async () => {
      const prefix = randomPrefix()
      const cache = await closing(new RedisCacheStore({ ...b.options(), prefix }))
      const other = await closing(new RedisCacheStore({ ...b.options(), prefix }))
      const bytes = new Uint8Array(randomBytes(64))
      await cache.set('api/prod', 'GET /pets', bytes, 60_000)
      await cache.set('api/prod', 'GET /owners', bytes, 60_000)
      await cache.set('api/dev*', 'GET /pets', bytes, 60_000)
      await cache.set('api/prod', 'GET /short', bytes, 40)
      expect(Buffer.from((await other.get('api/prod', 'GET /pets')) ?? [])).toEqual(Buffer.from(bytes))
      await sleep(80)
      expect(await cache.get('api/prod', 'GET /short')).toBeUndefined()
      await other.flush('api/prod')
      expect(await cache.get('api/prod', 'GET /pets')).toBeUndefined()
      expect(await cache.get('api/prod', 'GET /owners')).toBeUndefined()
      expect(await cache.get('api/dev*', 'GET /pets')).toBeDefined()
      await cache.set('api/prod', 'GET /pets', bytes, 60_000)
      expect(await other.get('api/prod', 'GET /pets')).toBeDefined()
      await cache.delete('api/prod', 'GET /pets')
      expect(await other.get('api/prod', 'GET /pets')).toBeUndefined()
    })

    it('cache: an entry of an older generation is never served, an empty body round-trips (§7)', async () => {
      const prefix = randomPrefix()
      const cache = await closing(new RedisCacheStore({ ...b.options(), prefix }))
      await cache.flush('api/prod') // generation 1
      await cache.set('api/prod', 'GET /old', Buffer.from('written in generation 1'), 60_000)
      for (let i = 0; i < 9; i++) await cache.flush('api/prod') // generation 10: "1\n…" must not pass for "10"
      expect(await cache.get('api/prod', 'GET /old')).toBeUndefined()
      await cache.set('api/prod', 'GET /empty', new Uint8Array(0), 60_000)
      expect(Buffer.from((await cache.get('api/prod', 'GET /empty')) ?? [1])).toEqual(Buffer.alloc(0))
    })

    it('connections: add/get/remove visible from a second instance', async () => {
      const prefix = randomPrefix()
      const a = await closing(new RedisConnectionStore({ ...b.options(), prefix }))
      const other = await closing(new RedisConnectionStore({ ...b.options(), prefix }))
      await a.add('R0oXAdfD0kwCH6w=', '{"instance":"a"}', 60_000)
      expect(await other.get('R0oXAdfD0kwCH6w=')).toBe('{"instance":"a"}')
      await other.remove('R0oXAdfD0kwCH6w=')
      expect(await a.get('R0oXAdfD0kwCH6w=')).toBeUndefined()
    })
  })

  describe('script cache and options', () => {
    it.runIf(b.standalone)('EVALSHA falls back to EVAL after SCRIPT FLUSH (own redis-server)', async () => {
      const server = new RedisProcess(await freePort())
      await server.start()
      onTestFinished(() => server.kill())
      const store = await closing(new RedisRateLimitStore({ url: server.url, prefix: randomPrefix() }))
      expect((await store.take('k', 0.001, 2)).allowed).toBe(true)
      const direct = new Redis(server.url)
      await direct.script('FLUSH')
      direct.disconnect()
      expect((await store.take('k', 0.001, 2)).allowed).toBe(true)
      expect((await store.take('k', 0.001, 2)).allowed).toBe(false)
      expect(store.stats.errors).toBe(0)
    })

    it.each([
      { name: 'prefix with braces', options: { prefix: '{x}' } },
      { name: 'unknown onStoreError', options: { onStoreError: 'retry' } },
      { name: 'non-redis URL', options: { url: 'http://127.0.0.1:6379' } },
      { name: 'client that is not ioredis', options: { client: {} } }
    ])('rejects $name with GW_CONFIG_INVALID', ({ options }) => {
      expect(() => new RedisRateLimitStore(options as never)).toThrow(GwError)
      try {
        new RedisRateLimitStore(options as never)
      } catch (err) {
        expect((err as GwError).code).toBe('GW_CONFIG_INVALID')
      }
    })
  })
}
