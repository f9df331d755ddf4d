import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { exportOpenApi, formatOpenApi, importOpenApiFile, importOpenApiObject, importOpenApiText } from '@gw/openapi'

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url))
const fixtures = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f))

describe('§16.1/§16.3 fixtures import and round-trip exactly', () => {
  it('has at least 10 fixtures with extensions', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10)
  })

  it.each(fixtures)('%s: import → export → import gives the same definition', (file) => {
    const first = importOpenApiFile(dir + file)
    expect(first.definition.routes.length).toBeGreaterThan(0)
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

describe('§16.2 extensions map onto API Gateway objects', () => {
  it('PetStore (Swagger 2.0): mock root, HTTP integrations, models, request parameters', () => {
    const { definition, format } = importOpenApiFile(`${dir}01-petstore-swagger2.json`)
    expect(format).toBe('swagger2')
    expect(definition.protocol).toBe('REST')
    expect(definition.name).toBe('PetStore')
    expect(definition.routes.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /', 'GET /pets', 'POST /pets', 'OPTIONS /pets', 'GET /pets/{petId}'])
    const post = definition.routes[2]!
    expect(post.operationName).toBe('CreatePet')
    expect(post.requestModels).toEqual({ 'application/json': 'NewPet' })
    expect(post.methodResponses['200']).toEqual({
      responseParameters: { 'method.response.header.Access-Control-Allow-Origin': false },
      responseModels: { 'application/json': 'NewPetResponse' }
    })
    const list = definition.routes[1]!
    expect(list.requestParameters).toEqual({ 'method.request.querystring.type': false, 'method.request.querystring.page': false })
    expect(list.integration).toMatchObject({ type: 'HTTP', httpMethod: 'GET', passthroughBehavior: 'WHEN_NO_MATCH' })
    expect(definition.routes[4]!.requestParameters).toEqual({ 'method.request.path.petId': true })
    expect(definition.routes[0]!.integration?.type).toBe('MOCK')
    expect(Object.keys(definition.models).sort()).toEqual(['Empty', 'NewPet', 'NewPetResponse', 'Pet', 'PetType', 'Pets'])
  })

  it('§5 request validators: root default and operation override', () => {
    const { definition } = importOpenApiFile(`${dir}02-petstore-oas30-validators.yaml`)
    expect(definition.requestValidators).toEqual({
      all: { validateRequestBody: true, validateRequestParameters: true },
      'params-only': { validateRequestBody: false, validateRequestParameters: true }
    })
    expect(definition.requestValidator).toBe('params-only')
    expect(definition.basePath).toBe('/v1')
    const post = definition.routes.find((r) => r.method === 'POST')!
    expect(post.requestValidator).toBe('all')
    expect(post.apiKeyRequired).toBe(true)
    expect(post.requestParameters).toEqual({ 'method.request.header.h1': true })
    expect(post.integration?.passthroughBehavior).toBe('WHEN_NO_TEMPLATES')
    expect(Object.keys(post.integration?.responses ?? {})).toEqual(['2\\d{2}', 'default'])
  })

  it('§2 greedy {proxy+} ANY with aws_proxy, binary media types, compression size', () => {
    const { definition } = importOpenApiFile(`${dir}03-lambda-proxy-greedy.yaml`)
    expect(definition.routes).toHaveLength(1)
    expect(definition.routes[0]).toMatchObject({ method: 'ANY', path: '/{proxy+}', requestParameters: { 'method.request.path.proxy': true } })
    expect(definition.routes[0]!.integration).toMatchObject({ type: 'AWS_PROXY', contentHandling: 'CONVERT_TO_TEXT', timeoutInMillis: 29000, cacheKeyParameters: ['method.request.path.proxy'] })
    expect(definition.binaryMediaTypes).toEqual(['image/png', 'application/octet-stream'])
    expect(definition.minimumCompressionSize).toBe(1024)
  })

  it('§7 §16.2 cacheKeyParameters and cacheNamespace of x-amazon-apigateway-integration survive import → export → import', () => {
    const integration = { type: 'http_proxy', httpMethod: 'GET', uri: 'http://example.com/pets', cacheNamespace: 'pets', cacheKeyParameters: ['method.request.querystring.type', 'method.request.header.x-tenant'] }
    const doc = { openapi: '3.0.1', info: { title: 'c', version: '1' }, paths: { '/pets': { get: { 'x-amazon-apigateway-integration': integration } } } }
    const { definition } = importOpenApiObject(doc)
    expect(definition.routes[0]?.integration).toMatchObject({ cacheNamespace: 'pets', cacheKeyParameters: integration.cacheKeyParameters })
    const exported = exportOpenApi(definition) as { paths: Record<string, Record<string, Record<string, unknown>>> }
    expect(exported.paths['/pets']?.get?.['x-amazon-apigateway-integration']).toMatchObject({ cacheNamespace: 'pets', cacheKeyParameters: integration.cacheKeyParameters })
    expect(importOpenApiObject(exported).definition.routes[0]?.integration).toMatchObject({ cacheNamespace: 'pets', cacheKeyParameters: integration.cacheKeyParameters })
  })

  it('§10.2 TOKEN authorizer, api key source AUTHORIZER, basePath from Swagger 2', () => {
    const { definition } = importOpenApiFile(`${dir}04-token-authorizer-swagger2.json`)
    expect(definition.apiKeySource).toBe('AUTHORIZER')
    expect(definition.basePath).toBe('/test')
    expect(definition.authorizers['test-authorizer']).toMatchObject({
      type: 'TOKEN',
      authType: 'custom',
      identitySource: 'method.request.header.Authorization',
      authorizerResultTtlInSeconds: 60
    })
    expect(definition.routes[0]).toMatchObject({ authorizationType: 'CUSTOM', authorizer: 'test-authorizer', apiKeyRequired: true })
  })

  it.each([
    ['§10.3 REQUEST authorizer', '05-request-authorizer.yaml', 'request_authorizer_single_header', 'REQUEST', 'CUSTOM'],
    ['§10.6 Cognito user pools', '06-cognito-authorizer.yaml', 'cognito-pool-auth', 'COGNITO_USER_POOLS', 'COGNITO_USER_POOLS'],
    ['§10.7 JWT (HTTP API)', '09-http-api-jwt-cors.yaml', 'jwt-authorizer', 'JWT', 'JWT'],
    ['§10.5 HTTP API Lambda authorizer', '10-http-api-lambda-authorizer.yaml', 'my-lambda-authorizer', 'REQUEST', 'CUSTOM']
  ])('%s', (_name, file, scheme, type, authorizationType) => {
    const { definition } = importOpenApiFile(dir + file)
    expect(definition.authorizers[scheme]?.type).toBe(type)
    expect(definition.routes[0]).toMatchObject({ authorizer: scheme, authorizationType })
  })

  it('§10.6 scopes become authorizationScopes', () => {
    const { definition } = importOpenApiFile(`${dir}06-cognito-authorizer.yaml`)
    expect(definition.routes[0]!.authorizationScopes).toEqual(['email', 'openid'])
    expect(definition.routes[0]!.integration).toMatchObject({ type: 'HTTP_PROXY', connectionType: 'INTERNET', tlsConfig: { insecureSkipVerification: false } })
  })

  it('§12.2 gateway responses keep statusCode, parameters and templates', () => {
    const { definition } = importOpenApiFile(`${dir}07-gateway-responses.yaml`)
    expect(Object.keys(definition.gatewayResponses ?? {})).toEqual(['MISSING_AUTHENTICATION_TOKEN', 'DEFAULT_4XX', 'DEFAULT_5XX'])
    expect(definition.gatewayResponses?.MISSING_AUTHENTICATION_TOKEN?.statusCode).toBe('404')
    expect(definition.gatewayResponses?.DEFAULT_4XX?.responseParameters).toEqual({ 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" })
    expect(definition.basePath).toBe('/dev')
  })

  it('§10.9 policy, endpoint configuration in servers[], x-amazon-apigateway-auth AWS_IAM', () => {
    const { definition } = importOpenApiFile(`${dir}08-resource-policy-private.json`)
    expect((definition.policy as { Statement: unknown[] }).Statement).toHaveLength(2)
    expect(definition.endpointConfiguration).toEqual({ disableExecuteApiEndpoint: true, vpcEndpointIds: ['vpce-0212a4ababd5b8c3e', 'vpce-01d622316a7df47f9'] })
    expect(definition.routes[0]!.authorizationType).toBe('AWS_IAM')
  })

  it('§11.2 HTTP API: cors, importexport-version, $default route, components integrations $ref', () => {
    const { definition } = importOpenApiFile(`${dir}09-http-api-jwt-cors.yaml`)
    expect(definition.protocol).toBe('HTTP')
    expect(definition.importExportVersion).toBe('1.0')
    expect(definition.cors).toMatchObject({ allowOrigins: ['https://www.example.com'], allowCredentials: true, maxAge: 3600 })
    const orders = definition.routes.filter((r) => r.path === '/orders')
    expect(orders.map((r) => r.integration?.payloadFormatVersion)).toEqual(['2.0', '2.0'])
    expect(orders[1]!.authorizationScopes).toEqual(['orders:write'])
    expect(definition.routes.find((r) => r.path === '/$default')).toMatchObject({ method: 'ANY', isDefaultRoute: true })
  })

  it('OpenAPI 3.1 is accepted', () => {
    const { format, definition } = importOpenApiFile(`${dir}11-oas31-mock-templates.yaml`)
    expect(format).toBe('oas31')
    expect(definition.routes[0]!.methodResponses['200']!.responseParameters).toEqual({ 'method.response.header.X-Stage': true })
    // An inline response schema becomes a named model (API Gateway models are named, §16.1).
    expect(definition.routes[0]!.methodResponses['200']!.responseModels).toEqual({ 'application/json': 'GetStatusResponse200' })
    expect(definition.models.GetStatusResponse200).toEqual({ type: 'object', properties: { stage: { type: 'string' } } })
  })

  it('§3.6 AWS service integration signed with SigV4 (awsSigv4 authtype)', () => {
    const { definition } = importOpenApiFile(`${dir}12-aws-service-sqs.yaml`)
    expect(definition.routes[0]).toMatchObject({ authorizationType: 'AWS_IAM', requestModels: { 'application/json': 'PostMessagesRequest' } })
    expect(definition.routes[0]!.integration).toMatchObject({ type: 'AWS', credentials: 'arn:aws:iam::123456789012:role/apigateway-sqs', passthroughBehavior: 'NEVER' })
  })

  it('relative-file $refs are inlined; model refs stay named', () => {
    const { definition } = importOpenApiFile(`${dir}13-external-refs.yaml`)
    const route = definition.routes[0]!
    expect(route.requestParameters).toEqual({ 'method.request.path.petId': true })
    expect(route.integration).toMatchObject({ type: 'HTTP', requestParameters: { 'integration.request.path.petId': 'method.request.path.petId' } })
    expect(route.methodResponses['200']!.responseModels).toEqual({ 'application/json': 'Pet' })
    expect(definition.models.Pet).toMatchObject({ type: 'object', properties: { tag: { type: 'string', maxLength: 20 } } })
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
    ['prepend', '/v1/validation'],
    ['split', '/validation'],
    ['ignore', '/validation']
  ] as const)('§16.1 basepath=%s', (mode, path) => {
    const { definition } = importOpenApiFile(`${dir}02-petstore-oas30-validators.yaml`, { basePath: mode })
    expect(definition.routes[0]!.path).toBe(path)
  })
})
