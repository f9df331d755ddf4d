import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { GwError } from '@gw/core'
import { importOpenApiFile, importOpenApiObject, importOpenApiText } from '@gw/openapi'

const head = "openapi: 3.0.1\ninfo: { title: t, version: '1' }\n"
const mock = "      x-amazon-apigateway-integration: { type: mock }\n"

function tmp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-openapi-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return err instanceof GwError ? String(err.code) : 'not a GwError'
  }
  return undefined
}

describe('$ref resolution (§16.1)', () => {
  it.each([
    ['remote refs are refused (no network from an import)', `${head}paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: { $ref: 'https://example.com/i.yaml' }\n`, /is remote/],
    ['circular local refs', `${head}paths:\n  /a:\n    get:\n${mock}components:\n  parameters:\n    p: { $ref: '#/components/parameters/q' }\n    q: { $ref: '#/components/parameters/p' }\n  x-amazon-apigateway-integrations:\n    i: { $ref: '#/components/parameters/p' }\n`, /circular/],
    ['missing relative file', `${head}paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: { $ref: './nope.yaml#/i' }\n`, /nope\.yaml.*cannot read file \(ENOENT\)/],
    ['missing model', `${head}paths:\n  /a:\n    get:\n      responses: { '200': { description: x, content: { application/json: { schema: { $ref: '#/components/schemas/Nope' } } } } }\n${mock}`, /points to no model/],
    // found by fuzz-import.test.ts (shrunk): malformed percent-encoding in a ref threw a URIError
    ['malformed percent-encoding in a local ref', '{"servers":[{"variables":{"$ref":"#/%"}}]}', /\$ref '#\/%' points to nothing/],
    ['malformed percent-encoding in a file ref', '{"servers":[{"variables":{"$ref":"%"}}]}', /\$ref '%'/]
  ])('%s → GW_OPENAPI_REF', (_name, text, message) => {
    const dir = tmp({ 'api.yaml': text })
    expect(() => importOpenApiFile(join(dir, 'api.yaml'))).toThrow(message)
    expect(codeOf(() => importOpenApiFile(join(dir, 'api.yaml')))).toBe('GW_OPENAPI_REF')
  })

  it('a document nested deeper than 512 levels is GW_OPENAPI_INVALID, not a stack overflow (found by fuzzing: 2,000 levels)', () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 2_000; i++) deep = i % 2 === 0 ? { a: deep } : [deep]
    const doc = { openapi: '3.0.1', info: { title: 't', version: '1' }, paths: { '/': { get: deep } } }
    expect(() => importOpenApiObject(doc)).toThrow(/nested deeper than 512 levels/)
    expect(codeOf(() => importOpenApiObject(doc))).toBe('GW_OPENAPI_INVALID')
  })

  it('refs inside a referenced file resolve relative to that file', () => {
    const dir = tmp({ 'api.yaml': `${head}paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: { $ref: './lib/integrations.yaml#/a' }\n` })
    const lib = join(dir, 'lib')
    mkdirSync(lib)
    writeFileSync(join(lib, 'integrations.yaml'), "a: { $ref: './more.yaml#/b' }\n")
    writeFileSync(join(lib, 'more.yaml'), "b: { type: http_proxy, uri: 'http://upstream/a' }\n")
    const { definition } = importOpenApiFile(join(dir, 'api.yaml'))
    expect(definition.protocol === 'REST' ? definition.resources?.['/a']?.resourceMethods?.GET?.integration : undefined).toEqual({ type: 'HTTP_PROXY', uri: 'http://upstream/a' })
  })
})

