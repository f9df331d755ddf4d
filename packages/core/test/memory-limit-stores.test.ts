import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { GwError, MemoryQuotaStore, MemoryRateLimitStore } from '@gw/core'

// A real gc() so heap numbers measure live objects, not garbage.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
function heapUsed(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

describe('MemoryRateLimitStore (§8.1)', () => {
  it('memory stays bounded with 100,000 distinct keys (LRU max 65,536 by default)', () => {
    const before = heapUsed()
    const store = new MemoryRateLimitStore()
    for (let i = 0; i < 100_000; i++) store.take(`client-${i}`, 10, 20)
    expect(store.size).toBe(65_536)
    const afterFirst = heapUsed()
    console.info(`MemoryRateLimitStore: 65,536 live buckets take ${((afterFirst - before) / 1024 / 1024).toFixed(2)} MB`)
    expect(afterFirst - before).toBeLessThan(32 * 1024 * 1024)
    for (let i = 100_000; i < 400_000; i++) store.take(`client-${i}`, 10, 20)
    expect(store.size).toBe(65_536)
    const growth = heapUsed() - afterFirst
    console.info(`MemoryRateLimitStore: heap growth over 300,000 more keys: ${(growth / 1024 / 1024).toFixed(2)} MB`)
    // 300,000 more keys: an unbounded map would grow by tens of MB; bounded, it stays flat.
    expect(growth).toBeLessThan(8 * 1024 * 1024)
  })

  it('a smaller max bounds it too', () => {
    const store = new MemoryRateLimitStore({ max: 1000 })
    for (let i = 0; i < 100_000; i++) store.take(`k${i}`, 1, 1)
    expect(store.size).toBe(1000)
  })

  it.each([
    { name: '§8.1 starts full, one token per take', calls: 3, rate: 1, burst: 2, cost: 1, expected: [true, true, false] },
    { name: '§8.1 cost above burst never passes', calls: 1, rate: 1, burst: 2, cost: 3, expected: [false] },
    { name: '§8.1 burst 0 rejects', calls: 1, rate: 100, burst: 0, cost: 1, expected: [false] }
  ])('$name', ({ calls, rate, burst, cost, expected }) => {
    const store = new MemoryRateLimitStore({ now: () => 0 })
    expect(Array.from({ length: calls }, () => store.take('k', rate, burst, cost).allowed)).toEqual(expected)
  })

  it('§8.1 retryAfterMs is the time to the next token; takeAll reports the blocking index', () => {
    let t = 0
    const store = new MemoryRateLimitStore({ now: () => t })
    store.take('a', 4, 1)
    expect(store.take('a', 4, 1)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 250, blocked: 0 })
    t = 250
    expect(store.takeAll([{ key: 'b', rate: 1, burst: 1 }, { key: 'a', rate: 4, burst: 1 }]).allowed).toBe(true)
    expect(store.takeAll([{ key: 'c', rate: 1, burst: 1 }, { key: 'a', rate: 4, burst: 1 }])).toMatchObject({ allowed: false, blocked: 1 })
    expect(store.take('c', 1, 1, 0).remaining).toBe(1) // c untouched by the failed takeAll
  })

  it('answers synchronously (no promise on the hot path)', () => {
    const store = new MemoryRateLimitStore()
    expect(store.take('k', 1, 1)).not.toBeInstanceOf(Promise)
    expect(store.takeAll([{ key: 'k', rate: 1, burst: 1 }])).not.toBeInstanceOf(Promise)
  })

  it('rejects a bad max with GW_CONFIG_INVALID', () => {
    expect(() => new MemoryRateLimitStore({ max: 0 })).toThrow(GwError)
  })
})

describe('MemoryQuotaStore (§8.2, §9.3)', () => {
  const window = { key: 'k', period: 'P', limit: 2, day: '2026-11-28', ttlMs: 60_000 }
  it('§8.2 exact: the limit passes, the next is refused; daily usage counts admitted requests', () => {
    const store = new MemoryQuotaStore()
    expect([store.consume(window), store.consume(window), store.consume(window)]).toEqual([
      { allowed: true, used: 1, remaining: 1 },
      { allowed: true, used: 2, remaining: 0 },
      { allowed: false, used: 2, remaining: 0 }
    ])
    expect(store.dailyUsage('k', ['2026-11-27', '2026-11-28'])).toEqual([0, 2])
    store.setUsed('k', 'P', -1, 60_000)
    expect(store.used('k', 'P')).toBe(-1)
    expect(store.consume(window)).toEqual({ allowed: true, used: 0, remaining: 2 })
  })

  it('memory stays bounded with 100,000 distinct keys', () => {
    const store = new MemoryQuotaStore({ max: 10_000 })
    for (let i = 0; i < 100_000; i++) store.consume({ ...window, key: `k${i}` })
    expect(store.size).toBe(10_000)
  })
})
