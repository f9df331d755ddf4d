import { describe, expect, it, onTestFinished } from 'vitest'
import { Agent, request } from 'undici'
import { compose } from '@gw/core'
import { RedisKeyValueStore, RedisQuotaStore, RedisRateLimitStore } from '@gw/store-redis'
import { throttler } from '@gw/throttler'
import { ok, serve } from '../../throttler/test/support/node-server.js'
import { captureLogger, freePort, randomPrefix, RedisProcess } from './support/redis.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function statuses(url: string, agent: Agent, n: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const started = performance.now()
    const res = await request(`${url}/pets`, { dispatcher: agent })
    await res.body.dump()
    // An outage must not stall requests (no offline queue, fail fast).
    expect(performance.now() - started).toBeLessThan(1000)
    out.push(res.statusCode)
  }
  return out
}

/** An own redis-server, a RedisRateLimitStore on it in `mode`, a real HTTP gateway throttling with it, a client. */
async function throttledGateway(mode: 'failOpen' | 'failClosed' | 'local', rateLimit: number, burstLimit: number) {
  const redis = new RedisProcess(await freePort())
  await redis.start()
  onTestFinished(() => redis.kill())
  const { logger, events } = captureLogger()
  const store = new RedisRateLimitStore({ url: redis.url, prefix: randomPrefix(), onStoreError: mode, logger })
  await store.ready()
  onTestFinished(() => store.close())
  const app = await serve(compose([throttler({ rateLimit, burstLimit, store }), ok]))
  onTestFinished(() => app.close())
  const agent = new Agent({ connections: 16 })
  onTestFinished(() => agent.close())
  return { redis, store, app, agent, events }
}

const ok5 = [200, 200, 200, 200, 200]
const ok5then429 = [...ok5, 429, 429]

