import { afterEach, describe, expect, it } from 'vitest'
import { GwError, MemoryRateLimitStore, compose, type GatewayContext, type Middleware } from '@gw/core'
import { methodThrottle, routeThrottle, throttler, type ThrottlerOptions } from '@gw/throttler'
import { makeContext } from './support/context.js'
import { ok, serve } from './support/node-server.js'

let clock = 0
const now = (): number => clock
afterEach(() => {
  clock = 0
})

async function call(mw: Middleware<object>, ctx: GatewayContext<object> = makeContext()): Promise<GatewayContext<object>> {
  await compose([mw, ok])(ctx, () => Promise.resolve())
  return ctx
}

async function admitted(mw: Middleware<object>, n: number, make: () => GatewayContext<object> = () => makeContext()): Promise<number> {
  let passed = 0
  for (let i = 0; i < n; i++) if ((await call(mw, make())).status === 200) passed++
  return passed
}

describe('token buckets (§8.1)', () => {
  it.each([
    { name: '§8.1 buckets start full: burst 3 admits 3 of 5', rate: 1, burst: 3, n: 5, advance: 0, expected: 3 },
    { name: '§8.1 burst 0 admits nothing', rate: 10, burst: 0, n: 3, advance: 0, expected: 0 },
    { name: '§8.1 refill 2/s: 500 ms after emptying admits 1 more', rate: 2, burst: 2, n: 2, advance: 500, expected: 1 },
    { name: '§8.1 fractional rate 0.5/s: 1 s refills half a token, nothing admitted', rate: 0.5, burst: 1, n: 1, advance: 1000, expected: 0 },
    { name: '§8.1 fractional rate 0.5/s: 2 s refill one token', rate: 0.5, burst: 1, n: 1, advance: 2000, expected: 1 },
    { name: '§8.1 refill never exceeds burst', rate: 100, burst: 2, n: 2, advance: 60_000, expected: 2 }
  ])('$name', async ({ rate, burst, n, advance, expected }) => {
    const store = new MemoryRateLimitStore({ now })
    const mw = throttler({ rateLimit: rate, burstLimit: burst, store })
    if (advance > 0) {
      await admitted(mw, n) // empty the bucket first
      clock += advance
      expect(await admitted(mw, 3)).toBe(expected)
    } else expect(await admitted(mw, n)).toBe(expected)
  })

  it('§8.3 REST 429 body, status and AWS headers (THROTTLED)', async () => {
    const mw = throttler({ rateLimit: 1, burstLimit: 1, store: new MemoryRateLimitStore({ now }) })
    await call(mw)
    const ctx = await call(mw)
    expect(ctx.status).toBe(429)
    expect(ctx.body).toBe('{"message":"Too Many Requests"}')
    expect(ctx.responseHeaders['x-amzn-errortype']).toBe('TooManyRequestsException')
    expect(ctx.responseHeaders['retry-after']).toBeUndefined()
    expect(ctx.responseHeaders['ratelimit']).toBeUndefined()
  })

  it('§8.3 HTTP API 429: {"message":"Too Many Requests"} with apigw-requestid, no x-amzn-ErrorType', async () => {
    const mw = throttler({ rateLimit: 1, burstLimit: 0, store: new MemoryRateLimitStore({ now }) })
    const ctx = await call(mw, makeContext({ flavour: 'HTTP' }))
    expect(ctx.status).toBe(429)
    expect(ctx.body).toBe('{"message":"Too Many Requests"}')
    expect(ctx.responseHeaders['apigw-requestid']).toBe(ctx.requestId)
    expect(ctx.responseHeaders['x-amzn-errortype']).toBeUndefined()
  })
})

