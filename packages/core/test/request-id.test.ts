import { describe, expect, it } from 'vitest'
import { GatewayContext } from '@gw/core'
import { Readable } from 'node:stream'

const source = () => ({ method: 'GET', url: '/', headers: {}, rawHeaders: [], remoteAddress: '127.0.0.1', protocol: 'http' as const, readBody: async () => Buffer.alloc(0), stream: () => Readable.from([]), hasBody: false, signal: new AbortController().signal })

// §12.5: HTTP API request ids (`apigw-requestid`) and `x-amz-apigw-id` are 16 characters ending in `=`.
describe('short request ids (§12.5)', () => {
  it('are 15 base64 characters plus "=", all distinct across several refills of the random pool', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 5_000; i++) {
      const id = new GatewayContext(source(), { flavour: 'HTTP' }).requestId
      expect(id).toMatch(/^[A-Za-z0-9+/]{15}=$/)
      seen.add(id)
    }
    expect(seen.size).toBe(5_000)
  })

  it('REST contexts keep UUID request ids and use the short form for extendedRequestId', () => {
    const ctx = new GatewayContext(source())
    expect(ctx.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(ctx.extendedRequestId).toMatch(/^[A-Za-z0-9+/]{15}=$/)
  })
})

describe('randomId (the pool behind request and trace ids)', () => {
  it('gives fresh bytes in the asked encoding, mixed sizes across refills of its 64 KB pool', async () => {
    const { randomId } = await import('@gw/core')
    const seen = new Set<string>()
    // 12 + 11 + 5 bytes a turn: pool boundaries fall inside every kind of id
    for (let i = 0; i < 6_000; i++) {
      const hex = randomId(12, 'hex')
      expect(hex).toMatch(/^[0-9a-f]{24}$/)
      const b64 = randomId(11, 'base64')
      expect(b64).toMatch(/^[A-Za-z0-9+/]{15}=$/)
      seen.add(hex).add(b64).add(randomId(5, 'hex'))
    }
    // 5-byte ids could collide by chance (1 in ~10^8 per pair here); 12- and 11-byte ones cannot in practice
    expect(seen.size).toBeGreaterThanOrEqual(18_000 - 1)
    // every hex digit shows up in every position of a 12-byte id: the bytes are not a fixed or short pattern
    const firsts = new Set(Array.from({ length: 400 }, () => randomId(12, 'hex')[23]))
    expect(firsts.size).toBe(16)
    // more than the pool holds, or no whole byte count, is refused rather than answered short
    expect(() => randomId(4097, 'hex')).toThrow(RangeError)
    expect(() => randomId(0, 'hex')).toThrow(RangeError)
    expect(() => randomId(1.5, 'base64')).toThrow(RangeError)
    expect(randomId(4096, 'hex')).toHaveLength(8192)
  })
})

describe('randomShortId (x-amz-apigw-id and HTTP API request ids, §12.5)', () => {
  it('is the base64 of 11 fresh bytes, distinct across batches and pool refills, every character varying', async () => {
    const { randomShortId, randomId } = await import('@gw/core')
    const seen = new Set<string>()
    const chars = Array.from({ length: 16 }, () => new Set<string>())
    // 70,000 ids draw 770 KB: past several 64 KB pool refills, and 64-id batches straddle their boundaries
    const unlike: string[] = []
    for (let i = 0; i < 70_000; i++) {
      const id = randomShortId()
      // what Buffer's own encoder writes for the same 11 bytes
      const bytes = Buffer.from(id, 'base64')
      if (bytes.length !== 11 || bytes.toString('base64') !== id) unlike.push(id)
      seen.add(id)
      for (let c = 0; c < 16; c++) chars[c]?.add(id[c] as string)
      if (i % 5 === 0) randomId(7, 'hex')
    }
    expect(unlike).toEqual([])
    expect(seen.size).toBe(70_000)
    // 14 free positions take all 64 characters; the 15th carries 4 bits (16 characters), the 16th is the padding
    for (let c = 0; c < 14; c++) expect(chars[c]?.size).toBe(64)
    expect([...(chars[14] as Set<string>)].sort().join('')).toBe('048AEIMQUYcgkosw')
    expect([...(chars[15] as Set<string>)]).toEqual(['='])
  })
})

describe('randomUuid (REST request ids, §12.5)', () => {
  it('gives distinct version-4 UUIDs in crypto.randomUUID() form across many pool refills, every digit varying', async () => {
    const { randomUuid, randomId } = await import('@gw/core')
    const seen = new Set<string>()
    const digits = Array.from({ length: 36 }, () => new Set<string>())
    for (let i = 0; i < 5_000; i++) {
      const id = randomUuid()
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      seen.add(id)
      for (let c = 0; c < 36; c++) digits[c]?.add(id[c] as string)
      // other ids drawn from the same pool in between: pool boundaries fall inside UUIDs too
      if (i % 3 === 0) randomId(7, 'hex')
    }
    expect(seen.size).toBe(5_000)
    // free hex positions take all 16 digits; the version digit is always 4, the variant digit one of 8, 9, a, b
    for (let c = 0; c < 36; c++) {
      if ([8, 13, 18, 23].includes(c)) expect([...(digits[c] as Set<string>)]).toEqual(['-'])
      else if (c === 14) expect([...(digits[c] as Set<string>)]).toEqual(['4'])
      else if (c === 19) expect([...(digits[c] as Set<string>)].sort()).toEqual(['8', '9', 'a', 'b'])
      else expect(digits[c]?.size).toBe(16)
    }
  })

  it('a client x-amzn-RequestId that is a UUID is kept (lower-cased), anything else replaced', () => {
    const keep = new GatewayContext({ ...source(), headers: { 'x-amzn-requestid': 'A3BB189E-8BF9-4888-9912-ACE4E6543002' } })
    expect(keep.requestId).toBe('a3bb189e-8bf9-4888-9912-ace4e6543002')
    const replaced = new GatewayContext({ ...source(), headers: { 'x-amzn-requestid': 'not-a-uuid' } })
    expect(replaced.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})
