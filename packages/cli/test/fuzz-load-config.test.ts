import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '@gw/cli'
import { fuzzParameters, hostileJsonWith, hostileKey, hostileNumber, hostileString, succeedsOrThrows } from '../../../test/fuzz/hostile.js'

/**
 * Property-based fuzzing of the config loader (issue #15 item 7): generated hostile `gw.config.yaml` files (mostly
 * the documented shape with hostile parts, YAML-ish token soup, random text) load or are refused with
 * GW_CLI_CONFIG_INVALID (or GW_OPENAPI_* for the OpenAPI file they name), never another exception, never a hang.
 * Replay: put the printed seed and path into `fuzzParameters` (or run with FUZZ_SEED=<seed>).
 */
const CODES = ['GW_CLI_CONFIG_INVALID', 'GW_OPENAPI_INVALID', 'GW_OPENAPI_REF']
const dir = mkdtempSync(join(tmpdir(), 'gw-fuzz-config-'))
cpSync(new URL('./fixtures/e2e', import.meta.url), dir, { recursive: true })
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const ENV = { E2E_ALICE_KEY: 'fuzz-alice-key-0123456789abcdef', E2E_ADMIN_TOKEN: 'fuzz-admin-token-0123456789' }

// Nesting stays at 300 levels: the file is written with JSON.stringify, which itself overflows the stack on deeper values.
const maybe = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: hostileJsonWith(300) })
const stage = fc.record({ variables: maybe(fc.dictionary(hostileKey, hostileString, { maxKeys: 3 })), throttle: maybe(fc.record({ rateLimit: hostileNumber, burstLimit: hostileNumber })) }, { requiredKeys: [] })
const config = fc.record(
  {
    apis: maybe(fc.array(fc.record({ name: maybe(fc.constantFrom('shop', 'x')), openapi: maybe(fc.constantFrom('./openapi.yaml', './nope.yaml', '../../../etc/passwd', './handlers')), basePath: maybe(fc.constantFrom('ignore', 'prepend', 'split')), stages: maybe(fc.dictionary(fc.oneof(hostileKey, fc.constant('dev')), stage, { maxKeys: 2 })), cors: maybe(fc.boolean()) }, { requiredKeys: [] }), { maxLength: 2 })),
    usagePlans: maybe(fc.array(fc.record({ id: maybe(hostileString), name: maybe(hostileString), apiStages: maybe(fc.array(fc.record({ api: maybe(fc.constantFrom('shop', 'x')), stage: maybe(fc.constantFrom('dev', '__proto__')) }), { maxLength: 2 })), quota: maybe(fc.record({ limit: hostileNumber, period: maybe(fc.constantFrom('DAY', 'WEEK', 'MONTH')) })), throttle: maybe(fc.record({ rateLimit: hostileNumber, burstLimit: hostileNumber })) }, { requiredKeys: [] }), { maxLength: 2 })),
    apiKeys: maybe(fc.array(fc.record({ id: maybe(hostileString), name: maybe(hostileString), valueFromEnv: maybe(fc.constantFrom('E2E_ALICE_KEY', 'MISSING', '__proto__')), usagePlans: maybe(fc.array(hostileString, { maxLength: 2 })) }, { requiredKeys: [] }), { maxLength: 2 })),
    lambdas: maybe(fc.dictionary(hostileKey, fc.oneof(fc.constantFrom('./handlers/orders.mjs#handler', './handlers/nope.mjs', 'x#'), hostileString), { maxKeys: 2 })),
    server: maybe(fc.record({ port: maybe(hostileNumber), host: maybe(hostileString), limits: maybe(hostileJsonWith(50)) }, { requiredKeys: [] })),
    management: maybe(fc.record({ enabled: fc.boolean(), tokenFromEnv: maybe(fc.constantFrom('E2E_ADMIN_TOKEN', 'MISSING')) }, { requiredKeys: [] })),
    store: maybe(fc.constantFrom('memory', 'redis://127.0.0.1:1', 'redis://', 'http://x')),
    onStoreError: maybe(hostileJsonWith(20)),
    metrics: maybe(hostileJsonWith(20)),
    iam: maybe(hostileJsonWith(20))
  },
  { requiredKeys: [] }
)
const yamlish = fc.array(fc.oneof(hostileString, fc.constantFrom('apis:\n', '  - name: shop\n', '    openapi: ./openapi.yaml\n', 'usagePlans:\n', '- ', ': ', '&a ', '*a', '<<: *a\n', '!!binary ', '? ', '|\n', '---\n', '  ', '\n')), { maxLength: 30 }).map((p) => p.join(''))
const text = fc.oneof({ weight: 3, arbitrary: config.map((c) => JSON.stringify(c)) }, { weight: 1, arbitrary: yamlish }, { weight: 1, arbitrary: fc.string({ maxLength: 200 }) })

describe('fuzz: gw.config.yaml loader', () => {
  it('hostile config files load or fail with GW_CLI_CONFIG_INVALID / GW_OPENAPI_*', () => {
    const file = join(dir, 'gw.config.yaml')
    // fuzzParameters(80) → add `seed: …, path: '…'` from a failure report to replay it
    fc.assert(
      fc.property(text, (t) => {
        writeFileSync(file, t)
        succeedsOrThrows(CODES, () => loadConfig(file, ENV))
      }),
      fuzzParameters(80)
    )
  }, 60_000)

  it('an object with a hostile length where a string belongs is refused, not thrown (shrunk case of seed 452547513)', () => {
    const file = join(dir, 'gw.config.yaml')
    writeFileSync(file, JSON.stringify({ usagePlans: [{ apiStages: [{ api: 'shop', stage: { length: [[{ toString: null }]] } }] }] }))
    expect(() => loadConfig(file, ENV)).toThrow(expect.objectContaining({ code: 'GW_CLI_CONFIG_INVALID' }))
  })
})
