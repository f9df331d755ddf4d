import { describe, expect, it } from 'vitest'
import { compose, GwError, MemoryQuotaStore, MemoryRateLimitStore, type GatewayContext, type LogEvent, type Middleware } from '@gw/core'
import { apiKeys, createUsagePlans, quotaPeriod, type UsagePlansOptions } from '@gw/usage-plans'
import { makeContext } from '../../throttler/test/support/context.js'
import { ok } from '../../throttler/test/support/node-server.js'

const KEY = 'AliceKeyValue-0123456789abcdefXYZ'
const OTHER = 'BobKeyValue-0123456789abcdefghijkl'
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0) // Saturday 2026-11-28 12:00 UTC

function setup(overrides: Partial<UsagePlansOptions> = {}, clock = { t: T0 }) {
  const registry = createUsagePlans({
    now: () => clock.t,
    usagePlans: [
      { id: 'basic', name: 'Basic', apiStages: [{ apiId: 'a1', stage: 'prod' }], quota: { limit: 3, period: 'DAY' }, createdDate: '2026-01-01T00:00:00Z' },
      { id: 'gold', name: 'Gold', apiStages: [{ apiId: 'a1', stage: 'beta', throttle: { '/pets/GET': { rateLimit: 0.001, burstLimit: 1 } } }], throttle: { rateLimit: 0.001, burstLimit: 2 } }
    ],
    apiKeys: [
      { name: 'alice', value: KEY, usagePlanIds: ['basic', 'gold'] },
      { name: 'bob', value: OTHER, enabled: false, usagePlanIds: ['basic'] }
    ],
    ...overrides
  })
  return { registry, clock }
}

async function run(mw: Middleware<object>, init: { headers?: Record<string, string>; stage?: string; apiId?: string; resourcePath?: string; method?: string; authorizer?: Record<string, unknown>; state?: Record<string, unknown> } = {}): Promise<GatewayContext<object>> {
  const ctx = makeContext({ headers: init.headers ?? {}, method: init.method ?? 'GET', url: init.resourcePath ?? '/pets' })
  ctx.apiId = init.apiId ?? 'a1'
  ctx.stage = init.stage ?? 'prod'
  ctx.resourcePath = init.resourcePath ?? '/pets'
  if (init.authorizer !== undefined) ctx.authorizer = init.authorizer
  if (init.state !== undefined) Object.assign(ctx.state, init.state)
  await compose([mw, ok])(ctx, () => Promise.resolve())
  return ctx
}

describe('API key checks (§9.2): 403 INVALID_API_KEY', () => {
  it.each([
    { name: '§9.2 missing x-api-key', headers: {}, stage: 'prod' },
    { name: '§9.2 unknown value', headers: { 'x-api-key': 'x'.repeat(30) }, stage: 'prod' },
    { name: '§9.2 disabled key', headers: { 'x-api-key': OTHER }, stage: 'prod' },
    { name: '§9.2 key not in a plan of this api stage', headers: { 'x-api-key': KEY }, stage: 'dev' },
    { name: '§9.2 empty header', headers: { 'x-api-key': '' }, stage: 'prod' }
  ])('$name', async ({ headers, stage }) => {
    const { registry } = setup()
    const ctx = await run(apiKeys(registry), { headers, stage })
    expect(ctx.status).toBe(403)
    expect(ctx.body).toBe('{"message":"Forbidden"}')
    expect(ctx.responseHeaders['x-amzn-errortype']).toBe('ForbiddenException')
    expect(ctx.apiKey).toBeUndefined()
  })

  it('§9.2 a valid key passes and sets $context.identity.apiKey / apiKeyId', async () => {
    const { registry } = setup()
    const ctx = await run(apiKeys(registry), { headers: { 'x-api-key': KEY } })
    expect(ctx.status).toBe(200)
    expect(ctx.apiKey).toEqual({ id: registry.listApiKeys({ nameQuery: 'alice' }).items[0]?.id, value: KEY, usagePlanId: 'basic' })
  })

  it('§9.2 apiKeySource AUTHORIZER reads usageIdentifierKey, ignores x-api-key', async () => {
    const { registry } = setup()
    const mw = apiKeys(registry, { apiKeySource: 'AUTHORIZER' })
    expect((await run(mw, { state: { usageIdentifierKey: KEY } })).status).toBe(200)
    // The authorizer's context map is not where the Lambda authorizer leaves it (ctx.state.usageIdentifierKey).
    expect((await run(mw, { authorizer: { usageIdentifierKey: KEY } })).status).toBe(403)
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(403)
  })

  it('§9.2 disabling and re-enabling a key takes effect at once', async () => {
    const { registry } = setup()
    const mw = apiKeys(registry)
    const id = registry.listApiKeys({ nameQuery: 'alice' }).items[0]?.id ?? ''
    registry.disableApiKey(id)
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(403)
    registry.enableApiKey(id)
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(200)
  })
})

