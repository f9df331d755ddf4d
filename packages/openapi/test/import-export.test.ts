import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { type ApiDefinitionInput, type HttpApiDefinitionInput, type MethodDefinitionInput, type RestApiDefinitionInput } from '@gw/gateway'
import { exportOpenApi, formatOpenApi, importOpenApiFile, importOpenApiObject, importOpenApiText } from '@gw/openapi'

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url))
const fixtures = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f))

function rest(definition: ApiDefinitionInput): RestApiDefinitionInput {
  if (definition.protocol !== 'REST') throw new Error('expected a REST API')
  return definition
}

function http(definition: ApiDefinitionInput): HttpApiDefinitionInput {
  if (definition.protocol !== 'HTTP') throw new Error('expected an HTTP API')
  return definition
}

/** `METHOD /path` of every REST method, in document order. */
function methodKeys(definition: ApiDefinitionInput): string[] {
  return Object.entries(rest(definition).resources ?? {}).flatMap(([path, r]) => Object.keys(r.resourceMethods ?? {}).map((m) => `${m} ${path}`))
}

function method(definition: ApiDefinitionInput, key: string): MethodDefinitionInput {
  const [verb = '', path = ''] = key.split(' ')
  const found = rest(definition).resources?.[path]?.resourceMethods?.[verb as 'GET']
  if (found === undefined) throw new Error(`no method ${key}`)
  return found
}

describe('§16.1/§16.3 fixtures import and round-trip exactly', () => {
  it('has at least 10 fixtures with extensions', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10)
  })

  it.each(fixtures)('%s: import → export → import gives the same definition', (file) => {
    const first = importOpenApiFile(dir + file)
    const operations = first.definition.protocol === 'REST' ? methodKeys(first.definition) : Object.keys(first.definition.routes ?? {})
    expect(operations.length).toBeGreaterThan(0)
    const exported = exportOpenApi(first.definition)
    const again = importOpenApiObject(exported)
    expect(again.definition).toEqual(first.definition)
    expect(again.warnings).toEqual([])
    // Through text too, in both Accept formats (§16.3).
    for (const format of ['json', 'yaml'] as const) {
      expect(importOpenApiText(formatOpenApi(exported, format), `out.${format}`).definition).toEqual(first.definition)
    }
  })
})

