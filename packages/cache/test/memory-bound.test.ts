import { Readable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { GatewayContext, MemoryCacheStore, type RequestSource } from '@gw/core'
import { cache } from '@gw/cache'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function measured(): number {
  for (let i = 0; i < 3; i++) gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

const source = (url: string): RequestSource =>
  ({ method: 'GET', url, headers: {}, rawHeaders: [], remoteAddress: '127.0.0.1', protocol: 'http', readBody: () => Promise.resolve(Buffer.alloc(0)), stream: () => Readable.from([]), hasBody: false, signal: new AbortController().signal }) as unknown as RequestSource

describe('§7 memory store bound (lru-cache maxSize in bytes)', () => {
  it('100,000 distinct keys with 2 KB bodies: the measured heap grows by less than the configured byte bound', async () => {
    const maxBytes = 32 * 1024 * 1024
    const before = measured()
    const store = new MemoryCacheStore({ maxBytes })
    const mw = cache({ ttl: 3600, keyParameters: ['method.request.querystring.id'], store })
    const body = 'x'.repeat(2048)
    const handler = (ctx: GatewayContext<object>): Promise<void> => {
      ctx.responseHeaders['content-type'] = 'text/plain'
      ctx.body = body
      return Promise.resolve()
    }
    for (let i = 0; i < 100_000; i++) {
      const ctx = new GatewayContext(source(`/items?id=${String(i)}`))
      await mw(ctx, () => handler(ctx))
    }
    const grown = measured() - before
    // The store is full (the bound was reached, old entries evicted) and the heap holds no more than the bound.
    expect(store.bytes).toBeGreaterThan(maxBytes * 0.95)
    expect(store.bytes).toBeLessThanOrEqual(maxBytes)
    expect(store.size).toBeLessThan(100_000)
    expect(grown, `heap + array buffers grew ${String(grown)} bytes for ${String(store.size)} entries`).toBeLessThan(maxBytes)
    // the latest entries are still served
    const last = new GatewayContext(source('/items?id=99999'))
    let called = false
    await mw(last, () => {
      called = true
      return Promise.resolve()
    })
    expect(called).toBe(false)
    expect(Buffer.from(last.body as Uint8Array).toString()).toBe(body)
  }, 120_000)
})
