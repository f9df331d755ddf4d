import { describe, expect, it } from 'vitest'
import { GwError, MemoryCacheStore, MemoryConnectionStore, MemoryKeyValueStore } from '@gw/core'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('bounded memory stores (lru-cache)', () => {
  it.each([
    ['MemoryKeyValueStore', () => new MemoryKeyValueStore({ max: 100 }), (s: MemoryKeyValueStore, i: number) => s.set(`k${i}`, 'v')],
    ['MemoryConnectionStore', () => new MemoryConnectionStore({ max: 100 }), (s: MemoryConnectionStore, i: number) => s.add(`c${i}`, '{}', 60_000)],
    ['MemoryCacheStore', () => new MemoryCacheStore({ max: 100 }), (s: MemoryCacheStore, i: number) => s.set('p', `${i}`, new Uint8Array(4), 60_000)]
  ] as const)('%s keeps at most max entries after 10,000 writes', (_name, make, write) => {
    const store = make() as { size: number }
    for (let i = 0; i < 10_000; i++) (write as (s: unknown, i: number) => void)(store, i)
    expect(store.size).toBe(100)
  })

  it.each([
    ['max Infinity', () => new MemoryKeyValueStore({ max: Infinity })],
    ['max 0', () => new MemoryConnectionStore({ max: 0 })],
    ['maxBytes fractional', () => new MemoryCacheStore({ maxBytes: 1.5 })],
    ['unknown option', () => new MemoryKeyValueStore({ ttl: 5 } as never)]
  ])('refuses %s (unbounded or invalid) with GW_CONFIG_INVALID', (_name, make) => {
    expect(make).toThrow(GwError)
    try {
      make()
    } catch (err) {
      expect((err as GwError).code).toBe('GW_CONFIG_INVALID')
    }
  })

  it('KeyValueStore: get/set/delete and per-entry TTL', async () => {
    const kv = new MemoryKeyValueStore()
    kv.set('a', '1', 30)
    kv.set('b', '2')
    expect(kv.get('a')).toBe('1')
    await sleep(60)
    expect(kv.get('a')).toBeUndefined()
    expect(kv.get('b')).toBe('2')
    kv.delete('b')
    expect(kv.get('b')).toBeUndefined()
  })

  it('CacheStore: byte bound, entry limit (§7 1,048,576 bytes), flush of one partition (§7 FlushStageCache)', () => {
    const cache = new MemoryCacheStore({ maxBytes: 100_000, maxEntryBytes: 2_000 })
    for (let i = 0; i < 500; i++) cache.set('api/prod', `/r${i}`, new Uint8Array(1_000), 60_000)
    expect(cache.bytes).toBeLessThanOrEqual(100_000)
    expect(cache.size).toBeGreaterThan(50)
    cache.set('api/prod', '/big', new Uint8Array(5_000), 60_000)
    expect(cache.get('api/prod', '/big')).toBeUndefined()
    cache.set('api/dev', '/a', new Uint8Array(10), 60_000)
    cache.flush('api/prod')
    expect(cache.get('api/prod', '/r499')).toBeUndefined()
    expect(cache.get('api/dev', '/a')).toEqual(new Uint8Array(10))
    expect(cache.size).toBe(1)
  })

  it('CacheStore: the least recently used entries go first (a get or a set makes a key recent), bytes are accounted on replace and delete', () => {
    // each entry: 100 value bytes + 2 x 4 key bytes ('p' NUL 'k' n) + 768 overhead = 876; three fit in 3,000
    const cache = new MemoryCacheStore({ maxBytes: 3_000 })
    const v = (n: number, size = 100): Uint8Array => new Uint8Array(size).fill(n)
    cache.set('p', 'k1', v(1), 60_000)
    cache.set('p', 'k2', v(2), 60_000)
    cache.set('p', 'k3', v(3), 60_000)
    expect(cache.bytes).toBe(3 * 876)
    expect(cache.get('p', 'k1')?.[0]).toBe(1) // k2 is the oldest now
    cache.set('p', 'k4', v(4), 60_000)
    expect(cache.get('p', 'k2')).toBeUndefined()
    expect(cache.size).toBe(3)
    cache.set('p', 'k3', v(33, 50), 60_000) // a smaller value for k3, now the most recent: k1 is the oldest
    expect(cache.bytes).toBe(2 * 876 + 826)
    cache.set('p', 'k5', v(5), 60_000)
    cache.set('p', 'k6', v(6), 60_000)
    expect([cache.get('p', 'k1'), cache.get('p', 'k4')]).toEqual([undefined, undefined])
    expect([cache.get('p', 'k3')?.[0], cache.get('p', 'k5')?.[0], cache.get('p', 'k6')?.[0]]).toEqual([33, 5, 6])
    cache.delete('p', 'k6')
    cache.delete('p', 'k6')
    expect(cache.bytes).toBe(876 + 826)
    cache.set('p', 'k5', v(5), 0) // TTL 0: not cached, and the old entry is gone
    expect(cache.get('p', 'k5')).toBeUndefined()
    expect([cache.size, cache.bytes]).toEqual([1, 826])
    const few = new MemoryCacheStore({ max: 2 })
    for (const k of ['a', 'b', 'c']) few.set('p', k, v(1), 60_000)
    expect([few.get('p', 'a'), few.size]).toEqual([undefined, 2])
  })

  it('CacheStore: keys and partitions that join to look alike stay apart (the last joined key is remembered), TTL expiry', async () => {
    const cache = new MemoryCacheStore()
    const v = (n: number): Uint8Array => new Uint8Array([n])
    cache.set('', '', v(1), 60_000)
    cache.set('a', 'b', v(2), 60_000)
    cache.set('a', 'bc', v(3), 60_000)
    cache.set('ab', 'c', v(4), 30)
    for (let round = 0; round < 3; round++) {
      expect(cache.get('', '')?.[0]).toBe(1)
      expect(cache.get('a', 'b')?.[0]).toBe(2)
      expect(cache.get('a', 'b')?.[0]).toBe(2)
      expect(cache.get('a', 'bc')?.[0]).toBe(3)
      expect(cache.get('ab', 'c')?.[0]).toBe(4)
      expect(cache.get('a', '')).toBeUndefined()
    }
    await sleep(60)
    expect(cache.get('ab', 'c')).toBeUndefined()
    cache.flush('a')
    expect(cache.get('a', 'b')).toBeUndefined()
    expect(cache.get('', '')?.[0]).toBe(1)
  })

  it('CacheStore: a cached slice is copied, so it never pins its larger buffer', () => {
    const cache = new MemoryCacheStore()
    const big = new Uint8Array(100_000)
    big[10] = 7
    cache.set('p', 'k', big.subarray(10, 20), 60_000)
    const got = cache.get('p', 'k')
    expect(got?.[0]).toBe(7)
    expect(got?.buffer.byteLength).toBe(10)
    // Buffer#slice is a view, not a copy: a pooled Buffer must be copied too
    const pooled = Buffer.from('abc')
    cache.set('p', 'b', pooled, 60_000)
    expect(cache.get('p', 'b')?.buffer.byteLength).toBe(3)
  })

  it('ConnectionStore: add/get/remove and expiry', async () => {
    const store = new MemoryConnectionStore()
    store.add('R0oXAdfD0kwCH6w=', '{"node":"a"}', 30)
    store.add('other', '{}', 60_000)
    expect(store.get('R0oXAdfD0kwCH6w=')).toBe('{"node":"a"}')
    store.remove('other')
    expect(store.get('other')).toBeUndefined()
    await sleep(60)
    expect(store.get('R0oXAdfD0kwCH6w=')).toBeUndefined()
  })
})
