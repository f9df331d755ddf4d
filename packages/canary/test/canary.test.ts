import { describe, expect, it } from 'vitest'
import { GatewayContext, type RequestSource } from '@gw/core'
import { createStageRegistry, createStageResolver } from '@gw/stages'
import { createCanary } from '@gw/canary'

function source(headers: Record<string, string> = {}, ip = '127.0.0.1'): RequestSource {
  return {
    method: 'GET',
    url: '/prod/x',
    headers,
    rawHeaders: [],
    remoteAddress: ip,
    protocol: 'http',
    readBody: () => Promise.resolve(Buffer.alloc(0)),
    stream: () => null,
    hasBody: false,
    signal: new AbortController().signal
  }
}

/** mulberry32: a seeded uniform generator so the binomial test is reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function setup(percentTraffic: number, overrides: Record<string, string> = { color: 'green', extra: 'x' }) {
  let n = 0
  const reg = createStageRegistry<{ v: string }, string>({ compile: (d) => d.v, newId: () => `d${String(++n)}` })
  reg.createDeployment({ v: 'stable' }, { stageName: 'prod', variables: { color: 'blue', keep: 'k' } })
  reg.createDeployment({ v: 'canary' }, { stageName: 'prod', canarySettings: { percentTraffic, stageVariableOverrides: overrides } })
  return { reg, resolve: createStageResolver(reg) }
}

function request(resolve: ReturnType<typeof setup>['resolve'], headers?: Record<string, string>, ip?: string) {
  const ctx = new GatewayContext(source(headers, ip))
  const r = resolve(ctx)
  if (r === undefined) throw new Error('no stage')
  return { ctx, state: r.state }
}

describe('canary releases (§6.4)', () => {
  it.each([
    ['seed 1', 1],
    ['seed 42', 42],
    ['seed 2026', 2026]
  ])('§6.4 100,000 decisions at 10%% land within 4 binomial standard deviations (%s)', (_name, seed) => {
    const { reg, resolve } = setup(10)
    const canary = createCanary(reg, { random: seeded(seed) })
    const N = 100_000
    let hits = 0
    const { ctx, state } = request(resolve)
    for (let i = 0; i < N; i++) if (canary.decide(state, ctx).canary) hits++
    const mean = N * 0.1
    const sd = Math.sqrt(N * 0.1 * 0.9)
    expect(Math.abs(hits - mean)).toBeLessThan(4 * sd)
  })

  it('§6.4 the default Math.random source also lands within 4 sd at a fractional 12.5%', () => {
    const { reg, resolve } = setup(12.5)
    const canary = createCanary(reg)
    const { ctx, state } = request(resolve)
    let hits = 0
    for (let i = 0; i < 100_000; i++) if (canary.decide(state, ctx).canary) hits++
    expect(Math.abs(hits - 12_500)).toBeLessThan(4 * Math.sqrt(100_000 * 0.125 * 0.875))
  })

  it.each([
    ['§6.4 percentTraffic 0 never goes to the canary', 0, 0],
    ['§6.4 percentTraffic 100 always does', 100, 1000]
  ])('%s', (_name, percent, expected) => {
    const { reg, resolve } = setup(percent)
    const canary = createCanary(reg)
    const { ctx, state } = request(resolve)
    let hits = 0
    for (let i = 0; i < 1000; i++) if (canary.decide(state, ctx).canary) hits++
    expect(hits).toBe(expected)
  })

  it('§6.4 overrides apply only to canary requests; canary runs its own deployment; isCanaryRequest set', () => {
    const { reg, resolve } = setup(50)
    let u = 0
    const canary = createCanary(reg, { random: () => u })
    u = 0.1 // 10 < 50 → canary
    const a = request(resolve)
    const da = canary.decide(a.state, a.ctx)
    expect(da.canary).toBe(true)
    expect(a.ctx.isCanaryRequest).toBe(true)
    expect(a.ctx.stageVariables).toEqual({ color: 'green', keep: 'k', extra: 'x' })
    expect(da.deployment.compiled).toBe('canary')
    expect(a.ctx.deploymentId).toBe('d2')
    u = 0.9 // 90 ≥ 50 → stage
    const b = request(resolve)
    const db = canary.decide(b.state, b.ctx)
    expect(db.canary).toBe(false)
    expect(b.ctx.isCanaryRequest).toBe(false)
    expect(b.ctx.stageVariables).toEqual({ color: 'blue', keep: 'k' })
    expect(db.deployment.compiled).toBe('stable')
    expect(b.ctx.deploymentId).toBe('d1')
  })

  it('§6.4 useStageCache false gives the canary its own cache scope', () => {
    const { reg, resolve } = setup(100)
    const canary = createCanary(reg)
    const { ctx, state } = request(resolve)
    expect(canary.decide(state, ctx).cacheScope).toBe('prod/Canary')
    reg.updateStage('prod', { canarySettings: { useStageCache: true } })
    const r2 = request(resolve)
    expect(canary.decide(r2.state, r2.ctx).cacheScope).toBe('prod')
  })

  it('§6.4 promote: canary deployment becomes the stage\'s, overrides MERGE into variables, percentTraffic 0, settings kept', () => {
    const { reg } = setup(10)
    const canary = createCanary(reg)
    canary.promote('prod')
    expect(reg.getStage('prod')).toMatchObject({
      deploymentId: 'd2',
      variables: { color: 'green', keep: 'k', extra: 'x' },
      canarySettings: { percentTraffic: 0, deploymentId: 'd2', stageVariableOverrides: { color: 'green', extra: 'x' } }
    })
  })

  it('§6.4 delete removes canarySettings; the stage keeps its deployment and variables', () => {
    const { reg } = setup(10)
    const canary = createCanary(reg)
    canary.remove('prod')
    const s = reg.getStage('prod')
    expect(s?.canarySettings).toBeUndefined()
    expect(s).toMatchObject({ deploymentId: 'd1', variables: { color: 'blue', keep: 'k' } })
  })

  it('§6.4 promote without a canary → 400 "Promotion not available. Canary does not exist."', () => {
    const reg = createStageRegistry<{ v: string }, string>({ compile: (d) => d.v })
    reg.createDeployment({ v: 'a' }, { stageName: 'prod' })
    expect(() => createCanary(reg).promote('prod')).toThrow(expect.objectContaining({ code: 'GW_CANARY_NOT_AVAILABLE', status: 400, message: 'Promotion not available. Canary does not exist.' }))
  })

  it.each([
    ['§6.4 canary deployment without a stage name', undefined, 'Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is null'],
    ['§6.4 canary deployment on a missing stage', 'nope', 'Invalid deployment content specified.Stage nope must already be created before making a canary release deployment']
  ])('%s → 400 with AWS\'s message', (_name, stageName, message) => {
    const reg = createStageRegistry<{ v: string }, string>({ compile: (d) => d.v })
    const input = stageName === undefined ? { canarySettings: { percentTraffic: 5 } } : { stageName, canarySettings: { percentTraffic: 5 } }
    expect(() => reg.createDeployment({ v: 'a' }, input)).toThrow(expect.objectContaining({ code: 'GW_STAGES_BAD_REQUEST', message }))
  })

  it('§6.4 while a canary exists, the stage cannot be re-pointed except by promotion', () => {
    const { reg } = setup(10)
    const d3 = reg.createDeployment({ v: 'other' })
    expect(() => reg.rollback('prod', d3.id)).toThrow(expect.objectContaining({ code: 'GW_STAGES_BAD_REQUEST' }))
  })
})

describe('beyond AWS: sticky mode and automatic rollback', () => {
  it.each([
    ['header', { header: 'X-User' }, (k: string) => ({ headers: { 'x-user': k } })],
    ['cookie', { cookie: 'uid' }, (k: string) => ({ headers: { cookie: `a=1; uid=${k}; b=2` } })],
    ['client IP', { sourceIp: true }, (k: string) => ({ headers: {}, ip: `10.0.${k.length % 250}.${k.charCodeAt(k.length - 1) % 250}` })]
  ] as const)('sticky by %s: one client always gets the same variant, overall share stays near percentTraffic', (_name, sticky, make) => {
    const { reg, resolve } = setup(30)
    const canary = createCanary(reg, { sticky })
    let canaries = 0
    const clients = 2000
    for (let i = 0; i < clients; i++) {
      const key = `client-${String(i)}`
      const { headers, ip } = make(key) as { headers: Record<string, string>; ip?: string }
      const first = request(resolve, headers, ip)
      const v = canary.decide(first.state, first.ctx).canary
      for (let j = 0; j < 5; j++) {
        const again = request(resolve, headers, ip)
        expect(canary.decide(again.state, again.ctx).canary).toBe(v)
      }
      if (v) canaries++
    }
    if (_name !== 'client IP') expect(Math.abs(canaries / clients - 0.3)).toBeLessThan(0.05)
  })

  it('automatic rollback: canary 5XX share over the threshold sets percentTraffic to 0 and reports it', () => {
    const { reg, resolve } = setup(100)
    const events: unknown[] = []
    const canary = createCanary(reg, { autoRollback: { threshold: 0.2, minRequests: 10, windowMs: 60_000, onRollback: (e) => events.push(e) } })
    for (let i = 0; i < 30; i++) {
      const { ctx, state } = request(resolve)
      canary.decide(state, ctx)
      ctx.status = i % 3 === 0 ? 502 : 200 // 33% errors
      canary.record(ctx)
    }
    expect(reg.getStage('prod')?.canarySettings?.percentTraffic).toBe(0)
    expect(events).toEqual([expect.objectContaining({ stageName: 'prod', deploymentId: 'd2' })])
    const { ctx, state } = request(resolve)
    expect(canary.decide(state, ctx).canary).toBe(false)
  })

  it('automatic rollback stays put under the threshold and ignores non-canary requests', () => {
    const { reg, resolve } = setup(50)
    let u = 0
    const canary = createCanary(reg, { random: () => u, autoRollback: { threshold: 0.5, minRequests: 5 } })
    for (let i = 0; i < 40; i++) {
      u = i % 2 === 0 ? 0.1 : 0.9
      const { ctx, state } = request(resolve)
      canary.decide(state, ctx)
      ctx.status = ctx.isCanaryRequest ? (i % 8 === 0 ? 500 : 200) : 500
      canary.record(ctx)
    }
    expect(reg.getStage('prod')?.canarySettings?.percentTraffic).toBe(50)
  })

  it('refuses bad options at construction', () => {
    const { reg } = setup(10)
    expect(() => createCanary(reg, { autoRollback: { threshold: 2 } })).toThrow(expect.objectContaining({ code: 'GW_CONFIG_INVALID' }))
    expect(() => createCanary(reg, { sticky: {} })).toThrow(expect.objectContaining({ code: 'GW_CONFIG_INVALID' }))
  })
})