describe('remembered key hashes (the per-request SHA-256 cache) answer like a fresh lookup (§9.2)', () => {
  it('a key used, then deleted, re-created or disabled answers as it is now', async () => {
    const { registry } = setup()
    const mw = apiKeys(registry)
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(200) // hash now remembered
    const id = registry.listApiKeys({ nameQuery: 'alice' }).items[0]?.id ?? ''
    registry.disableApiKey(id)
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(403)
    registry.deleteApiKey(id)
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(403)
    registry.createApiKey({ name: 'alice2', value: KEY, usagePlanIds: ['basic'] })
    const ctx = await run(mw, { headers: { 'x-api-key': KEY } })
    expect(ctx.status).toBe(200)
    expect(ctx.apiKey?.value).toBe(KEY)
  })

  it('more distinct values than the cache holds: every one still answers right, old ones included', async () => {
    const { registry } = setup()
    const mw = apiKeys(registry)
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(200)
    for (let i = 0; i < 1500; i++) expect(registry.findKey(`unknown-value-${String(i).padStart(10, '0')}`)).toBeUndefined()
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(200)
    expect((await run(mw, { headers: { 'x-api-key': OTHER } })).status).toBe(403) // disabled
  })

  it.each([['19 characters', 'k'.repeat(19)], ['129 characters', 'k'.repeat(129)]])('a value of %s is no key (§9.1 20-128) and is refused', async (_n, value) => {
    const { registry } = setup()
    expect(registry.findKey(value)).toBeUndefined()
    const ctx = await run(apiKeys(registry), { headers: { 'x-api-key': value } })
    expect(ctx.status).toBe(403)
    expect(ctx.body).toBe('{"message":"Forbidden"}')
  })
})