describe('§16.2 extensions map onto the gateway definition', () => {
  it('PetStore (Swagger 2.0): mock root, HTTP integrations, models, request parameters', () => {
    const { definition, format } = importOpenApiFile(`${dir}01-petstore-swagger2.json`)
    expect(format).toBe('swagger2')
    expect(definition.protocol).toBe('REST')
    expect(definition.name).toBe('PetStore')
    expect(methodKeys(definition)).toEqual(['GET /', 'GET /pets', 'POST /pets', 'OPTIONS /pets', 'GET /pets/{petId}'])
    const post = method(definition, 'POST /pets')
    expect(post.operationName).toBe('CreatePet')
    expect(post.requestModels).toEqual({ 'application/json': 'NewPet' })
    expect(post.methodResponses?.['200']).toEqual({
      responseParameters: { 'method.response.header.Access-Control-Allow-Origin': false },
      responseModels: { 'application/json': 'NewPetResponse' }
    })
    const list = method(definition, 'GET /pets')
    expect(list.requestParameters).toEqual({ 'method.request.querystring.type': false, 'method.request.querystring.page': false })
    expect(list.integration).toMatchObject({ type: 'HTTP', httpMethod: 'GET', passthroughBehavior: 'WHEN_NO_MATCH' })
    expect(method(definition, 'GET /pets/{petId}').requestParameters).toEqual({ 'method.request.path.petId': true })
    expect(method(definition, 'GET /').integration?.type).toBe('MOCK')
    expect(Object.keys(rest(definition).models ?? {}).sort()).toEqual(['Empty', 'NewPet', 'NewPetResponse', 'Pet', 'PetType', 'Pets'])
  })

  it('§5 request validators: the root default becomes each method requestValidatorId unless the operation names one', () => {
    const { definition } = importOpenApiFile(`${dir}02-petstore-oas30-validators.yaml`)
    expect(rest(definition).requestValidators).toEqual({
      all: { validateRequestBody: true, validateRequestParameters: true },
      'params-only': { validateRequestBody: false, validateRequestParameters: true }
    })
    expect(definition.basePath).toBe('/v1')
    const post = method(definition, 'POST /validation')
    expect(post.requestValidatorId).toBe('all')
    expect(method(definition, 'GET /validation').requestValidatorId).toBe('params-only')
    expect(post.apiKeyRequired).toBe(true)
    expect(post.requestParameters).toEqual({ 'method.request.header.h1': true })
    expect(post.integration?.passthroughBehavior).toBe('WHEN_NO_TEMPLATES')
    expect(Object.keys(post.integration?.responses ?? {})).toEqual(['2\\d{2}', 'default'])
  })

  it('§2 greedy {proxy+} ANY with aws_proxy, binary media types, compression size', () => {
    const { definition } = importOpenApiFile(`${dir}03-lambda-proxy-greedy.yaml`)
    expect(methodKeys(definition)).toEqual(['ANY /{proxy+}'])
    expect(method(definition, 'ANY /{proxy+}').requestParameters).toEqual({ 'method.request.path.proxy': true })
    expect(method(definition, 'ANY /{proxy+}').integration).toMatchObject({ type: 'AWS_PROXY', contentHandling: 'CONVERT_TO_TEXT', timeoutInMillis: 29000, cacheKeyParameters: ['method.request.path.proxy'] })
    expect(rest(definition).binaryMediaTypes).toEqual(['image/png', 'application/octet-stream'])
    expect(rest(definition).minimumCompressionSize).toBe(1024)
  })

  it('§7 §16.2 cacheKeyParameters and cacheNamespace of x-amazon-apigateway-integration survive import → export → import', () => {
    const integration = { type: 'http_proxy', httpMethod: 'GET', uri: 'http://example.com/pets', cacheNamespace: 'pets', cacheKeyParameters: ['method.request.querystring.type', 'method.request.header.x-tenant'] }
    const doc = { openapi: '3.0.1', info: { title: 'c', version: '1' }, paths: { '/pets': { get: { 'x-amazon-apigateway-integration': integration } } } }
    const { definition } = importOpenApiObject(doc)
    expect(method(definition, 'GET /pets').integration).toMatchObject({ cacheNamespace: 'pets', cacheKeyParameters: integration.cacheKeyParameters })
    const exported = exportOpenApi(definition) as { paths: Record<string, Record<string, Record<string, unknown>>> }
    expect(exported.paths['/pets']?.get?.['x-amazon-apigateway-integration']).toMatchObject({ cacheNamespace: 'pets', cacheKeyParameters: integration.cacheKeyParameters })
    expect(method(importOpenApiObject(exported).definition, 'GET /pets').integration).toMatchObject({ cacheNamespace: 'pets', cacheKeyParameters: integration.cacheKeyParameters })
  })

  it('§10.2 TOKEN authorizer, api key source AUTHORIZER, basePath from Swagger 2', () => {
    const { definition } = importOpenApiFile(`${dir}04-token-authorizer-swagger2.json`)
    expect(rest(definition).apiKeySource).toBe('AUTHORIZER')
    expect(definition.basePath).toBe('/test')
    expect(definition.authorizers?.['test-authorizer']).toMatchObject({
      type: 'TOKEN',
      name: 'test-authorizer',
      authType: 'custom',
      identitySource: 'method.request.header.Authorization',
      authorizerResultTtlInSeconds: 60
    })
    expect(Object.values(rest(definition).resources ?? {})[0]?.resourceMethods?.GET).toMatchObject({ authorizationType: 'CUSTOM', authorizerId: 'test-authorizer', apiKeyRequired: true })
  })

  it.each([
    ['§10.3 REQUEST authorizer', '05-request-authorizer.yaml', 'request_authorizer_single_header', 'REQUEST', 'CUSTOM'],
    ['§10.6 Cognito user pools', '06-cognito-authorizer.yaml', 'cognito-pool-auth', 'COGNITO_USER_POOLS', 'COGNITO_USER_POOLS'],
    ['§10.7 JWT (HTTP API)', '09-http-api-jwt-cors.yaml', 'jwt-authorizer', 'JWT', 'JWT'],
    ['§10.5 HTTP API Lambda authorizer', '10-http-api-lambda-authorizer.yaml', 'my-lambda-authorizer', 'REQUEST', 'CUSTOM']
  ])('%s', (_name, file, scheme, type, authorizationType) => {
    const { definition } = importOpenApiFile(dir + file)
    expect(definition.authorizers?.[scheme]?.type).toBe(type)
    const first = definition.protocol === 'REST' ? Object.values(Object.values(definition.resources ?? {})[0]?.resourceMethods ?? {})[0] : Object.values(definition.routes ?? {})[0]
    expect(first).toMatchObject({ authorizerId: scheme, authorizationType })
  })

  it('§10.6 scopes become authorizationScopes', () => {
    const { definition } = importOpenApiFile(`${dir}06-cognito-authorizer.yaml`)
    const first = Object.values(Object.values(rest(definition).resources ?? {})[0]?.resourceMethods ?? {})[0]
    expect(first?.authorizationScopes).toEqual(['email', 'openid'])
    expect(first?.integration).toMatchObject({ type: 'HTTP_PROXY', connectionType: 'INTERNET', tlsConfig: { insecureSkipVerification: false } })
  })

  it('§12.2 gateway responses keep statusCode, parameters and templates', () => {
    const { definition } = importOpenApiFile(`${dir}07-gateway-responses.yaml`)
    const responses = rest(definition).gatewayResponses ?? {}
    expect(Object.keys(responses)).toEqual(['MISSING_AUTHENTICATION_TOKEN', 'DEFAULT_4XX', 'DEFAULT_5XX'])
    expect(responses.MISSING_AUTHENTICATION_TOKEN?.statusCode).toBe('404')
    expect(responses.DEFAULT_4XX?.responseParameters).toEqual({ 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" })
    expect(definition.basePath).toBe('/dev')
  })

  it('§10.9 policy, endpoint configuration in servers[], x-amazon-apigateway-auth AWS_IAM', () => {
    const { definition } = importOpenApiFile(`${dir}08-resource-policy-private.json`)
    expect((rest(definition).policy as { Statement: unknown[] }).Statement).toHaveLength(2)
    expect(definition.endpointConfiguration).toEqual({ vpcEndpointIds: ['vpce-0212a4ababd5b8c3e', 'vpce-01d622316a7df47f9'] })
    expect(definition.disableExecuteApiEndpoint).toBe(true)
    expect(Object.values(Object.values(rest(definition).resources ?? {})[0]?.resourceMethods ?? {})[0]?.authorizationType).toBe('AWS_IAM')
  })

  it('§11.2 HTTP API: cors, importexport-version, $default route, components integrations $ref', () => {
    const { definition } = importOpenApiFile(`${dir}09-http-api-jwt-cors.yaml`)
    const api = http(definition)
    expect(api.importExportVersion).toBe('1.0')
    expect(api.corsConfiguration).toMatchObject({ allowOrigins: ['https://www.example.com'], allowCredentials: true, maxAge: 3600 })
    // §1.3 routes are keyed by route key, $default included
    expect(Object.keys(api.routes ?? {})).toEqual(['GET /orders', 'POST /orders', '$default'])
    expect([api.routes?.['GET /orders'], api.routes?.['POST /orders']].map((r) => r?.integration?.payloadFormatVersion)).toEqual(['2.0', '2.0'])
    expect(api.routes?.['POST /orders']?.authorizationScopes).toEqual(['orders:write'])
    expect(api.routes?.$default?.integration).toMatchObject({ type: 'HTTP_PROXY', httpMethod: 'ANY' })
  })

  it('OpenAPI 3.1 is accepted', () => {
    const { format, definition } = importOpenApiFile(`${dir}11-oas31-mock-templates.yaml`)
    expect(format).toBe('oas31')
    const get = method(definition, 'GET /status')
    expect(get.methodResponses?.['200']?.responseParameters).toEqual({ 'method.response.header.X-Stage': true })
    // An inline response schema becomes a named model (API Gateway models are named, §16.1).
    expect(get.methodResponses?.['200']?.responseModels).toEqual({ 'application/json': 'GetStatusResponse200' })
    expect(rest(definition).models?.GetStatusResponse200).toEqual({ type: 'object', properties: { stage: { type: 'string' } } })
  })

  it('§3.6 AWS service integration signed with SigV4 (awsSigv4 authtype)', () => {
    const { definition } = importOpenApiFile(`${dir}12-aws-service-sqs.yaml`)
    const first = Object.values(Object.values(rest(definition).resources ?? {})[0]?.resourceMethods ?? {})[0]
    expect(first).toMatchObject({ authorizationType: 'AWS_IAM', requestModels: { 'application/json': 'PostMessagesRequest' } })
    expect(first?.integration).toMatchObject({ type: 'AWS', credentials: 'arn:aws:iam::123456789012:role/apigateway-sqs', passthroughBehavior: 'NEVER' })
  })

  it('relative-file $refs are inlined; model refs stay named', () => {
    const { definition } = importOpenApiFile(`${dir}13-external-refs.yaml`)
    const route = Object.values(Object.values(rest(definition).resources ?? {})[0]?.resourceMethods ?? {})[0]
    expect(route?.requestParameters).toEqual({ 'method.request.path.petId': true })
    expect(route?.integration).toMatchObject({ type: 'HTTP', requestParameters: { 'integration.request.path.petId': 'method.request.path.petId' } })
    expect(route?.methodResponses?.['200']?.responseModels).toEqual({ 'application/json': 'Pet' })
    expect(rest(definition).models?.Pet).toMatchObject({ type: 'object', properties: { tag: { type: 'string', maxLength: 20 } } })
  })

  it('unsupported extensions give a warning with their JSON pointer and line (never a silent drop)', () => {
    const { warnings } = importOpenApiFile(`${dir}14-documentation-tags.yaml`)
    expect(warnings.map((w) => w.pointer)).toEqual(['#/tags/0/x-amazon-apigateway-tag-value', '#/x-amazon-apigateway-documentation'])
    expect(warnings[0]!.line).toBe(7)
    expect(warnings[1]!.message).toMatch(/not supported/)
  })

  it('failOnWarnings turns the first warning into GW_OPENAPI_INVALID', () => {
    expect(() => importOpenApiFile(`${dir}14-documentation-tags.yaml`, { failOnWarnings: true })).toThrow(/x-amazon-apigateway-tag-value/)
  })

  it.each([
    ['prepend', '/v1/validation', undefined],
    ['split', '/validation', undefined],
    ['ignore', '/validation', '/v1']
  ] as const)('§16.1 basepath=%s', (mode, path, basePath) => {
    const { definition } = importOpenApiFile(`${dir}02-petstore-oas30-validators.yaml`, { basePath: mode })
    expect(Object.keys(rest(definition).resources ?? {})[0]).toBe(path)
    expect(definition.basePath).toBe(basePath)
  })
})
