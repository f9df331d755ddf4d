// The store test suite on Redis Cluster: three masters of the test's own on loopback ports, joined with
// `redis-cli --cluster create`, stores connected through a `redis+cluster://` seed URL. Every script of the stores
// touches the keys of one hash tag (one slot), so a CROSSSLOT refusal would fail these tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Cluster, Redis } from 'ioredis'
import { RedisQuotaStore, RedisRateLimitStore } from '@gw/store-redis'
import { RedisClusterProcess } from './support/cluster.js'
import { randomPrefix } from './support/redis.js'
import { scanKeys, storeSuite } from './support/store-suite.js'

const cluster = new RedisClusterProcess()
let admin: Cluster

beforeAll(async () => {
  await cluster.start()
  admin = cluster.client()
}, 60_000)
afterAll(async () => {
  await admin?.quit()
  await cluster.stop()
})

describe('on a 3-master Redis Cluster', () => {
  storeSuite({
    // a loaded test machine may hold a reply past the default 1 s watchdog; the suite checks exact counts, not outages
    options: () => ({ url: cluster.url, commandTimeoutMs: 10_000 }),
    admin: () => admin,
    keys: async (pattern) => (await Promise.all(admin.nodes('master').map((node: Redis) => scanKeys(node, pattern)))).flat(),
    standalone: false
  })

  it('the cluster has three masters sharing all 16384 slots', async () => {
    const slots = (await admin.cluster('SLOTS')) as [number, number, ...unknown[]][]
    expect(admin.nodes('master')).toHaveLength(3)
    expect(slots.reduce((n, [from, to]) => n + to - from + 1, 0)).toBe(16384)
  })

  it('a store created from one seed node finds the others; stores of different prefixes land on different slots', async () => {
    const one = `redis+cluster://127.0.0.1:${String(cluster.ports[0])}`
    const prefixes = Array.from({ length: 6 }, () => randomPrefix())
    const stores = prefixes.map((prefix) => new RedisRateLimitStore({ url: one, prefix }))
    try {
      await Promise.all(stores.map((s) => s.ready()))
      for (const s of stores) expect((await s.takeAll([{ key: 'a', rate: 1, burst: 2 }, { key: 'b', rate: 1, burst: 2 }])).allowed).toBe(true)
      const slots = new Set(await Promise.all(prefixes.map(async (p) => (await admin.cluster('KEYSLOT', `{${p}}:tb:a`)))))
      expect(slots.size).toBeGreaterThan(1)
    } finally {
      await Promise.all(stores.map((s) => s.close()))
    }
  })

  it('quota counters of one key stay in one slot (day and period keys share the owner hash tag)', async () => {
    const prefix = randomPrefix()
    const store = new RedisQuotaStore({ url: cluster.url, prefix })
    try {
      await store.ready()
      const window = { key: 'plan:key', period: 'P', limit: 3, day: '2026-01-02', ttlMs: 60_000 }
      const decisions = await Promise.all(Array.from({ length: 5 }, async () => store.consume(window)))
      expect(decisions.filter((d) => d.allowed)).toHaveLength(3)
      const keys = (await Promise.all(admin.nodes('master').map((node: Redis) => scanKeys(node, `${prefix}:q:*`)))).flat()
      expect(keys).toHaveLength(2)
      const slots = await Promise.all(keys.map(async (k) => (await admin.cluster('KEYSLOT', k))))
      expect(new Set(slots).size).toBe(1)
    } finally {
      await store.close()
    }
  })
})