describe('quotas (§8.2)', () => {
  it('§8.2 quota spent: 429 {"message":"Limit Exceeded"} LimitExceededException', async () => {
    const { registry } = setup()
    const mw = apiKeys(registry)
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await run(mw, { headers: { 'x-api-key': KEY } })).status)
    expect(statuses).toEqual([200, 200, 200, 429])
    const ctx = await run(mw, { headers: { 'x-api-key': KEY } })
    expect(ctx.body).toBe('{"message":"Limit Exceeded"}')
    expect(ctx.responseHeaders['x-amzn-errortype']).toBe('LimitExceededException')
  })

  it('§8.2 DAY quota resets at 00:00 UTC', async () => {
    const { registry, clock } = setup()
    const mw = apiKeys(registry)
    for (let i = 0; i < 3; i++) await run(mw, { headers: { 'x-api-key': KEY } })
    clock.t = Date.UTC(2026, 10, 28, 23, 59, 59, 999)
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(429)
    clock.t = Date.UTC(2026, 10, 29, 0, 0, 0)
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(200)
  })

  it('§8.2 offset is subtracted from the limit in the initial period only', async () => {
    const clock = { t: T0 }
    const registry = createUsagePlans({
      now: () => clock.t,
      usagePlans: [{ id: 'p', name: 'P', apiStages: [{ apiId: 'a1', stage: 'prod' }], quota: { limit: 3, offset: 2, period: 'WEEK' }, createdDate: new Date(T0).toISOString() }],
      apiKeys: [{ name: 'k', value: KEY, usagePlanIds: ['p'] }]
    })
    const mw = apiKeys(registry)
    const first = []
    for (let i = 0; i < 3; i++) first.push((await run(mw, { headers: { 'x-api-key': KEY } })).status)
    expect(first).toEqual([200, 429, 429])
    clock.t = Date.UTC(2026, 10, 29, 0, 0, 0) // Sunday: next week
    const second = []
    for (let i = 0; i < 4; i++) second.push((await run(mw, { headers: { 'x-api-key': KEY } })).status)
    expect(second).toEqual([200, 200, 200, 429])
  })

  it.each([
    { name: '§8.2 DAY starts 00:00 UTC', period: 'DAY' as const, at: Date.UTC(2026, 10, 28, 23, 59), id: '2026-11-28', start: Date.UTC(2026, 10, 28), end: Date.UTC(2026, 10, 29) },
    { name: '§8.2 WEEK starts Sunday 00:00 UTC', period: 'WEEK' as const, at: Date.UTC(2026, 10, 28, 12), id: 'W2026-11-22', start: Date.UTC(2026, 10, 22), end: Date.UTC(2026, 10, 29) },
    { name: '§8.2 WEEK on a Sunday is that Sunday', period: 'WEEK' as const, at: Date.UTC(2026, 10, 29, 0), id: 'W2026-11-29', start: Date.UTC(2026, 10, 29), end: Date.UTC(2026, 11, 6) },
    { name: '§8.2 MONTH is the calendar month in UTC', period: 'MONTH' as const, at: Date.UTC(2026, 11, 31, 23, 59), id: '2026-12', start: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1) },
    { name: '§8.2 MONTH of February in a leap year', period: 'MONTH' as const, at: Date.UTC(2028, 1, 29, 8), id: '2028-02', start: Date.UTC(2028, 1, 1), end: Date.UTC(2028, 2, 1) }
  ])('$name', ({ period, at, id, start, end }) => {
    expect(quotaPeriod(period, at)).toEqual({ id, start, end })
  })
})

describe('usage-plan throttles (§8.1 levels 1 and 2)', () => {
  it('§8.1 per-method throttle of the plan applies to that method only; per-key throttle to all', async () => {
    const { registry } = setup()
    const mw = apiKeys(registry)
    const pets = [await run(mw, { headers: { 'x-api-key': KEY }, stage: 'beta' }), await run(mw, { headers: { 'x-api-key': KEY }, stage: 'beta' })]
    expect(pets.map((c) => c.status)).toEqual([200, 429])
    expect(pets[1]?.body).toBe('{"message":"Too Many Requests"}')
    // method bucket blocked above, so the key bucket (burst 2) still has one token
    expect((await run(mw, { headers: { 'x-api-key': KEY }, stage: 'beta', resourcePath: '/owners' })).status).toBe(200)
    expect((await run(mw, { headers: { 'x-api-key': KEY }, stage: 'beta', resourcePath: '/owners' })).status).toBe(429)
  })
})

describe('api stage and method bound at construction (the gateway case)', () => {
  it('§8.1 method throttle applies; detaching the key from its plan takes effect at once (§9.2)', async () => {
    const { registry } = setup()
    const mw = apiKeys(registry, { apiId: 'a1', stage: 'beta', resourcePath: '/pets', httpMethod: 'get' })
    const id = registry.listApiKeys({ nameQuery: 'alice' }).items[0]?.id ?? ''
    expect((await run(mw, { headers: { 'x-api-key': KEY }, stage: 'ignored' })).status).toBe(200)
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).body).toBe('{"message":"Too Many Requests"}')
    registry.deleteUsagePlanKey('gold', id)
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(403)
    const root = apiKeys(registry, { apiId: 'a1', stage: 'prod', resourcePath: '/', httpMethod: 'GET' })
    expect((await run(root, { headers: { 'x-api-key': KEY } })).apiKey?.usagePlanId).toBe('basic')
  })
})