describe('document errors name the pointer and line (§16.1)', () => {
  it.each([
    ['not YAML', 'openapi: [', /api\.yaml:1: not valid YAML/],
    ['Swagger 1.2', "swagger: '1.2'\ninfo: { title: t }\npaths: {}\n", /#\/swagger: unsupported Swagger version '1\.2'/],
    ['no version', 'info: { title: t }\npaths: {}\n', /not an OpenAPI 3\.0\/3\.1 or Swagger 2\.0 document/],
    ['no title', "openapi: 3.0.1\ninfo: { version: '1' }\npaths: {}\n", /#\/info\/title: info\.title is required/],
    ['no paths', `${head}`, /#\/paths: paths is required/],
    ['duplicate keys', `${head}paths: {}\npaths: {}\n`, /not valid YAML or JSON/],
    // found by fuzz-import.test.ts: the YAML library throws a plain Error while converting a merge onto a scalar
    ['merge key onto a scalar alias', '<<: *a\n', /api\.yaml: not valid YAML or JSON: Merge sources must be maps/],
    ['api-key-source', `${head}x-amazon-apigateway-api-key-source: QUERY\npaths: {}\n`, /api\.yaml:3: #\/x-amazon-apigateway-api-key-source: must be 'HEADER' or 'AUTHORIZER'/],
    ['compression size', `${head}x-amazon-apigateway-minimum-compression-size: 10485761\npaths: {}\n`, /minimum-compression-size: must be an integer from 0 to 10485760/],
    ['policy without Statement', `${head}x-amazon-apigateway-policy: { Version: '2012-10-17' }\npaths: {}\n`, /#\/x-amazon-apigateway-policy: must be an IAM policy document/],
    ['authorizer without uri', `${head}paths: {}\ncomponents:\n  securitySchemes:\n    a:\n      type: apiKey\n      name: Authorization\n      in: header\n      x-amazon-apigateway-authorizer: { type: token }\n`, /api\.yaml:10: #\/components\/securitySchemes\/a\/x-amazon-apigateway-authorizer\/authorizerUri: a Lambda authorizer needs authorizerUri/],
    ['unknown security scheme', `${head}paths:\n  /a:\n    get:\n      security: [{ nope: [] }]\n${mock}`, /#\/paths\/~1a\/get\/security\/0\/nope: security scheme 'nope' is not declared/],
    ['greedy not last', `${head}paths:\n  /{proxy+}/x:\n    get:\n${mock}`, /path '\/\{proxy\+\}\/x' is not valid/],
    ['integration response status', `${head}paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: { type: mock, responses: { default: { statusCode: '20' } } }\n`, /responses\/default\/statusCode: must be an HTTP status code/],
    ['model name', `${head}paths: {}\ncomponents:\n  schemas:\n    Pet-Model: { type: object }\n`, /model name 'Pet-Model' must be alphanumeric/]
  ])('%s', (_name, text, message) => {
    expect(() => importOpenApiText(text, 'api.yaml')).toThrow(message)
  })
})

describe('warnings, never silent drops', () => {
  it.each([
    ['unknown integration field', `${head}paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: { type: mock, foo: 1 }\n`, '#/paths/~1a/get/x-amazon-apigateway-integration/foo'],
    ['formData parameter', `swagger: '2.0'\ninfo: { title: t }\npaths:\n  /a:\n    post:\n      parameters: [{ name: f, in: formData, type: string }]\n${mock}`, '#/paths/~1a/post/parameters/0'],
    ['default response', `${head}paths:\n  /a:\n    get:\n      responses: { default: { description: x } }\n${mock}`, '#/paths/~1a/get/responses/default'],
    ['operation without integration', `${head}paths:\n  /a:\n    get:\n      responses: {}\n`, '#/paths/~1a/get'],
    ['unknown operation-level extension', `${head}paths:\n  /a:\n    get:\n      x-amazon-apigateway-foo: 1\n${mock}`, '#/paths/~1a/get/x-amazon-apigateway-foo'],
    ['root security on REST', `${head}security: [{ k: [] }]\npaths: {}\ncomponents: { securitySchemes: { k: { type: apiKey, name: x-api-key, in: header } } }\n`, '#/security'],
    ['http basic scheme', `${head}paths: {}\ncomponents: { securitySchemes: { b: { type: http, scheme: basic } } }\n`, '#/components/securitySchemes/b']
  ])('%s', (_name, text, pointer) => {
    const { warnings } = importOpenApiText(text, 'api.yaml')
    expect(warnings.map((w) => w.pointer)).toContain(pointer)
  })
})

describe('a key named __proto__ survives import as a plain own key (never the prototype setter)', () => {
  const pet = "type: object\nproperties:\n  __proto__: { type: string }\n  name: { type: string }\n"
  const indented = pet.replace(/^/gm, '      ').trimEnd()
  it.each([
    ['in the document', { 'api.yaml': `${head}paths:\n  /a:\n    get:\n${mock}components:\n  schemas:\n    Pet:\n${indented}\n` }],
    ["in a $ref'd file (resolve-refs copies it)", { 'api.yaml': `${head}paths:\n  /a:\n    get:\n${mock}components:\n  schemas:\n    Pet: { $ref: './pet.yaml' }\n`, 'pet.yaml': pet }]
  ])('%s', (_name, files) => {
    const dir = tmp(files)
    const { definition } = importOpenApiFile(join(dir, 'api.yaml'))
    const model = (definition.protocol === 'REST' ? definition.models?.Pet : undefined) as { properties: Record<string, unknown> } | undefined
    const properties = model?.properties ?? {}
    expect(Object.keys(properties)).toEqual(['__proto__', 'name'])
    expect(Object.getOwnPropertyDescriptor(properties, '__proto__')?.value).toEqual({ type: 'string' })
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).type).toBeUndefined()
  })
})
