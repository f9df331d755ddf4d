import { describe, expect, it, onTestFinished } from 'vitest'
import { silentLogger } from '@gw/core'
import { GENERATION_REFRESH_MS } from '@gw/authorizers'
import { RedisKeyValueStore } from '@gw/store-redis'
import { createGateway, type ApiDefinitionInput, type Gateway, type GatewayOptions } from '@gw/gateway'
import { randomPrefix, REDIS_URL, requireRedis } from '../../store-redis/test/support/redis.js'
import { mock, tokenAuthorizer } from './serve.js'

// aws-semantics §7 (FlushStageAuthorizersCache) and §10.4 (the result cache) through createGateway().listen(0): each
// stage has its own authorizer cache, even where one deployment (one authorizer middleware) serves two stages, and on
// a shared store a flush reaches every instance. Invocations are counted per stage at the in-process function.

/** A TOKEN authorizer allowing exactly the method ARN it is asked about (§10.1), counting its invocations per stage. */
function countingAuthorizer(): { fn: (event: unknown) => Promise<unknown>; calls: (stage: string) => number } {
  const seen = new Map<string, number>()
  const fn = (event: unknown): Promise<unknown> => {
    const e = event as { authorizationToken: string; methodArn: string }
    const stage = e.methodArn.split('/')[1] ?? ''
    seen.set(stage, (seen.get(stage) ?? 0) + 1)
    return Promise.resolve({
      principalId: e.authorizationToken,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: e.methodArn }] }
    })
  }
  return { fn, calls: (stage) => seen.get(stage) ?? 0 }
}

/** Two stages on one deployment: one authorizer middleware (one result cache) serves both. */
const api: ApiDefinitionInput = {
  protocol: 'REST',
  id: 'authzcache01',
  name: 'authz-cache',
  stages: { prod: {}, dev: {} },
  authorizers: { tok: tokenAuthorizer(300) },
  resources: { '/pets': { resourceMethods: { GET: { authorizationType: 'CUSTOM', authorizerId: 'tok', integration: mock } } } }
}

async function serve(fn: (event: unknown) => Promise<unknown>, options: GatewayOptions = {}): Promise<{ gw: Gateway; get: (stage: string, token: string) => Promise<number> }> {
  const gw = createGateway(api, { logger: silentLogger, integrations: { lambda: { tokenFn: fn } }, ...options })
  onTestFinished(() => gw.close())
  const address = (await gw.listen(0, '127.0.0.1')).address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const base = `http://127.0.0.1:${String(address.port)}`
  const get = async (stage: string, token: string): Promise<number> => {
    const res = await fetch(`${base}/${stage}/pets`, { headers: { authorization: token } })
    await res.arrayBuffer()
    return res.status
  }
  return { gw, get }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('§7 §10.4 one authorizer cache per stage (memory)', () => {
  it('§7 a result cached on prod is no hit on dev: dev invokes the authorizer (and is allowed by its own policy)', async () => {
    const authz = countingAuthorizer()
    const { get } = await serve(authz.fn)
    expect([await get('prod', 'alice'), await get('prod', 'alice')]).toEqual([200, 200])
    expect([authz.calls('prod'), authz.calls('dev')]).toEqual([1, 0])
    // The prod result's policy allows only prod's method ARN: served from prod's cache, dev would be 403.
    expect([await get('dev', 'alice'), await get('dev', 'alice')]).toEqual([200, 200])
    expect([authz.calls('prod'), authz.calls('dev')]).toEqual([1, 1])
  })

  it('§7 FlushStageAuthorizersCache on dev leaves prod\'s results cached; dev invokes again', async () => {
    const authz = countingAuthorizer()
    const { gw, get } = await serve(authz.fn)
    for (const stage of ['prod', 'dev', 'prod', 'dev']) expect(await get(stage, 'alice')).toBe(200)
    expect([authz.calls('prod'), authz.calls('dev')]).toEqual([1, 1])
    await gw.management.flushStageAuthorizersCache('dev')
    expect([await get('prod', 'alice'), await get('dev', 'alice'), await get('dev', 'alice')]).toEqual([200, 200, 200])
    expect([authz.calls('prod'), authz.calls('dev')]).toEqual([1, 2])
    await gw.management.flushStageAuthorizersCache('prod')
    expect([await get('prod', 'alice'), await get('dev', 'alice')]).toEqual([200, 200])
    expect([authz.calls('prod'), authz.calls('dev')]).toEqual([2, 2])
  })

  it('§7 FlushStageAuthorizersCache of an unknown stage → GW_STAGES_NOT_FOUND', async () => {
    const { gw } = await serve(countingAuthorizer().fn)
    await expect(gw.management.flushStageAuthorizersCache('nope')).rejects.toMatchObject({ code: 'GW_STAGES_NOT_FOUND' })
  })
})

describe('§7 §10.4 authorizer results on one Redis shared by two gateway instances (authorizerCache.store)', () => {
  async function twoInstances(): Promise<{ authz: ReturnType<typeof countingAuthorizer>; one: Awaited<ReturnType<typeof serve>>; two: Awaited<ReturnType<typeof serve>> }> {
    await requireRedis()
    const prefix = randomPrefix()
    const authz = countingAuthorizer()
    const instance = async (): Promise<Awaited<ReturnType<typeof serve>>> => {
      // A store (and connection) of its own per instance, as two processes would have.
      const store = new RedisKeyValueStore({ url: REDIS_URL, prefix, onStoreError: 'failClosed' })
      onTestFinished(() => store.close())
      await store.ready(3000)
      return serve(authz.fn, { authorizerCache: { store } })
    }
    return { authz, one: await instance(), two: await instance() }
  }

  it('§10.4 a result cached by one instance is a hit on the other, per stage', async () => {
    const { authz, one, two } = await twoInstances()
    expect([await one.get('prod', 'alice'), await two.get('prod', 'alice')]).toEqual([200, 200])
    expect([await two.get('dev', 'alice'), await one.get('dev', 'alice')]).toEqual([200, 200])
    expect([authz.calls('prod'), authz.calls('dev')]).toEqual([1, 1])
  })

  it(`§7 flush on instance 1: instance 1 invokes at once, instance 2 within GENERATION_REFRESH_MS (${String(GENERATION_REFRESH_MS)} ms); the other stage stays cached`, async () => {
    const { authz, one, two } = await twoInstances()
    for (const token of ['alice', 'bob']) {
      expect([await one.get('prod', token), await two.get('prod', token), await two.get('dev', token)]).toEqual([200, 200, 200])
    }
    expect([authz.calls('prod'), authz.calls('dev')]).toEqual([2, 2])
    await one.gw.management.flushStageAuthorizersCache('prod')
    // The flushing instance sees the new generation at once.
    expect(await one.get('prod', 'bob')).toBe(200)
    expect(authz.calls('prod')).toBe(3)
    // The other instance reads it again at most GENERATION_REFRESH_MS after its last read: any request after that misses.
    await sleep(GENERATION_REFRESH_MS + 50)
    expect(await two.get('prod', 'alice')).toBe(200)
    expect(authz.calls('prod')).toBe(4)
    // ...and then shares the new generation's entries with instance 1 (bob, re-cached by instance 1 after the flush).
    expect([await two.get('prod', 'bob'), await one.get('prod', 'alice')]).toEqual([200, 200])
    expect(authz.calls('prod')).toBe(4)
    // dev was not flushed: still cached on both instances.
    expect([await one.get('dev', 'alice'), await two.get('dev', 'bob')]).toEqual([200, 200])
    expect(authz.calls('dev')).toBe(2)
  })
})