describe('GetUsage and UpdateUsage (§9.3, §8.2)', () => {
  it('§9.3 values keyed by key id, one [used, remaining] per day, in date order', async () => {
    const { registry, clock } = setup()
    const mw = apiKeys(registry)
    const id = registry.listApiKeys({ nameQuery: 'alice' }).items[0]?.id ?? ''
    clock.t = Date.UTC(2026, 10, 27, 9)
    await run(mw, { headers: { 'x-api-key': KEY } })
    clock.t = T0
    await run(mw, { headers: { 'x-api-key': KEY } })
    await run(mw, { headers: { 'x-api-key': KEY } })
    const usage = await registry.getUsage({ usagePlanId: 'basic', startDate: '2026-11-26', endDate: '2026-11-28', keyId: id })
    expect(usage).toEqual({ usagePlanId: 'basic', startDate: '2026-11-26', endDate: '2026-11-28', position: null, values: { [id]: [[0, 3], [1, 2], [2, 1]] } })
  })

  it('§8.2 UpdateUsage replace /remaining extends and resets the current period', async () => {
    const { registry } = setup()
    const mw = apiKeys(registry)
    const id = registry.listApiKeys({ nameQuery: 'alice' }).items[0]?.id ?? ''
    for (let i = 0; i < 3; i++) await run(mw, { headers: { 'x-api-key': KEY } })
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(429)
    const extended = await registry.updateUsage('basic', id, [{ op: 'replace', path: '/remaining', value: '10' }])
    expect(extended.values[id]).toEqual([[3, 10]])
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(200)
    await registry.updateUsage('basic', id, [{ op: 'replace', path: '/remaining', value: '0' }])
    expect((await run(mw, { headers: { 'x-api-key': KEY } })).status).toBe(429)
  })

  it('§9.3 paging by key with limit and position', async () => {
    const { registry } = setup()
    registry.createApiKey({ name: 'carol', value: 'CarolKeyValue-0123456789abcdefgh', usagePlanIds: ['basic'] })
    const first = await registry.getUsage({ usagePlanId: 'basic', startDate: '2026-11-28', endDate: '2026-11-28', limit: 2 })
    expect(Object.keys(first.values)).toHaveLength(2)
    expect(first.position).not.toBeNull()
    const second = await registry.getUsage({ usagePlanId: 'basic', startDate: '2026-11-28', endDate: '2026-11-28', limit: 2, position: first.position ?? '' })
    expect(Object.keys(second.values)).toHaveLength(1)
    expect(second.position).toBeNull()
  })

  it.each([
    { name: 'bad date', q: { startDate: '2026-13-01', endDate: '2026-12-01' } },
    { name: 'end before start', q: { startDate: '2026-12-02', endDate: '2026-12-01' } },
    { name: 'limit above 500', q: { startDate: '2026-12-01', endDate: '2026-12-01', limit: 501 } }
  ])('GetUsage rejects $name with GW_USAGE_BAD_REQUEST', async ({ q }) => {
    const { registry } = setup()
    await expect(registry.getUsage({ usagePlanId: 'basic', ...q })).rejects.toMatchObject({ code: 'GW_USAGE_BAD_REQUEST' })
  })
})

