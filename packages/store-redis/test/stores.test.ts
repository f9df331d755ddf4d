// The store test suite (support/store-suite.ts) on the shared Redis (REDIS_URL, random key prefixes).
import { afterAll, beforeAll } from 'vitest'
import { Redis } from 'ioredis'
import { REDIS_URL, requireRedis } from './support/redis.js'
import { scanKeys, storeSuite } from './support/store-suite.js'

const admin = new Redis(REDIS_URL)
beforeAll(requireRedis)
afterAll(() => admin.quit())

storeSuite({ options: () => ({}), admin: () => admin, keys: (pattern) => scanKeys(admin, pattern), standalone: true })
