import { createConnection } from 'node:net'
import { beforeAll, describe, expect, it } from 'vitest'
import { quotaAcrossTwoInstances } from './helpers.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

describe('store: redis:// shares quota counters between gateway instances (§8.2)', () => {
  beforeAll(async () => {
    const { hostname, port } = new URL(REDIS_URL)
    await new Promise<void>((resolve, reject) => {
      const socket = createConnection({ host: hostname, port: Number(port || 6379) }, () => {
        socket.end()
        resolve()
      })
      socket.on('error', (err) => reject(new Error(`Redis is not reachable at ${REDIS_URL} (set REDIS_URL or start redis-server): ${err.message}`)))
    })
  })

  it('two instances on one Redis admit exactly the quota of 4 between them', async () => {
    expect(await quotaAcrossTwoInstances(REDIS_URL)).toEqual([200, 200, 200, 200, 429, 429])
  })
})