describe('management rules (§9.1)', () => {
  it.each([
    { name: '§9.1 same value twice is a conflict', act: (r: ReturnType<typeof setup>['registry']) => r.createApiKey({ name: 'again', value: KEY }), code: 'GW_USAGE_CONFLICT' },
    { name: '§9.1 value shorter than 20 characters', act: (r: ReturnType<typeof setup>['registry']) => r.createApiKey({ name: 'short', value: 'tooShort' }), code: 'GW_CONFIG_INVALID' },
    {
      name: '§9.1 a key in two plans for one api stage',
      act: (r: ReturnType<typeof setup>['registry']) => {
        r.createUsagePlan({ id: 'other', name: 'Other', apiStages: [{ apiId: 'a1', stage: 'prod' }] })
        r.createUsagePlanKey('other', r.listApiKeys({ nameQuery: 'alice' }).items[0]?.id ?? '')
      },
      code: 'GW_USAGE_CONFLICT'
    },
    { name: 'unknown plan', act: (r: ReturnType<typeof setup>['registry']) => r.getUsagePlan('nope'), code: 'GW_USAGE_NOT_FOUND' },
    {
      name: '§9.1 more than 20 method throttles per stage',
      act: (r: ReturnType<typeof setup>['registry']) =>
        r.createUsagePlan({ name: 'Many', apiStages: [{ apiId: 'a', stage: 's', throttle: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`/r${i}/GET`, { rateLimit: 1, burstLimit: 1 }])) }] }),
      code: 'GW_CONFIG_INVALID'
    }
  ])('$name', ({ act, code }) => {
    const { registry } = setup()
    let error: unknown
    try {
      act(registry)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(GwError)
    expect((error as GwError).code).toBe(code)
  })

  it('generated values are 40 alphanumerics, shown once; ids are stable per value', () => {
    const { registry } = setup()
    const created = registry.createApiKey({ name: 'gen' })
    expect(created.value).toMatch(/^[A-Za-z0-9]{40}$/)
    expect(registry.getApiKey(created.id).value).toBe(`****************${created.value.slice(-4)}`)
    const again = createUsagePlans({ apiKeys: [{ name: 'x', value: KEY }] }).listApiKeys().items[0]?.id
    expect(again).toBe(registry.listApiKeys({ nameQuery: 'alice' }).items[0]?.id)
  })
})

describe('keys never in clear (§9.1 hashed storage)', () => {
  it('listings, plan keys, usage reports, logs and errors never contain a key value', async () => {
    const events: LogEvent[] = []
    const push = (e: LogEvent): void => {
      events.push(e)
    }
    const { registry } = setup({ logger: { error: push, warn: push, info: push } })
    const generated = registry.createApiKey({ name: 'gen', usagePlanIds: ['basic'] })
    const mw = apiKeys(registry)
    await run(mw, { headers: { 'x-api-key': KEY } })
    const errors: string[] = []
    for (const act of [() => registry.createApiKey({ name: 'dup', value: KEY }), () => registry.createApiKey({ name: 'dup', value: generated.value })]) {
      try {
        act()
      } catch (err) {
        errors.push(String(err), (err as Error).stack ?? '', JSON.stringify(err))
      }
    }
    const captured = [
      JSON.stringify(registry.listApiKeys()),
      JSON.stringify(registry.getApiKey(generated.id)),
      JSON.stringify(registry.listUsagePlanKeys('basic')),
      JSON.stringify(await registry.getUsage({ usagePlanId: 'basic', startDate: '2026-11-28', endDate: '2026-11-28' })),
      JSON.stringify(events),
      ...errors
    ].join('\n')
    expect(errors.length).toBeGreaterThan(0)
    expect(events.length).toBeGreaterThan(0)
    for (const secret of [KEY, OTHER, generated.value]) expect(captured).not.toContain(secret)
    expect(captured).toContain(`****************${KEY.slice(-4)}`)
  })
})

describe('stores are pluggable', () => {
  it('uses the given quota and rate-limit stores', async () => {
    const quotaStore = new MemoryQuotaStore()
    const { registry } = setup({ quotaStore, rateLimitStore: new MemoryRateLimitStore() })
    await run(apiKeys(registry), { headers: { 'x-api-key': KEY } })
    expect(quotaStore.size).toBe(2) // period counter + daily counter
  })
})
