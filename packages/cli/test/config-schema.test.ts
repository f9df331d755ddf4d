import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { gwConfigJsonSchema, gwConfigSchema, loadConfig } from '@gw/cli'

describe('gw.config.yaml schema', () => {
  it('the published JSON Schema file is generated from the zod schema (run `pnpm --filter @gw/cli schema` after changes)', () => {
    const file = fileURLToPath(new URL('../schema/gw.config.schema.json', import.meta.url))
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(gwConfigJsonSchema())
  })

  it('the JSON Schema names every top-level section for editor completion', () => {
    const schema = gwConfigJsonSchema() as { properties: Record<string, unknown>; required: string[] }
    expect(Object.keys(schema.properties)).toEqual(['$schema', 'apis', 'websocketApis', 'websocket', 'domains', 'vpcEndpoints', 'usagePlans', 'apiKeys', 'lambdas', 'iam', 'store', 'onStoreError', 'storePrefix', 'cache', 'metrics', 'server', 'management'])
    expect(schema.required ?? []).toEqual([])
  })

  it('fills defaults: memory store, 127.0.0.1:8080, management off', () => {
    const config = gwConfigSchema.parse({ apis: [{ openapi: 'a.yaml', stages: { dev: {} } }] })
    expect(config.store).toBe('memory')
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8080, trustProxy: false, executeApiDomain: 'execute-api.localhost', drainTimeoutMs: 10_000 })
    expect(config.management.enabled).toBe(false)
    expect(config.apis[0]?.stages.dev?.variables).toEqual({})
  })

  it("a stage variable named __proto__ (a valid name, §6.3) stays a variable, as in createGateway()'s definition", () => {
    const variables = JSON.parse('{"__proto__":"x","host":"example.com"}') as Record<string, string>
    const config = gwConfigSchema.parse({ apis: [{ openapi: 'a.yaml', stages: { dev: { variables, canary: { percentTraffic: 10, stageVariableOverrides: variables } } } }] })
    const stage = config.apis[0]?.stages.dev
    expect(Object.keys(stage?.variables ?? {})).toEqual(['__proto__', 'host'])
    expect(Object.keys(stage?.canary?.stageVariableOverrides ?? {})).toEqual(['__proto__', 'host'])
  })

  it.each([
    ['e2e fixture', '../test/fixtures/e2e/gw.config.yaml', { E2E_ALICE_KEY: 'alice-key-0123456789abcdef', E2E_ADMIN_TOKEN: 'x' }],
    ['quickstart', '../../../examples/quickstart/gw.config.yaml', { QUICKSTART_API_KEY: 'quickstart-demo-key-0123456789' }]
  ])('%s config loads with its OpenAPI file, plans, keys and Lambdas', (_name, path, env) => {
    const loaded = loadConfig(fileURLToPath(new URL(path, import.meta.url)), env)
    expect(loaded.apis).toHaveLength(1)
    expect(loaded.apis[0]?.warnings).toEqual([])
    expect(loaded.files.length).toBeGreaterThanOrEqual(3)
  })
})
