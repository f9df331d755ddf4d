// `store: redis+cluster://h1:p1,h2:p2` in gw.config.yaml: throttle and quota state on Redis Cluster (a 3-master
// cluster of the test's own, on loopback ports), shared by two gateway instances exactly like `redis://` (§8.2).
import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { gwConfigSchema, serve } from '@gw/cli'
import { silentLogger } from '@gw/core'
import { RedisClusterProcess } from '../../store-redis/test/support/cluster.js'
import { FIXTURES } from './helpers.js'

const ALICE = 'alice-key-0123456789abcdef'
const ENV = { E2E_ALICE_KEY: ALICE, E2E_ADMIN_TOKEN: 'admin-token-0123456789' }
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
    const dir = mkdtempSync(join(tmpdir(), 'gw-cluster-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    cpSync(`${FIXTURES}e2e`, dir, { recursive: true })
    const file = join(dir, 'gw.config.yaml')
    writeFileSync(file, `${readFileSync(file, 'utf8')}store: ${cluster.url}\nstorePrefix: gwtest-${randomBytes(6).toString('hex')}\n`)
    const a = await serve({ config: file, port: 0, env: ENV, logger: silentLogger })
    onTestFinished(() => a.close())
    const b = await serve({ config: file, port: 0, env: ENV, logger: silentLogger })
    onTestFinished(() => b.close())
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const gw = i % 2 === 0 ? a : b
      statuses.push((await fetch(`${gw.urls[0] ?? ''}/private`, { headers: { 'x-api-key': ALICE } })).status)
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429])
  })
})
