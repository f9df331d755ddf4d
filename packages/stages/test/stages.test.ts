import { describe, expect, it } from 'vitest'
import { GatewayContext, resolveParameterSource, substituteStageVariables, type RequestSource } from '@gw/core'
import { createStageRegistry, createStageResolver } from '@gw/stages'
import { serve } from './helpers.js'

interface Def {
  name: string
  uri: string
}

function registry(flavour: 'REST' | 'HTTP' = 'REST') {
  let n = 0
  return createStageRegistry<Def, string>({ flavour, compile: (d) => `compiled:${d.name}`, newId: () => `dep${String(++n)}` })
}

function source(path: string, host = 'abc123defg.execute-api.us-east-1.amazonaws.com'): RequestSource {
  return {
    method: 'GET',
    url: path,
    headers: { host },
    rawHeaders: ['Host', host],
    remoteAddress: '127.0.0.1',
    protocol: 'https',
    readBody: () => Promise.resolve(Buffer.alloc(0)),
    stream: () => null,
    hasBody: false,
    signal: new AbortController().signal
  }
}

describe('deployments and stages (§6.1)', () => {
  it('§6.1 a deployment is a frozen snapshot: later edits of the definition are invisible', () => {
    const reg = registry()
    const def = { name: 'v1', uri: 'http://a' }
    const d = reg.createDeployment(def, { stageName: 'prod' })
    def.name = 'edited'
    expect(d.definition.name).toBe('v1')
    expect(Object.isFrozen(d.definition)).toBe(true)
    expect(d.compiled).toBe('compiled:v1')
    expect(reg.stage('prod')?.deployment).toBe(d)
  })

  it('§6.1 CreateDeployment with stageName creates the stage, then re-points it; variables merge', () => {
    const reg = registry()
    reg.createDeployment({ name: 'a', uri: '' }, { stageName: 'prod', variables: { host: 'one' } })
    const d2 = reg.createDeployment({ name: 'b', uri: '' }, { stageName: 'prod', variables: { extra: 'x' } })
    expect(reg.getStage('prod')).toMatchObject({ deploymentId: d2.id, variables: { host: 'one', extra: 'x' } })
  })

  it('§6.1 a deployment referenced by a stage cannot be deleted (400)', () => {
    const reg = registry()
    const d = reg.createDeployment({ name: 'a', uri: '' }, { stageName: 'prod' })
    expect(() => reg.deleteDeployment(d.id)).toThrow(expect.objectContaining({ code: 'GW_STAGES_BAD_REQUEST', status: 400 }))
    const d2 = reg.createDeployment({ name: 'b', uri: '' }, { stageName: 'prod' })
    reg.deleteDeployment(d.id)
    expect(reg.getDeployment(d.id)).toBeUndefined()
    expect(reg.stage('prod')?.deployment.id).toBe(d2.id)
  })

  it('rollback is a pointer swap: the old state object is untouched', () => {
    const reg = registry()
    const d1 = reg.createDeployment({ name: 'a', uri: '' }, { stageName: 'prod' })
    reg.createDeployment({ name: 'b', uri: '' }, { stageName: 'prod' })
    const before = reg.stage('prod')
    const after = reg.rollback('prod', d1.id)
    expect(before?.deployment.definition.name).toBe('b')
    expect(after.deployment).toBe(d1)
    expect(Object.isFrozen(after)).toBe(true)
  })

  it.each([
    ['§6.3 name with a dash', { 'bad-name': 'x' }],
    ['§6.3 value with a space', { ok: 'a b' }],
    ['§6.3 value longer than 512', { ok: 'a'.repeat(513) }],
    ['§6.3 key longer than 64', { ['k'.repeat(65)]: 'v' }],
    ['§6.3 more than 100 variables', Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${String(i)}`, 'x']))]
  ])('refuses %s (400)', (_name, variables) => {
    const reg = registry()
    const d = reg.createDeployment({ name: 'a', uri: '' })
    expect(() => reg.createStage({ stageName: 'prod', deploymentId: d.id, variables })).toThrow(expect.objectContaining({ code: 'GW_STAGES_BAD_REQUEST' }))
  })

  it('unknown stage or deployment in management calls → 404', () => {
    const reg = registry()
    expect(() => reg.rollback('nope', 'x')).toThrow(expect.objectContaining({ code: 'GW_STAGES_NOT_FOUND', status: 404 }))
    reg.createDeployment({ name: 'a', uri: '' }, { stageName: 'prod' })
    expect(() => reg.rollback('prod', 'missing')).toThrow(expect.objectContaining({ code: 'GW_STAGES_NOT_FOUND' }))
  })
})

describe('stage selection (§0.1, §0.2, §1.1)', () => {
  const rest = registry('REST')
  rest.createDeployment({ name: 'r', uri: '' }, { stageName: 'prod', variables: { v: '1' } })
  rest.createDeployment({ name: 'r', uri: '' }, { stageName: 'beta' })
  const httpReg = registry('HTTP')
  httpReg.createDeployment({ name: 'h', uri: '' }, { stageName: '$default' })
  httpReg.createDeployment({ name: 'h', uri: '' }, { stageName: 'dev' })
  const httpNoDefault = registry('HTTP')
  httpNoDefault.createDeployment({ name: 'h', uri: '' }, { stageName: 'dev' })

  const mappings = [
    { domainName: 'api.example.com', basePath: 'v1', stage: 'prod' },
    { domainName: 'api.example.com', basePath: 'v1/orders', stage: 'beta' },
    { domainName: 'root.example.com', basePath: '(none)', stage: 'beta' }
  ]
  const resolvers = {
    rest: createStageResolver(rest, { basePathMappings: mappings }),
    http: createStageResolver(httpReg),
    httpNoDefault: createStageResolver(httpNoDefault),
    disabled: createStageResolver(rest, { basePathMappings: mappings, disableExecuteApiEndpoint: true }),
    httpDisabled: createStageResolver(httpReg, { disableExecuteApiEndpoint: true })
  }

  it.each([
    ['§1.1 REST: first segment is the stage', 'rest', '/prod/pets/1', undefined, 'prod', '/pets/1', undefined],
    ['§1.1 REST: stage root', 'rest', '/prod', undefined, 'prod', '/', undefined],
    ['§1.2 REST: //stage/x works', 'rest', '//prod/x', undefined, 'prod', '/x', undefined],
    ['§0.1 REST: unknown stage → 403 Forbidden', 'rest', '/nope/pets', undefined, 403, '{"message":"Forbidden"}', undefined],
    ['§0.1 REST: no stage segment → 403', 'rest', '/', undefined, 403, '{"message":"Forbidden"}', undefined],
    ['§1.1 stage names are case-sensitive', 'rest', '/PROD/x', undefined, 403, '{"message":"Forbidden"}', undefined],
    ['§1.1 custom domain base path', 'rest', '/v1/pets', 'api.example.com', 'prod', '/pets', 'v1'],
    ['§1.1 multi-level base path wins over shorter', 'rest', '/v1/orders/7', 'api.example.com', 'beta', '/7', 'v1/orders'],
    ['§1.1 base path on a segment boundary only', 'rest', '/v1x/pets', 'API.example.com:443', 403, '{"message":"Forbidden"}', undefined],
    ['§1.1 (none) maps the root, stage not in URL', 'rest', '/pets', 'root.example.com', 'beta', '/pets', '(none)'],
    ['§1.1 disableExecuteApiEndpoint: default host 403', 'disabled', '/prod/pets', undefined, 403, '{"message":"Forbidden"}', undefined],
    ['§1.1 disableExecuteApiEndpoint: custom domain still serves', 'disabled', '/v1/pets', 'api.example.com', 'prod', '/pets', 'v1'],
    ['§1.1 disableExecuteApiEndpoint: HTTP API default host 403 too', 'httpDisabled', '/dev/pets', undefined, 403, '{"message":"Forbidden"}', undefined],
    ['§1.1 HTTP: stage segment stripped', 'http', '/dev/pets', undefined, 'dev', '/pets', undefined],
    ['§1.1 HTTP: otherwise $default, path kept', 'http', '/pets', undefined, '$default', '/pets', undefined],
    ['§0.2 HTTP: no stage and no $default → 404', 'httpNoDefault', '/pets', undefined, 404, '{"message":"Not Found"}', undefined]
  ] as const)('%s', (_name, which, path, host, expected, rest2, basePath) => {
    const ctx = new GatewayContext(source(path, host))
    const r = resolvers[which](ctx)
    if (typeof expected === 'number') {
      expect(r).toBeUndefined()
      expect(ctx.status).toBe(expected)
      expect(ctx.body).toBe(rest2)
      return
    }
    expect(r?.state.stageName).toBe(expected)
    expect(ctx.stage).toBe(expected)
    expect(ctx.path).toBe(rest2)
    expect(r?.basePathMatched).toBe(basePath)
    expect(ctx.deploymentId).toBe(r?.state.deployment.id)
  })

  it('§2.1 stageVariables is null when the stage has none, the variables otherwise', () => {
    const a = new GatewayContext(source('/beta/x'))
    resolvers.rest(a)
    expect(a.stageVariables).toBeNull()
    const b = new GatewayContext(source('/prod/x'))
    resolvers.rest(b)
    expect(b.stageVariables).toEqual({ v: '1' })
  })
})

describe('stage-variable substitution (§6.3)', () => {
  const reg = registry()
  reg.createDeployment({ name: 'a', uri: '' }, { stageName: 'prod', variables: { host: 'backend.internal:8080', fn: 'orders-v2', alias: 'live', q: 'a=b', role: 'role/api' } })
  const resolve = createStageResolver(reg)
  const ctx = new GatewayContext(source('/prod/x'))
  resolve(ctx)

  it.each([
    ['§6.3 HTTP integration host', 'http://${stageVariables.host}/path', 'http://backend.internal:8080/path'],
    ['§6.3 sub-domain', 'http://${stageVariables.fn}.example.com/x', 'http://orders-v2.example.com/x'],
    ['§6.3 path segment', 'http://example.com/${stageVariables.fn}/bar', 'http://example.com/orders-v2/bar'],
    ['§6.3 query', 'http://example.com/x?q=${stageVariables.q}', 'http://example.com/x?q=a=b'],
    ['§6.3 Lambda function name', 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}/invocations', 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders-v2/invocations'],
    ['§6.3 Lambda alias', 'arn:aws:lambda:us-east-1:123456789012:function:orders:${stageVariables.alias}', 'arn:aws:lambda:us-east-1:123456789012:function:orders:live'],
    ['§6.3 credentials ARN', 'arn:aws:iam::123456789012:${stageVariables.role}', 'arn:aws:iam::123456789012:role/api'],
    ['§6.3 undefined variable becomes empty', 'http://${stageVariables.missing}/x', 'http:///x'],
    ['§6.3 no reference: unchanged', 'http://example.com/${other.x}', 'http://example.com/${other.x}']
  ])('%s', (_name, template, expected) => {
    expect(substituteStageVariables(template, ctx.stageVariables)).toBe(expected)
  })

  it.each([
    ['§6.3 parameter mapping source stageVariables.name', 'stageVariables.host', 'backend.internal:8080'],
    ['§6.3 unknown variable in a mapping resolves to nothing', 'stageVariables.missing', undefined]
  ])('%s', (_name, expr, expected) => {
    expect(resolveParameterSource(expr, ctx)).toBe(expected)
  })
})

describe('rollback under load (§6.1)', () => {
  it('1,000 requests in flight while the stage is rolled back: none fails, each answered by exactly one deployment', async () => {
    const TOTAL = 1000
    const HALF = 500
    let arrived = 0
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    let rolledBack!: () => void
    const rollbackDone = new Promise<void>((r) => (rolledBack = r))
    const reg = createStageRegistry<Def, (ctx: GatewayContext<object>) => Promise<void>>({
      compile: (def) => async (ctx) => {
        await gate
        // answered at the end of the request by the deployment captured at its start
        ctx.json({ answeredBy: def.name, capturedDeployment: ctx.deploymentId })
      }
    })
    const d1 = reg.createDeployment({ name: 'd1', uri: '' }, { stageName: 'prod' })
    const d2 = reg.createDeployment({ name: 'd2', uri: '' }, { stageName: 'prod' })
    const resolve = createStageResolver(reg)
    const url = await serve(async (ctx) => {
      const r = resolve(ctx)
      if (r === undefined) return
      const n = ++arrived
      ctx.responseHeaders['x-arrival'] = String(n)
      if (n === HALF) {
        reg.rollback('prod', d1.id)
        rolledBack()
      }
      if (n === TOTAL) release()
      await r.state.deployment.compiled(ctx)
    })
    const first = Array.from({ length: HALF }, () => fetch(`${url}/prod/x`))
    await rollbackDone
    const second = Array.from({ length: TOTAL - HALF }, () => fetch(`${url}/prod/x`))
    const responses = await Promise.all([...first, ...second])
    const bodies = await Promise.all(responses.map(async (res) => ({ status: res.status, arrival: Number(res.headers.get('x-arrival')), ...((await res.json()) as { answeredBy: string; capturedDeployment: string }) })))
    expect(bodies.every((b) => b.status === 200)).toBe(true)
    const byName = { d1: d1.id, d2: d2.id } as Record<string, string>
    for (const b of bodies) {
      expect(b.capturedDeployment).toBe(byName[b.answeredBy])
      expect(b.answeredBy).toBe(b.arrival <= HALF ? 'd2' : 'd1')
    }
    expect(bodies.filter((b) => b.answeredBy === 'd2')).toHaveLength(HALF)
    expect(bodies.filter((b) => b.answeredBy === 'd1')).toHaveLength(TOTAL - HALF)
  }, 30_000)
})
