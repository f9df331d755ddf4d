import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { apiDefinitionSchema, createGateway } from '@gw/gateway'
import { exportOpenApi, importOpenApiFile, importOpenApiObject, importOpenApiText } from '@gw/openapi'

// One model (docs/architecture.md): an import is the definition createGateway() takes, and an export takes it back.
const dir = fileURLToPath(new URL('./fixtures/', import.meta.url))
const bench = fileURLToPath(new URL('../../../bench/entries/fixtures/stack.openapi.yaml', import.meta.url))
const files = [...readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).map((f) => dir + f), bench]
const name = (file: string): string => file.slice(file.lastIndexOf('/') + 1)

describe('every fixture: import → apiDefinitionSchema → export → import', () => {
  it.each(files.map((f) => [name(f), f]))('%s', (_name, file) => {
    const first = importOpenApiFile(file)
    const parsed = apiDefinitionSchema.safeParse(first.definition)
    expect(parsed.error?.issues ?? []).toEqual([])
    // the input as imported round-trips exactly, in both export dialects (§16.3 exports/oas30 and exports/swagger)
    expect(importOpenApiObject(exportOpenApi(first.definition)).definition).toEqual(first.definition)
    const viaSwagger = importOpenApiObject(exportOpenApi(first.definition, { format: 'swagger2' }))
    expect(viaSwagger.format).toBe('swagger2')
    expect(apiDefinitionSchema.parse(viaSwagger.definition)).toEqual(parsed.data)
    // the parsed output (defaults filled) is an export input too, and comes back to the same parsed definition
    expect(apiDefinitionSchema.parse(importOpenApiObject(exportOpenApi(parsed.data!)).definition)).toEqual(parsed.data)
    // stages are the only thing a served definition adds
    const stages = first.definition.protocol === 'REST' ? { dev: { variables: { v: '1' } } } : { dev: { stageVariables: { v: '1' } } }
    expect(apiDefinitionSchema.safeParse({ ...first.definition, stages }).error?.issues ?? []).toEqual([])
  })

  it('an imported definition is what createGateway() serves (§16.1 → §1.2)', async () => {
    const { definition } = importOpenApiFile(`${dir}11-oas31-mock-templates.yaml`)
    const gateway = createGateway({ ...definition, stages: { prod: {} } })
    const server = await gateway.listen(0, '127.0.0.1')
    try {
      const { port } = server.address() as { port: number }
      const res = await fetch(`http://127.0.0.1:${String(port)}/prod/status`)
      expect(res.status).toBe(200)
      expect(res.headers.get('x-stage')).toBe('prod')
    } finally {
      await gateway.close()
    }
  })
})

