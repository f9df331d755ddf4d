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

  it('refuses a max below 1', () => {
    expect(() => new ExpiringLru(0)).toThrow(RangeError)
  })
})
