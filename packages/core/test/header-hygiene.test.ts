import { describe, expect, it } from 'vitest'
import { withoutHopByHop, rawWithout } from '../src/header-hygiene.js'

// aws-semantics §3.2: hop-by-hop headers and the names Connection lists never reach middleware or an integration.
describe('withoutHopByHop / rawWithout (§3.2)', () => {
  it('returns the same object when there is nothing to drop', () => {
    const headers = { host: 'a', 'x-api-key': 'k' }
    expect(withoutHopByHop(headers)).toBe(headers)
  })

  it('Connection: keep-alive (what HTTP/1.1 clients send) drops only the hop-by-hop headers', () => {
    for (const value of ['keep-alive', 'Keep-Alive', 'KEEP-ALIVE']) {
      const out = withoutHopByHop({ host: 'a', connection: value, 'keep-alive': 'timeout=5', te: 'trailers', 'x-keep': '1' })
      expect({ ...out }).toEqual({ host: 'a', 'x-keep': '1' })
      expect(Object.getPrototypeOf(out)).toBe(null)
      expect(rawWithout(['Host', 'a', 'Connection', value, 'Keep-Alive', 'timeout=5', 'TE', 'trailers', 'X-Keep', '1'], value)).toEqual(['Host', 'a', 'X-Keep', '1'])
    }
  })

  it('names listed by Connection are dropped too, in any case and spacing', () => {
    const out = withoutHopByHop({ host: 'a', connection: 'close,  X-Secret ,x-other', 'x-secret': 's', 'x-other': 'o', close: 'c', 'x-keep': '1' })
    expect({ ...out }).toEqual({ host: 'a', 'x-keep': '1' })
    expect(rawWithout(['Host', 'a', 'X-Secret', 's', 'x-OTHER', 'o', 'close', 'c', 'X-Keep', '1', 'Connection', 'close,  X-Secret ,x-other'], 'close,  X-Secret ,x-other')).toEqual(['Host', 'a', 'X-Keep', '1'])
  })

  it('every hop-by-hop header is dropped without a Connection header', () => {
    const out = withoutHopByHop({ 'transfer-encoding': 'chunked', upgrade: 'h2c', trailer: 'x', 'proxy-connection': 'keep-alive', 'x-keep': '1' })
    expect({ ...out }).toEqual({ 'x-keep': '1' })
  })

  it('a header named like a prototype key is data, kept as any other', () => {
    const out = withoutHopByHop(Object.assign(Object.create(null) as Record<string, string>, { connection: 'x-drop', constructor: 'c', 'x-drop': 'd' }))
    expect({ ...out }).toEqual({ constructor: 'c' })
  })
})
