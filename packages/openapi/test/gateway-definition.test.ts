import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { apiDefinitionSchema } from '@gw/gateway'
import { exportOpenApi, importOpenApiFile, importOpenApiObject, toGatewayDefinition } from '@gw/openapi'

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url))
const fixtures = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f))

describe('import → @gw/gateway definition (the one createGateway() takes)', () => {
  it.each(fixtures)('%s converts into a definition the gateway schema accepts, identical after export → import', (file) => {
    const { definition } = importOpenApiFile(dir + file)
    const stages = definition.protocol === 'REST' ? { dev: { variables: { v: '1' } } } : { dev: { stageVariables: { v: '1' } } }
    const parsed = apiDefinitionSchema.safeParse(toGatewayDefinition(definition, stages))
    expect(parsed.error?.issues ?? []).toEqual([])
    const again = importOpenApiObject(exportOpenApi(definition)).definition
    expect(apiDefinitionSchema.parse(toGatewayDefinition(again, stages))).toEqual(parsed.data)
  })

  it('§5 root request validator becomes each method requestValidatorId unless overridden', () => {
    const gw = toGatewayDefinition(importOpenApiFile(`${dir}02-petstore-oas30-validators.yaml`).definition) as unknown as { resources: Record<string, { resourceMethods: Record<string, { requestValidatorId?: string }> }> }
    expect(gw.resources['/validation']?.resourceMethods.POST?.requestValidatorId).toBe('all')
    expect(gw.resources['/validation']?.resourceMethods.GET?.requestValidatorId).toBe('params-only')
  })

  it('§1.3 HTTP API routes are keyed by route key, $default included', () => {
    const gw = toGatewayDefinition(importOpenApiFile(`${dir}09-http-api-jwt-cors.yaml`).definition) as unknown as { routes: Record<string, unknown> }
    expect(Object.keys(gw.routes)).toEqual(['GET /orders', 'POST /orders', '$default'])
  })
})