describe('Redis outage mid-run (kill and restart redis-server)', () => {
  it.each([{ mode: 'failOpen' as const }, { mode: 'failClosed' as const }, { mode: 'local' as const }])(
    '$mode: killed and restarted under 16 concurrent clients, every response is a 200 or the §8.3 429, then recovers',
    async ({ mode }) => {
      const { redis, store, app, agent, events } = await throttledGateway(mode, 1000, 1000)
      const bodies = new Map<string, number>()
      let stop = false
      const clients = Array.from({ length: 16 }, async () => {
        while (!stop) {
          const res = await request(`${app.url}/pets`, { dispatcher: agent })
          const key = `${res.statusCode} ${await res.body.text()}`
          bodies.set(key, (bodies.get(key) ?? 0) + 1)
        }
      })
      await sleep(150)
      await redis.kill()
      await sleep(300)
      await redis.start()
      await store.ready(5000)
      await sleep(150)
      stop = true
      await Promise.all(clients)
      const allowedBodies = new Set(['200 {"ok":true}', '429 {"message":"Too Many Requests"}'])
      for (const key of bodies.keys()) expect(allowedBodies).toContain(key)
      expect(store.stats.errors).toBeGreaterThan(0)
      expect(store.stats.degraded).toBe(false)
      expect(events.map((e) => e.event)).toEqual(['gw.store_error', 'gw.store_recovered'])
      if (mode === 'failClosed') expect(bodies.get('429 {"message":"Too Many Requests"}')).toBeGreaterThan(0)
    },
    20_000
  )


  it.each([
    { name: "failOpen admits everything while Redis is down", mode: 'failOpen' as const, during: [200, 200, 200, 200, 200, 200, 200] },
    { name: 'failClosed rejects with 429 while Redis is down', mode: 'failClosed' as const, during: [429, 429, 429, 429, 429, 429, 429] },
    { name: 'local falls back to an in-memory bucket (burst 5) while Redis is down', mode: 'local' as const, during: ok5then429 }
  ])('$name; never crashes; Redis decides again after restart without a gateway restart', async ({ mode, during }) => {
    const { redis, store, app, agent, events } = await throttledGateway(mode, 0.001, 5)

    // 1. Redis up: the shared bucket decides (3 of 5 tokens spent).
    expect(await statuses(app.url, agent, 3)).toEqual([200, 200, 200])

    // 2. Redis killed mid-run.
    await redis.kill()
    expect(await statuses(app.url, agent, 7)).toEqual(during)
    expect(store.stats.degraded).toBe(true)
    expect(store.stats.errors).toBe(7)
    expect(events.filter((e) => e.event === 'gw.store_error')).toHaveLength(1) // once per outage, not per request
    expect(events[0]).toMatchObject({ event: 'gw.store_error', store: 'RedisRateLimitStore', mode })

    // 3. Restarted (empty, no persistence): the client reconnects by itself; a full Redis bucket decides.
    await redis.start()
    await store.ready(5000)
    expect(await statuses(app.url, agent, 7)).toEqual(ok5then429)
    expect(store.stats.degraded).toBe(false)
    expect(events.map((e) => e.event)).toEqual(['gw.store_error', 'gw.store_recovered'])
  }, 20_000)

  it('a Redis that stops answering (SIGSTOP) trips the watchdog: pending decisions fall back instead of hanging, then it recovers', async () => {
    const redis = new RedisProcess(await freePort())
    await redis.start()
    onTestFinished(async () => {
      redis.resume()
      await redis.kill()
    })
    const { logger, events } = captureLogger()
    const store = new RedisRateLimitStore({ url: redis.url, prefix: randomPrefix(), onStoreError: 'failOpen', commandTimeoutMs: 200, logger })
    await store.ready()
    onTestFinished(() => store.close())
    expect((await store.take('k', 0.001, 1)).allowed).toBe(true)
    redis.pause()
    const started = performance.now()
    const decision = await store.take('k', 0.001, 1) // would be refused by Redis; failOpen admits
    expect(decision.allowed).toBe(true)
    expect(performance.now() - started).toBeLessThan(1500)
    expect(events[0]).toMatchObject({ event: 'gw.store_error', mode: 'failOpen' as const })
    redis.resume()
    await store.ready(5000)
    expect((await store.take('k', 0.001, 1)).allowed).toBe(false) // Redis decides again (bucket still empty)
    expect(store.stats.degraded).toBe(false)
  }, 20_000)

  it.each([
    // `after`: Redis restarts empty; the requests admitted during the outage are added back (issue #15: an outage
    // never refills a quota), so failOpen's 3 and local's 2 leave the quota of 2 used up.
    { name: 'failOpen admits (and remembers what it admitted)', mode: 'failOpen' as const, allowed: [true, true, true], after: { allowed: false, used: 3, remaining: 0 } },
    { name: 'failClosed answers Limit Exceeded', mode: 'failClosed' as const, allowed: [false, false, false], after: { allowed: true, used: 1, remaining: 1 } },
    { name: 'local counts in-process (limit 2)', mode: 'local' as const, allowed: [true, true, false], after: { allowed: false, used: 2, remaining: 0 } }
  ])('quota store outage: $name; management calls throw GW_STORE_UNAVAILABLE', async ({ mode, allowed, after }) => {
    const redis = new RedisProcess(await freePort())
    await redis.start()
    onTestFinished(() => redis.kill())
    const { logger } = captureLogger()
    const store = new RedisQuotaStore({ url: redis.url, prefix: randomPrefix(), onStoreError: mode, logger })
    await store.ready()
    onTestFinished(() => store.close())
    const window = { key: 'k', period: 'P', limit: 2, day: '2026-11-28', ttlMs: 60_000 }
    await redis.kill()
    const decisions = []
    for (let i = 0; i < 3; i++) decisions.push(await store.consume(window))
    expect(decisions.map((d) => d.allowed)).toEqual(allowed)
    await expect(store.used('k', 'P')).rejects.toMatchObject({ code: 'GW_STORE_UNAVAILABLE', status: 503 })
    await redis.start()
    await store.ready(5000)
    expect(await store.consume(window)).toEqual(after)
  }, 20_000)

  it('key-value store: misses during the outage (failOpen), GW_STORE_UNAVAILABLE with failClosed', async () => {
    const redis = new RedisProcess(await freePort())
    await redis.start()
    onTestFinished(() => redis.kill())
    const open = new RedisKeyValueStore({ url: redis.url, prefix: randomPrefix(), onStoreError: 'failOpen', logger: captureLogger().logger })
    const closed = new RedisKeyValueStore({ url: redis.url, prefix: randomPrefix(), onStoreError: 'failClosed', logger: captureLogger().logger })
    await Promise.all([open.ready(), closed.ready()])
    onTestFinished(async () => {
      await open.close()
      await closed.close()
    })
    await open.set('a', '1')
    await redis.kill()
    expect(await open.get('a')).toBeUndefined()
    await expect(closed.get('a')).rejects.toMatchObject({ code: 'GW_STORE_UNAVAILABLE' })
    expect(open.stats.errors).toBe(1)
  }, 20_000)
})
