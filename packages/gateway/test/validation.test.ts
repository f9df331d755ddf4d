import { describe, expect, it } from 'vitest'
import { silentLogger } from '@gw/core'
import { createGateway, type ApiDefinitionInput } from '@gw/gateway'
import { mock, start } from './serve.js'

function api(extra: Partial<ApiDefinitionInput> = {}): ApiDefinitionInput {
  return {
    protocol: 'REST',
    name: 'validated',
    stages: { prod: {}, dev: {} },
    requestValidators: { all: { validateRequestBody: true, validateRequestParameters: true }, params: { validateRequestParameters: true } },
    models: { Pet: JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', required: ['name'], properties: { name: { type: 'string' } } }) },
    resources: {
      '/pets/{id}': {
        resourceMethods: {
          POST: {
            requestValidatorId: 'all',
            requestParameters: { 'method.request.querystring.qs1': true, 'method.request.header.x-header-param': true, 'method.request.path.id': true, 'method.request.querystring.optional': false },
            requestModels: { 'application/json': 'Pet' },
            integration: mock
          },
          // Same parameters, but this validator does not check bodies.
          PUT: { requestValidatorId: 'params', requestParameters: { 'method.request.querystring.qs1': true }, requestModels: { 'application/json': 'Pet' }, integration: mock },
          // No validator: declared requirements are documentation only (§5).
          GET: { requestParameters: { 'method.request.querystring.qs1': true }, integration: mock }
        }
      }
    },
    ...extra
  }
}

const json = { 'content-type': 'application/json' }

describe('createGateway: default request validation from @gw/mapping (§5, §0.1 step 8)', () => {
  it.each([
    ['§5.1 missing header and query → names in lexical order of their full keys', '/prod/pets/7', {}, '{"name":"rex"}', 400, '{"message":"Missing required request parameters: [x-header-param, qs1]"}'],
    ['§5.1 blank value counts as missing', '/prod/pets/7?qs1=%20', { 'x-header-param': 'h' }, '{"name":"rex"}', 400, '{"message":"Missing required request parameters: [qs1]"}'],
    ['§5.2 body against the model', '/prod/pets/7?qs1=a', { 'x-header-param': 'h' }, '{"age":3}', 400, '{"message":"Invalid request body"}'],
    ['§5.2 non-JSON body is invalid', '/prod/pets/7?qs1=a', { 'x-header-param': 'h' }, 'not json', 400, '{"message":"Invalid request body"}'],
    ['§5 valid request reaches the integration', '/prod/pets/7?qs1=a', { 'x-header-param': 'h' }, '{"name":"rex"}', 200, '{"ok":true}']
  ])('%s', async (_name, path, headers, body, status, expected) => {
    const url = await start(api())
    const res = await fetch(url + path, { method: 'POST', headers: { ...json, ...headers }, body })
    expect(res.status).toBe(status)
    expect(await res.text()).toBe(expected)
    if (status === 400) expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException')
  })

  it('§5.2 parameters are checked before the body', async () => {
    const url = await start(api())
    const res = await fetch(`${url}/prod/pets/7`, { method: 'POST', headers: json, body: 'not json' })
    expect(await res.text()).toBe('{"message":"Missing required request parameters: [x-header-param, qs1]"}')
  })

  it('§5 a parameters-only validator leaves the body alone; no validator checks nothing', async () => {
    const url = await start(api())
    const put = await fetch(`${url}/dev/pets/7?qs1=a`, { method: 'PUT', headers: json, body: '{"age":3}' })
    expect([put.status, await put.text()]).toEqual([200, '{"ok":true}'])
    const putMissing = await fetch(`${url}/dev/pets/7`, { method: 'PUT', headers: json, body: '{"name":"a"}' })
    expect([putMissing.status, await putMissing.text()]).toEqual([400, '{"message":"Missing required request parameters: [qs1]"}'])
    const get = await fetch(`${url}/dev/pets/7`)
    expect(get.status).toBe(200)
  })

  it('§12.2 BAD_REQUEST_PARAMETERS and BAD_REQUEST_BODY are customisable gateway responses', async () => {
    const url = await start(
      api({
        gatewayResponses: {
          BAD_REQUEST_PARAMETERS: { statusCode: 422, responseTemplates: { 'application/json': '{"missing":$context.error.messageString}' } },
          BAD_REQUEST_BODY: { responseTemplates: { 'application/json': '{"why":"$context.error.validationErrorString"}' } }
        }
      })
    )
    const params = await fetch(`${url}/prod/pets/7?qs1=a`, { method: 'POST', headers: json, body: '{}' })
    expect(params.status).toBe(422)
    expect(await params.text()).toBe('{"missing":"Missing required request parameters: [x-header-param]"}')
    const body = await fetch(`${url}/prod/pets/7?qs1=a`, { method: 'POST', headers: { ...json, 'x-header-param': 'h' }, body: '{}' })
    expect(body.status).toBe(400)
    // the variable is substituted as is, unescaped, as AWS does
    expect(await body.text()).toBe('{"why":"[object has missing required properties (["name"])]"}')
  })

  it('a model that is not JSON Schema is refused at construction', () => {
    expect(() => createGateway(api({ models: { Pet: '{not json' } }), { logger: silentLogger })).toThrow(expect.objectContaining({ code: 'GW_MAPPING_MODEL_INVALID' }))
  })
})
