import fc from 'fast-check'
import { describe, it } from 'vitest'
import { importOpenApiObject, importOpenApiText } from '@gw/openapi'
import { fuzzParameters, hostileJson, hostileJsonWith, hostileKey, hostileString, succeedsOrThrows } from '../../../test/fuzz/hostile.js'

/**
 * Property-based fuzzing of the OpenAPI importer (issue #15 item 7, aws-semantics §16): generated hostile documents
 * and texts are imported or refused with GW_OPENAPI_INVALID / GW_OPENAPI_REF, never another exception, never a hang.
 * To replay a failure, put the printed seed and path into `fuzzParameters` (or run with FUZZ_SEED=<seed>).
 */
const CODES = ['GW_OPENAPI_INVALID', 'GW_OPENAPI_REF']

/** Mostly well-formed values with hostile parts, so the importer gets past its first checks. */
function documents(json: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  const maybe = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: json })
  const pathKey = fc.oneof(
    fc.constantFrom('/', '/pets', '/pets/{id}', '/{proxy+}', '/a/{b}/c', '/$default', '/pets/{id}/{proxy+}', '//x', '/x/', '/{a}{b}'),
    hostileString.map((s) => `/${s}`),
    hostileString
  )
  const integration = fc.record(
    {
      type: maybe(fc.constantFrom('mock', 'http_proxy', 'aws_proxy', 'http', 'aws', 'MOCK')),
      uri: maybe(fc.constantFrom('http://127.0.0.1:1/x', 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations')),
      httpMethod: maybe(fc.constantFrom('GET', 'POST', 'ANY')),
      requestTemplates: maybe(fc.dictionary(hostileKey, hostileString, { maxKeys: 3 })),
      requestParameters: maybe(fc.dictionary(hostileKey, hostileString, { maxKeys: 3 })),
      responses: maybe(fc.dictionary(hostileKey, fc.record({ statusCode: maybe(fc.constantFrom('200', '500', '99')), selectionPattern: maybe(hostileString) }, { requiredKeys: [] }), { maxKeys: 3 })),
      payloadFormatVersion: maybe(fc.constantFrom('1.0', '2.0')),
      timeoutInMillis: maybe(fc.integer())
    },
    { requiredKeys: [] }
  )
  const ref = fc.oneof(fc.constantFrom('#/components/schemas/Pet', '#/definitions/Pet', '#/components/schemas/Missing', '#', '#/paths', 'other.yaml#/x', 'http://127.0.0.1:1/x.yaml', '#/components/schemas/Loop'), hostileString)
  const schema = fc.oneof(json, ref.map(($ref) => ({ $ref })), fc.constant({ type: 'object', properties: { name: { type: 'string', pattern: '(a+)+$' } } }))
  const operation = fc.record(
    {
      operationId: maybe(hostileString),
      parameters: maybe(fc.array(fc.record({ name: hostileString, in: fc.constantFrom('path', 'query', 'header', 'cookie', 'body', 'formData'), required: fc.boolean(), schema }, { requiredKeys: ['name', 'in'] }), { maxLength: 3 })),
      requestBody: maybe(fc.record({ content: fc.dictionary(hostileKey, fc.record({ schema })) })),
      responses: maybe(fc.dictionary(hostileKey, fc.record({ description: hostileString, content: fc.dictionary(hostileKey, fc.record({ schema })) }, { requiredKeys: [] }), { maxKeys: 3 })),
      security: maybe(fc.array(fc.dictionary(hostileKey, fc.array(hostileString, { maxLength: 2 }), { maxKeys: 2 }), { maxLength: 2 })),
      'x-amazon-apigateway-integration': maybe(integration),
      'x-amazon-apigateway-request-validator': maybe(hostileString)
    },
    { requiredKeys: [] }
  )
  const pathItem = fc.dictionary(fc.oneof(fc.constantFrom('get', 'post', 'put', 'delete', 'options', 'head', 'patch', 'x-amazon-apigateway-any-method', 'parameters', '$ref'), hostileKey), maybe(operation), { maxKeys: 4 })
  const document = fc.record(
    {
      openapi: maybe(fc.constantFrom('3.0.1', '3.1.0', '3.0', '4.0.0')),
      swagger: maybe(fc.constantFrom('2.0', '1.2')),
      info: maybe(fc.record({ title: hostileString, version: hostileString }, { requiredKeys: [] })),
      basePath: maybe(hostileString),
      servers: maybe(fc.array(fc.record({ url: hostileString, variables: json }, { requiredKeys: [] }), { maxLength: 2 })),
      paths: maybe(fc.dictionary(pathKey, maybe(pathItem), { maxKeys: 4 })),
      components: maybe(fc.record({ schemas: fc.dictionary(fc.oneof(hostileKey, fc.constantFrom('Pet', 'Loop')), schema, { maxKeys: 3 }), securitySchemes: fc.dictionary(hostileKey, json, { maxKeys: 2 }) }, { requiredKeys: [] })),
      definitions: maybe(fc.dictionary(hostileKey, schema, { maxKeys: 2 })),
      'x-amazon-apigateway-request-validators': maybe(fc.dictionary(hostileKey, json, { maxKeys: 2 })),
      'x-amazon-apigateway-gateway-responses': maybe(json),
      'x-amazon-apigateway-cors': maybe(json),
      'x-amazon-apigateway-binary-media-types': maybe(fc.array(hostileString, { maxLength: 2 })),
      'x-amazon-apigateway-policy': maybe(json)
    },
    { requiredKeys: [] }
  )
  return document
}
const document = documents(hostileJson)
const options = fc.record({ basePath: fc.constantFrom('ignore', 'prepend', 'split'), failOnWarnings: fc.boolean() }, { requiredKeys: [] })

describe('fuzz: OpenAPI importer (§16)', () => {
  it('hostile documents (objects) import or fail with GW_OPENAPI_*', () => {
    // fuzzParameters(60) → add `seed: …, path: '…'` from a failure report to replay it
    fc.assert(fc.property(document, options, (doc, opts) => succeedsOrThrows(CODES, () => importOpenApiObject(doc, opts))), fuzzParameters(60))
  })

  it('hostile texts (JSON, YAML-ish, random) import or fail with GW_OPENAPI_*', () => {
    const yamlish = fc.array(fc.oneof(hostileString, fc.constantFrom('openapi: 3.0.1\n', 'paths:\n', '  /x:\n', '    get:\n', '- ', ': ', '&a ', '*a', '<<: *a\n', '!!binary ', '? ', '|\n', '>\n', '---\n', '...\n', '%YAML 1.2\n', '  ', '\n')), { maxLength: 30 }).map((parts) => parts.join(''))
    const text = fc.oneof(documents(hostileJsonWith(300)).map((d) => JSON.stringify(d)), yamlish, fc.string({ maxLength: 200 }))
    fc.assert(fc.property(text, (t) => succeedsOrThrows(CODES, () => importOpenApiText(t, 'fuzz.yaml'))), fuzzParameters(60))
  })
})