describe('precedence and levels (§8.1)', () => {
  it('§8.1 tokens are taken from every level or none: the account bucket blocks, the method bucket keeps its tokens', async () => {
    const store = new MemoryRateLimitStore({ now })
    const seen: string[] = []
    const mw = throttler({ name: 'method', rateLimit: 1, burstLimit: 5, account: { rateLimit: 1, burstLimit: 2 }, store, onThrottled: (_ctx, level) => seen.push(level) })
    expect(await admitted(mw, 4)).toBe(2)
    expect(seen).toEqual(['account', 'account'])
    // method bucket: 5 - 2 admitted = 3 left (a 0-cost take reads it)
    expect(store.take('t:method', 1, 5, 0).remaining).toBe(3)
  })

  it('§8.1 the most specific exhausted level is reported first', async () => {
    const seen: string[] = []
    const mw = throttler({
      name: 'method',
      rateLimit: 1,
      burstLimit: 1,
      levels: [{ name: 'stage', rateLimit: 1, burstLimit: 1 }],
      account: { rateLimit: 1, burstLimit: 1 },
      store: new MemoryRateLimitStore({ now }),
      onThrottled: (_ctx, level) => seen.push(level)
    })
    expect(await admitted(mw, 2)).toBe(1)
    expect(seen).toEqual(['method'])
  })

  it.each([
    { name: "key 'ip': each client IP has its own bucket", key: 'ip' as const, a: { ip: '198.51.100.1' }, b: { ip: '198.51.100.2' }, separate: true },
    { name: "key 'apiKey': each x-api-key has its own bucket", key: 'apiKey' as const, a: { headers: { 'x-api-key': 'a'.repeat(30) } }, b: { headers: { 'x-api-key': 'b'.repeat(30) } }, separate: true },
    { name: "key 'route': routes are separate", key: 'route' as const, a: { url: '/pets' }, b: { url: '/owners' }, separate: true },
    { name: 'no key: one shared bucket', key: undefined, a: { ip: '198.51.100.1' }, b: { ip: '198.51.100.2' }, separate: false }
  ])('$name', async ({ key, a, b, separate }) => {
    const mw = throttler({ rateLimit: 1, burstLimit: 1, store: new MemoryRateLimitStore({ now }), ...(key === undefined ? {} : { key }) })
    expect((await call(mw, makeContext(a))).status).toBe(200)
    expect((await call(mw, makeContext(b))).status).toBe(separate ? 200 : 429)
    expect((await call(mw, makeContext(a))).status).toBe(429)
  })

  it("key 'principal' reads the authorizer principalId and a JWT sub", async () => {
    const mw = throttler({ rateLimit: 1, burstLimit: 1, key: 'principal', store: new MemoryRateLimitStore({ now }) })
    const user = (authorizer: Record<string, unknown>): GatewayContext<object> => {
      const ctx = makeContext()
      ctx.authorizer = authorizer
      return ctx
    }
    expect((await call(mw, user({ principalId: 'alice' }))).status).toBe(200)
    expect((await call(mw, user({ jwt: { claims: { sub: 'bob' } } }))).status).toBe(200)
    expect((await call(mw, user({ principalId: 'alice' }))).status).toBe(429)
  })

  it('an API key never appears in clear in bucket names', async () => {
    const keys: string[] = []
    const store = new MemoryRateLimitStore({ now })
    const spy = {
      take: (key: string, rate: number, burst: number) => {
        keys.push(key)
        return store.take(key, rate, burst)
      },
      takeAll: (buckets: readonly { key: string; rate: number; burst: number }[]) => {
        keys.push(...buckets.map((b) => b.key))
        return store.takeAll(buckets)
      }
    }
    const secret = 'SuperSecretKeyValue0123456789'
    await call(throttler({ rateLimit: 1, burstLimit: 1, key: 'apiKey', store: spy }), makeContext({ headers: { 'x-api-key': secret } }))
    expect(keys).toHaveLength(1)
    expect(keys.join()).not.toContain(secret)
  })
})

describe('optional RateLimit headers (off by default, AWS sends none §8.3)', () => {
  it('headers: true sends RateLimit-Policy and RateLimit on success, Retry-After on 429', async () => {
    const mw = throttler({ name: 'api', rateLimit: 2, burstLimit: 4, headers: true, store: new MemoryRateLimitStore({ now }) })
    const first = await call(mw)
    expect(first.responseHeaders['ratelimit-policy']).toBe('"api";q=4;w=2')
    expect(first.responseHeaders['ratelimit']).toBe('"api";r=3;t=1')
    for (let i = 0; i < 3; i++) await call(mw)
    const limited = await call(mw)
    expect(limited.status).toBe(429)
    expect(limited.responseHeaders['retry-after']).toBe('1')
    expect(limited.responseHeaders['ratelimit']).toBe('"api";r=0;t=1')
    expect(limited.responseHeaders['x-amzn-errortype']).toBe('TooManyRequestsException')
  })
})

