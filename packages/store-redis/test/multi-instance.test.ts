import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { Agent, request } from 'undici'
import { Redis } from 'ioredis'
import { compose, MemoryQuotaStore, type QuotaStore } from '@gw/core'
import { RedisQuotaStore } from '@gw/store-redis'
import { apiKeys, createUsagePlans } from '@gw/usage-plans'
import { ok, serve } from '../../throttler/test/support/node-server.js'
import { randomPrefix, REDIS_URL, requireRedis } from './support/redis.js'
import { startGateways, stopGateways } from './support/processes.js'

const API_KEY = 'SharedLoadTestKey-0123456789abcdefghij'
const agent = new Agent({ connections: 256, pipelining: 1 })
beforeAll(requireRedis)
afterAll(() => agent.close())

async function get(url: string): Promise<number> {
  const res = await request(url, { headers: { 'x-api-key': API_KEY }, dispatcher: agent })
  await res.body.dump()
  return res.statusCode
}

/** `clients` concurrent loops, each sending `perClient` requests round-robin over `urls`; counts statuses. */
async function load(urls: readonly string[], clients: number, perClient: number): Promise<Map<number, number>> {
  const counts = new Map<number, number>()
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < perClient; i++) {
        const status = await get(`${urls[(c + i) % urls.length] ?? ''}/pets`)
        counts.set(status, (counts.get(status) ?? 0) + 1)
      }
    })
  )
  return counts
}

async function scanAll(pattern: string): Promise<string[]> {
  const client = new Redis(REDIS_URL)
  try {
    const found: string[] = []
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      cursor = next
      found.push(...keys)
    } while (cursor !== '0')
    return found
  } finally {
    client.disconnect()
  }
}

function plans(quotaStore: QuotaStore) {
  return createUsagePlans({
    quotaStore,
    usagePlans: [{ id: 'plan', name: 'Plan', apiStages: [{ apiId: 'a1', stage: 'prod' }], quota: { limit: 1000, period: 'DAY' } }],
    apiKeys: [{ name: 'shared', value: API_KEY, usagePlanIds: ['plan'] }]
  })
}

describe('quota exact under concurrency (§8.2)', () => {
  it.each([
    { name: '§8.2 memory store, one gateway', redis: false },
    { name: '§8.2 Redis store, one gateway', redis: true }
  ])('$name: 200 concurrent clients, quota 1,000 → exactly 1,000 pass over real HTTP', async ({ redis }) => {
    const prefix = randomPrefix()
    const store = redis ? new RedisQuotaStore({ url: REDIS_URL, prefix }) : new MemoryQuotaStore()
    if (store instanceof RedisQuotaStore) {
      await store.ready()
      onTestFinished(() => store.close())
    }
    const app = await serve(compose([apiKeys(plans(store), { apiId: 'a1', stage: 'prod' }), ok]))
    onTestFinished(() => app.close())
    const counts = await load([app.url], 200, 7) // 1,400 requests
    expect(counts.get(200)).toBe(1000)
    expect(counts.get(429)).toBe(400)
    expect([...counts.keys()].sort()).toEqual([200, 429])
    if (redis) {
      // §9.1 hashed keys: Redis key names carry the key id, never the value.
      const names = await scanAll(`${prefix}:*`)
      expect(names.length).toBeGreaterThan(0)
      expect(names.join('\n')).not.toContain(API_KEY)
    }
  })

  it('§8.2 4 gateway processes on one Redis, quota 1,000: exactly 1,000 pass in total', async () => {
    const gateways = await startGateways(4, { MODE: 'quota', REDIS_URL, GW_PREFIX: randomPrefix(), API_KEY, QUOTA: '1000' })
    onTestFinished(() => stopGateways(gateways))
    const counts = await load(
      gateways.map((g) => g.url),
      200,
      7
    )
    expect(counts.get(200)).toBe(1000)
    expect(counts.get(429)).toBe(400)
  })
})

describe('rate across instances (§8.1 on Redis time)', () => {
  it('§8.1 rate 100/s, burst 100, 10 s from 4 processes: admitted within 2 % of 1,100', async () => {
    const gateways = await startGateways(4, { MODE: 'rate', REDIS_URL, GW_PREFIX: randomPrefix(), RATE: '100', BURST: '100' })
    onTestFinished(() => stopGateways(gateways))
    const urls = gateways.map((g) => g.url)
    let admitted = 0
    let rejected = 0
    const started = performance.now()
    const deadline = started + 10_000
    await Promise.all(
      Array.from({ length: 32 }, async (_, c) => {
        let i = c
        while (performance.now() < deadline) {
          const status = await get(`${urls[i++ % urls.length] ?? ''}/pets`)
          if (status === 200) admitted++
          else if (status === 429) rejected++
          else throw new Error(`unexpected status ${status}`)
        }
      })
    )
    console.info(`rate test: admitted ${admitted} (target 1,100, ${(((admitted - 1100) / 1100) * 100).toFixed(2)} %), rejected ${rejected}`)
    // The offered load must exceed the rate, so the limit (not the load generator) decided.
    expect((admitted + rejected) / 10).toBeGreaterThan(120)
    expect(rejected).toBeGreaterThan(0)
    expect(Math.abs(admitted - 1100) / 1100).toBeLessThanOrEqual(0.02)
  }, 40_000)
})
