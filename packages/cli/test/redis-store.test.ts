import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { serve } from '@gw/cli'
import { silentLogger } from '@gw/core'
import { FIXTURES } from './helpers.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const ALICE = 'alice-key-0123456789abcdef'
const ENV = { E2E_ALICE_KEY: ALICE, E2E_ADMIN_TOKEN: 'admin-token-0123456789' }

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
    const dir = mkdtempSync(join(tmpdir(), 'gw-redis-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    cpSync(`${FIXTURES}e2e`, dir, { recursive: true })
    const file = join(dir, 'gw.config.yaml')
    const prefix = `gwtest-${randomBytes(6).toString('hex')}`
    writeFileSync(file, `${readFileSync(file, 'utf8')}store: ${REDIS_URL}\nstorePrefix: ${prefix}\n`)
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