describe('x-amazon-apigateway-endpoint-configuration (issue #20 item 5, §16.2)', () => {
  const doc = (where: 'root' | 'servers', config: Record<string, unknown>): string =>
    [
      "openapi: 3.0.1",
      "info: { title: private, version: '1' }",
      where === 'root' ? `x-amazon-apigateway-endpoint-configuration: ${JSON.stringify(config)}` : `servers: [{ url: /, x-amazon-apigateway-endpoint-configuration: ${JSON.stringify(config)} }]`,
      'paths:',
      '  /a:',
      '    get:',
      '      x-amazon-apigateway-integration: { type: mock }',
      ''
    ].join('\n')
  const config = { types: ['PRIVATE'], vpcEndpointIds: ['vpce-0212a4ababd5b8c3e'], disableExecuteApiEndpoint: true }

  it.each(['root', 'servers'] as const)('on %s: types and vpcEndpointIds become endpointConfiguration, disableExecuteApiEndpoint the top-level field', (where) => {
    const { definition, warnings } = importOpenApiText(doc(where, config), 'api.yaml')
    expect(warnings).toEqual([])
    expect(definition.endpointConfiguration).toEqual({ types: ['PRIVATE'], vpcEndpointIds: ['vpce-0212a4ababd5b8c3e'] })
    expect(definition.disableExecuteApiEndpoint).toBe(true)
    expect(apiDefinitionSchema.parse(definition).endpointConfiguration).toEqual({ types: ['PRIVATE'], vpcEndpointIds: ['vpce-0212a4ababd5b8c3e'] })
  })

  it('is written on export: servers[0] in OpenAPI 3, the root in Swagger 2', () => {
    const { definition } = importOpenApiText(doc('root', config), 'api.yaml')
    const oas = exportOpenApi(definition) as { servers: Record<string, unknown>[] }
    expect(oas.servers[0]?.['x-amazon-apigateway-endpoint-configuration']).toEqual(config)
    const swagger = exportOpenApi(definition, { format: 'swagger2' })
    expect(swagger['x-amazon-apigateway-endpoint-configuration']).toEqual(config)
    expect(exportOpenApi(definition, { extensions: false }).servers).toBeUndefined()
  })

  it('the endpointConfigurationTypes import option (§16.1) sets the type; lower-case types are accepted', () => {
    expect(importOpenApiText(doc('root', { types: ['regional'] }), 'api.yaml').definition.endpointConfiguration).toEqual({ types: ['REGIONAL'] })
    expect(importOpenApiText(doc('root', { types: ['EDGE'] }), 'api.yaml', { endpointConfigurationTypes: 'PRIVATE' }).definition.endpointConfiguration).toEqual({ types: ['PRIVATE'] })
    // false is the default and is not recorded, so an export does not invent the extension
    expect(importOpenApiText(doc('root', { disableExecuteApiEndpoint: false }), 'api.yaml').definition).not.toHaveProperty('disableExecuteApiEndpoint')
  })

  it.each([
    [{ types: ['INTERNAL'] }, /types: must be an array of 'EDGE', 'REGIONAL' or 'PRIVATE'/],
    [{ vpcEndpointIds: 'vpce-1' }, /vpcEndpointIds: must be an array of strings/],
    [{ disableExecuteApiEndpoint: 'yes' }, /disableExecuteApiEndpoint: must be a boolean/]
  ])('refuses %j', (bad, message) => {
    expect(() => importOpenApiText(doc('root', bad), 'api.yaml')).toThrow(message)
  })
})

describe('HTTP API documents carry only what an HTTP API has (§16.2)', () => {
  it('REST-only extensions and API-key security give warnings with their pointer', () => {
    const text = [
      'openapi: 3.0.1',
      "info: { title: h, version: '1' }",
      "x-amazon-apigateway-importexport-version: '1.0'",
      'x-amazon-apigateway-binary-media-types: [image/png]',
      'paths:',
      '  /a:',
      '    get:',
      '      security: [{ key: [] }]',
      "      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: 'http://upstream/a', payloadFormatVersion: '1.0' }",
      'components: { securitySchemes: { key: { type: apiKey, name: x-api-key, in: header } } }',
      ''
    ].join('\n')
    const { definition, warnings } = importOpenApiText(text, 'api.yaml')
    expect(definition).not.toHaveProperty('binaryMediaTypes')
    expect(warnings.map((w) => w.pointer)).toEqual(['#/x-amazon-apigateway-binary-media-types', '#/paths/~1a/get/security/0/key'])
    expect(apiDefinitionSchema.parse(definition).protocol).toBe('HTTP')
  })

  it('a jwt authorizer in a REST document is refused (§10.7)', () => {
    const text = "openapi: 3.0.1\ninfo: { title: r, version: '1' }\npaths: {}\ncomponents:\n  securitySchemes:\n    j:\n      type: oauth2\n      x-amazon-apigateway-authorizer: { type: jwt, jwtConfiguration: { issuer: 'https://issuer.example' } }\n"
    expect(() => importOpenApiText(text, 'api.yaml')).toThrow(/jwt authorizer belongs to an HTTP API/)
  })
})
