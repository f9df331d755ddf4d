import { randomUUID } from 'node:crypto'
import { MemoryKeyValueStore, type KeyValueStore } from '@gw/core'
import { RedisKeyValueStore } from '@gw/store-redis'
import { describe, expect, it, onTestFinished } from 'vitest'
import { flushAuthorizerCache, GENERATION_REFRESH_MS, lambdaAuthorizer } from '@gw/authorizers'
import { call, localLambda, serve, type LocalLambda } from './helpers.js'

// aws-semantics §7 (FlushStageAuthorizersCache) and §10.4 (result cache): one authorizer middleware serving two
// stages keeps a cache per stage, and a flush of one stage reaches every instance sharing a store. Each stage is a
// real server (the route side sets ctx.stage); invocations are counted at a local Lambda-API server.

/** Allows any method ARN of the API (so a result is valid on both stages: only the cache decides who invokes). */
const allowApi = (): Record<string, unknown> => ({
  principalId: 'u',
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*' }] }
})

/** Invocations per stage, read from each event's method ARN (§10.1). */
const calls = (lambda: LocalLambda, stage: string): number => lambda.events.filter((e) => (e.methodArn as string).split('/')[1] === stage).length

/** The middleware served as stage `prod` and as stage `dev`: `get(stage, token)` answers the status. */
async function stages(auth: ReturnType<typeof lambdaAuthorizer>): Promise<(stage: 'prod' | 'dev', token: string) => Promise<number>> {
  const urls = { prod: await serve(auth, { stage: 'prod' }), dev: await serve(auth, { stage: 'dev' }) }
  return async (stage, token) => (await call(`${urls[stage]}/pets/1`, { headers: { authorization: token } })).status
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('§7 §10.4 one result cache per stage (memory)', () => {
  it('§7 a result cached on prod is no hit on dev: dev invokes the function', async () => {
    const lambda = await localLambda(allowApi)
    const get = await stages(lambdaAuthorizer({ invoke: lambda.invoke }))
    expect([await get('prod', 'tok'), await get('prod', 'tok'), await get('dev', 'tok'), await get('dev', 'tok')]).toEqual([200, 200, 200, 200])
    expect([calls(lambda, 'prod'), calls(lambda, 'dev')]).toEqual([1, 1])
  })

  it('§7 flushAuthorizerCache(auth, "dev") forgets dev\'s results only', async () => {
    const lambda = await localLambda(allowApi)
    const auth = lambdaAuthorizer({ invoke: lambda.invoke })
    const get = await stages(auth)
    for (const token of ['a', 'b']) expect([await get('prod', token), await get('dev', token)]).toEqual([200, 200])
    await flushAuthorizerCache(auth, 'dev')
    for (const token of ['a', 'b']) expect([await get('prod', token), await get('dev', token), await get('dev', token)]).toEqual([200, 200, 200])
    expect([calls(lambda, 'prod'), calls(lambda, 'dev')]).toEqual([2, 4])
  })

  it('§7 concurrent misses of one token on two stages invoke once per stage', async () => {
    const lambda = await localLambda(async () => {
      await sleep(50)
      return allowApi()
    })
    const get = await stages(lambdaAuthorizer({ invoke: lambda.invoke }))
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => get(i % 2 === 0 ? 'prod' : 'dev', 'burst')))
    expect(answers).toEqual(Array.from({ length: 10 }, () => 200))
    expect([calls(lambda, 'prod'), calls(lambda, 'dev')]).toEqual([1, 1])
  })

  it('a middleware without a cache (TTL 0) is left as it is', async () => {
    const auth = lambdaAuthorizer({ invoke: () => Promise.resolve(allowApi()), authorizerResultTtlInSeconds: 0 })
    await expect(flushAuthorizerCache(auth, 'prod')).resolves.toBeUndefined()
  })
})

describe('§7 §10.4 flush on a shared store reaches every instance within GENERATION_REFRESH_MS', () => {
  /** Two instances (two middlewares, as in two processes) on `store`, each served as prod and dev. */
  async function twoInstances(store: () => KeyValueStore): Promise<{ lambda: LocalLambda; one: ReturnType<typeof lambdaAuthorizer>; get1: Awaited<ReturnType<typeof stages>>; get2: Awaited<ReturnType<typeof stages>> }> {
    const lambda = await localLambda(allowApi)
    const options = { invoke: lambda.invoke, authorizerId: 'shared' }
    const one = lambdaAuthorizer({ ...options, cache: { store: store() } })
    const two = lambdaAuthorizer({ ...options, cache: { store: store() } })
    return { lambda, one, get1: await stages(one), get2: await stages(two) }
  }

  async function flushReachesTheOtherInstance(store: () => KeyValueStore): Promise<void> {
    const { lambda, one, get1, get2 } = await twoInstances(store)
    for (const token of ['a', 'b']) expect([await get1('prod', token), await get2('prod', token), await get2('dev', token)]).toEqual([200, 200, 200])
    expect([calls(lambda, 'prod'), calls(lambda, 'dev')]).toEqual([2, 2])
    await flushAuthorizerCache(one, 'prod')
    // the flushing instance at once
    expect(await get1('prod', 'b')).toBe(200)
    expect(calls(lambda, 'prod')).toBe(3)
    // the other one once its last read of the generation is GENERATION_REFRESH_MS old
    await sleep(GENERATION_REFRESH_MS + 50)
    expect(await get2('prod', 'a')).toBe(200)
    expect(calls(lambda, 'prod')).toBe(4)
    // both on the new generation: each one's new entry is a hit on the other; dev kept its results
    expect([await get2('prod', 'b'), await get1('prod', 'a'), await get1('dev', 'a'), await get2('dev', 'b')]).toEqual([200, 200, 200, 200])
    expect([calls(lambda, 'prod'), calls(lambda, 'dev')]).toEqual([4, 2])
  }

  it('§7 Redis (RedisKeyValueStore, a connection per instance)', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`
    const stores = [0, 1].map(() => new RedisKeyValueStore({ prefix, onStoreError: 'failClosed' }))
    onTestFinished(async () => {
      await Promise.all(stores.map((s) => s.close()))
    })
    await Promise.all(stores.map((s) => s.ready(3000))).catch(() => {
      throw new Error(`Redis not reachable at ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}: start redis-server`)
    })
    let next = 0
    await flushReachesTheOtherInstance(() => stores[next++ % 2] as KeyValueStore)
  })

  it('§7 a synchronous store (MemoryKeyValueStore shared in one process)', async () => {
    const shared = new MemoryKeyValueStore()
    await flushReachesTheOtherInstance(() => shared)
  })

  it('a store failing to read the generation keeps serving from the generation known', async () => {
    const inner = new MemoryKeyValueStore()
    let failing = false
    const flaky: KeyValueStore = {
      get: (key) => {
        if (failing && key.endsWith(':generation')) return Promise.reject(new Error('down'))
        return inner.get(key)
      },
      set: (key, value, ttlMs) => inner.set(key, value, ttlMs),
      delete: (key) => inner.delete(key)
    }
    const lambda = await localLambda(allowApi)
    const get = await stages(lambdaAuthorizer({ invoke: lambda.invoke, cache: { store: flaky } }))
    expect(await get('prod', 'a')).toBe(200)
    failing = true
    await sleep(GENERATION_REFRESH_MS + 50)
    expect([await get('prod', 'a'), await get('prod', 'a')]).toEqual([200, 200])
    expect(calls(lambda, 'prod')).toBe(1)
  })
})
