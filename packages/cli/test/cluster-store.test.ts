// `store: redis+cluster://h1:p1,h2:p2` in gw.config.yaml: throttle and quota state on Redis Cluster (a 3-master
// cluster of the test's own, on loopback ports), shared by two gateway instances exactly like `redis://` (§8.2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gwConfigSchema } from '@gw/cli'
import { RedisClusterProcess } from '../../store-redis/test/support/cluster.js'
import { quotaAcrossTwoInstances } from './helpers.js'

const cluster = new RedisClusterProcess()

beforeAll(() => cluster.start(), 60_000)
afterAll(() => cluster.stop())

describe('store: redis+cluster://', () => {
  it('the config accepts seed-node URLs and still refuses other schemes', () => {
    const base = { apis: [{ openapi: 'a.yaml', stages: { dev: {} } }] }
    expect(gwConfigSchema.safeParse({ ...base, store: 'redis+cluster://127.0.0.1:7000,127.0.0.1:7001' }).success).toBe(true)
    expect(gwConfigSchema.safeParse({ ...base, store: 'rediss+cluster://u:p@10.0.0.1:7000' }).success).toBe(true)
    expect(gwConfigSchema.safeParse({ ...base, store: 'cluster://127.0.0.1:7000' }).success).toBe(false)
  })

  it('two instances on one Redis Cluster admit exactly the quota of 4 between them', async () => {
    expect(await quotaAcrossTwoInstances(cluster.url)).toEqual([200, 200, 200, 200, 429, 429])
  })
})