describe('configuration is validated once (GW_CONFIG_INVALID)', () => {
  it.each([
    { name: 'negative rate', options: { rateLimit: -1, burstLimit: 1 } },
    { name: 'rate without burst', options: { rateLimit: 1 } },
    { name: 'fractional burst', options: { rateLimit: 1, burstLimit: 1.5 } },
    { name: 'nothing to limit', options: {} },
    { name: 'unknown key name', options: { rateLimit: 1, burstLimit: 1, key: 'cookie' } },
    { name: 'unknown option', options: { rateLimit: 1, burstLimit: 1, window: 10 } },
    { name: 'store without takeAll', options: { rateLimit: 1, burstLimit: 1, store: {} } }
  ])('rejects $name', ({ options }) => {
    let error: unknown
    try {
      throttler(options as ThrottlerOptions)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(GwError)
    expect((error as GwError).code).toBe('GW_CONFIG_INVALID')
    expect((error as GwError).message).toMatch(/^throttler: invalid options/)
  })
})

describe('stage methodSettings and HTTP routeSettings (§8.1)', () => {
  const settings = {
    '*/*': { throttlingRateLimit: 100, throttlingBurstLimit: 50 },
    '~1pets/GET': { throttlingRateLimit: 5 },
    '/owners/POST': { throttlingRateLimit: 1, throttlingBurstLimit: 2 },
    '//GET': { throttlingRateLimit: 7, throttlingBurstLimit: 7 }
  }
  it.each([
    { name: '§8.1 exact entry (escaped ~1 key) falls back to */* per field', path: '/pets', method: 'GET', expected: { rateLimit: 5, burstLimit: 50 } },
    { name: '§8.1 exact entry with both fields', path: '/owners', method: 'post', expected: { rateLimit: 1, burstLimit: 2 } },
    { name: '§9.1 root method key //GET', path: '/', method: 'GET', expected: { rateLimit: 7, burstLimit: 7 } },
    { name: '§8.1 no entry: */*', path: '/toys', method: 'DELETE', expected: { rateLimit: 100, burstLimit: 50 } }
  ])('$name', ({ path, method, expected }) => {
    expect(methodThrottle(settings, path, method)).toEqual(expected)
  })

  it('no settings: undefined', () => {
    expect(methodThrottle(undefined, '/pets', 'GET')).toBeUndefined()
    expect(methodThrottle({ '*/*': { throttlingRateLimit: -1, throttlingBurstLimit: -1 } }, '/pets', 'GET')).toBeUndefined()
  })

  it.each([
    { name: '§8.1 HTTP routeSettings override defaultRouteSettings', key: 'GET /pets', expected: { rateLimit: 3, burstLimit: 9 } },
    { name: '§8.1 HTTP defaultRouteSettings for other routes (CloudFormation casing)', key: '$default', expected: { rateLimit: 10, burstLimit: 9 } }
  ])('$name', ({ key, expected }) => {
    expect(routeThrottle({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 9 }, { 'GET /pets': { throttlingRateLimit: 3 } }, key)).toEqual(expected)
  })
})

describe('over real HTTP', () => {
  it('§8.1 burst 10: exactly 10 of 40 concurrent requests pass, the rest get the §8.3 429', async () => {
    const app = await serve(compose([throttler({ rateLimit: 0.001, burstLimit: 10, store: new MemoryRateLimitStore() }), ok]))
    try {
      const responses = await Promise.all(Array.from({ length: 40 }, () => fetch(app.url + '/pets')))
      const bodies = await Promise.all(responses.map((r) => r.text()))
      expect(responses.filter((r) => r.status === 200)).toHaveLength(10)
      const limited = responses.filter((r) => r.status === 429)
      expect(limited).toHaveLength(30)
      expect(new Set(bodies.filter((b) => b !== '{"ok":true}'))).toEqual(new Set(['{"message":"Too Many Requests"}']))
      expect(limited[0]?.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException')
    } finally {
      await app.close()
    }
  })
})
