import { describe, expect, it } from 'vitest'
import { ExpiringLru } from '@gw/core'

// The bounded map behind the memory quota (§8.2, §9.3) and token-bucket (§8.1) stores and the Lambda authorizer
// result cache (§10.4): LRU eviction, per-entry TTL, in-place updates.
describe('ExpiringLru', () => {
  it('drops the least recently used entry past max; a get or a set makes a key the most recent', () => {
    const m = new ExpiringLru<string, number>(3)
    m.set('a', 1)
    m.set('b', 2)
    m.set('c', 3)
    expect(m.get('a')).toBe(1) // a is now the most recent: b is the oldest
    m.set('d', 4)
    expect(m.get('b')).toBeUndefined()
    expect([m.get('a'), m.get('c'), m.get('d')]).toEqual([1, 3, 4])
    m.set('c', 30) // an update moves c too: a is the oldest now
    m.set('e', 5)
    expect(m.get('a')).toBeUndefined()
    expect(m.get('c')).toBe(30)
    expect(m.size).toBe(3)
  })

  it('serves an entry until its TTL ends, then forgets it; TTL 0 keeps it; a set renews the TTL', async () => {
    const m = new ExpiringLru<string, string>(10)
    m.set('short', 'x', 1)
    m.set('forever', 'y', 0)
    m.set('renewed', 'z', 1)
    m.set('renewed', 'z2', 60_000)
    await new Promise((r) => setTimeout(r, 20))
    expect(m.get('short')).toBeUndefined()
    expect(m.size).toBe(2)
    expect(m.get('forever')).toBe('y')
    expect(m.get('renewed')).toBe('z2')
  })

  it('delete and clear forget keys, also the most recent one', () => {
    const m = new ExpiringLru<string, number>(2)
    m.set('a', 1)
    m.set('b', 2)
    expect(m.delete('b')).toBe(true)
    expect(m.delete('b')).toBe(false)
    expect(m.get('b')).toBeUndefined()
    m.set('b', 3)
    m.set('c', 4) // a is the oldest
    expect(m.get('a')).toBeUndefined()
    m.clear()
    expect(m.size).toBe(0)
    expect(m.get('c')).toBeUndefined()
  })

  it('two keys used in turn (a quota period and day counter) stay served; eviction takes at worst the second oldest', () => {
    const m = new ExpiringLru<string, number>(16)
    for (let i = 0; i < 14; i++) m.set(`old${String(i)}`, i)
    m.set('period', 0, 60_000)
    m.set('day', 0, 60_000)
    for (let i = 1; i <= 100; i++) {
      m.set('period', (m.get('period') ?? 0) + 1, 60_000)
      m.set('day', (m.get('day') ?? 0) + 1, 60_000)
    }
    expect([m.get('period'), m.get('day')]).toEqual([100, 100])
    // 14 new keys push out the 14 old ones, never the two in use
    for (let i = 0; i < 14; i++) m.set(`new${String(i)}`, i)
    expect([m.get('period'), m.get('day'), m.size]).toEqual([100, 100, 16])
    for (let i = 0; i < 14; i++) expect(m.get(`old${String(i)}`)).toBeUndefined()
    m.delete('day') // a deleted key of the pair is forgotten, its partner still found
    expect([m.get('day'), m.get('period')]).toEqual([undefined, 100])
  })

  it('refuses a max below 1', () => {
    expect(() => new ExpiringLru(0)).toThrow(RangeError)
  })

  // MemoryCacheStore's bound (§7): the bytes of its entries, in exact LRU order even where pairs would be on.
  it('with maxBytes drops least recently used entries while the sizes exceed it, an update included', () => {
    const m = new ExpiringLru<string, string>(1000, 100)
    for (const k of ['a', 'b', 'c', 'd']) m.set(k, k, 60_000, undefined, 25)
    expect([m.size, m.bytes]).toEqual([4, 100])
    m.get('a') // a is now the most recent: b is the oldest
    m.set('e', 'e', 60_000, undefined, 25)
    expect([...m.keys()]).toEqual(['c', 'd', 'a', 'e'])
    m.set('d', 'D', 60_000, undefined, 60) // grows by 35: c and a go, the updated d stays
    expect([[...m.keys()], m.bytes]).toEqual([['e', 'd'], 85])
    expect(m.delete('e')).toBe(true)
    expect(m.delete('e')).toBe(false)
    expect(m.bytes).toBe(60)
    m.clear()
    expect([m.size, m.bytes]).toEqual([0, 0])
    expect(() => new ExpiringLru(10, 0)).toThrow(RangeError)
  })
})
