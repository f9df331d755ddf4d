import { describe, expect, it } from 'vitest'
import { compose, type Middleware } from '@gw/core'
import { createRequestValidator, type RequestValidatorOptions } from '@gw/mapping'
import { serve } from './helpers.js'

/** A route that sets path parameters like the router does, validates, then answers 200 with $context.error details. */
async function server(options: RequestValidatorOptions): Promise<string> {
  const route: Middleware<object> = async (ctx, next) => {
    const m = /^\/items\/([^/?]*)/.exec(ctx.path)
    ctx.pathParameters = m ? { id: decodeURIComponent(m[1] ?? '') } : {}
    await next()
    if (ctx.error !== undefined) ctx.responseHeaders['x-validation'] = ctx.error.validationErrorString ?? ''
  }
  const ok: Middleware<object> = (ctx) => {
    ctx.json({ ok: true })
  }
  return serve(compose<object>([route, createRequestValidator(options), ok]))
}

const params: RequestValidatorOptions = {
  validateRequestParameters: true,
  requestParameters: {
    'method.request.querystring.qs1': true,
    'method.request.path.id': true,
    'method.request.header.x-header-param': true,
    'method.request.querystring.issuer': true,
    'method.request.querystring.optional': false
  }
}

describe('§5.1 parameter validation', () => {
  it.each([
    ['§5.1 all missing: bare names in lexical order of full keys', '/items/', {}, 'Missing required request parameters: [x-header-param, id, issuer, qs1]'],
    ['§5.1 only the missing ones are listed', '/items/7?issuer=me', {}, 'Missing required request parameters: [x-header-param, qs1]'],
    ['§5.1 blank values count as missing', '/items/7?issuer=&qs1=%20', { 'x-header-param': ' ' }, 'Missing required request parameters: [x-header-param, issuer, qs1]'],
    ['§5.1 query names are case-sensitive', '/items/7?ISSUER=me&qs1=1', { 'x-header-param': 'h' }, 'Missing required request parameters: [issuer]']
  ])('%s', async (_name, path, headers, message) => {
    const url = await server(params)
    const res = await fetch(url + path, { headers })
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException')
    expect(await res.json()).toEqual({ message })
  })

  it('§5.1 all present → the method runs', async () => {
    const url = await server(params)
    const res = await fetch(`${url}/items/7?issuer=me&qs1=1`, { headers: { 'x-header-param': 'h' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true })
  })

  it('§5.1 headers match the declared casing exactly by default', async () => {
    const url = await server({ validateRequestParameters: true, requestParameters: { 'method.request.header.X-Key': true } })
    const res = await fetch(`${url}/items/1`, { headers: { 'x-key': 'v' } })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ message: 'Missing required request parameters: [X-Key]' })
  })

  it('§5.1 opt-in case-insensitive header matching', async () => {
    const url = await server({ validateRequestParameters: true, headerMatching: 'case-insensitive', requestParameters: { 'method.request.header.X-Key': true } })
    expect((await fetch(`${url}/items/1`, { headers: { 'x-key': 'v' } })).status).toBe(200)
  })

  it('§5.1 validateRequestParameters false → nothing is checked', async () => {
    const url = await server({ ...params, validateRequestParameters: false })
    expect((await fetch(`${url}/items/`)).status).toBe(200)
  })
})

const models = {
  Pet: JSON.stringify({
    $schema: 'http://json-schema.org/draft-04/schema#',
    type: 'object',
    required: ['name', 'price'],
    properties: {
      name: { type: 'string', minLength: 2 },
      price: { type: 'number', minimum: 1, maximum: 100 },
      tag: { enum: ['a', 'b'] },
      owner: { $ref: 'https://apigateway.amazonaws.com/restapis/abc123/models/Owner' },
      kind: { oneOf: [{ type: 'string' }, { type: 'integer' }] }
    },
    example: { name: 'x' },
    discriminator: 'kind'
  }),
  Owner: { type: 'object', required: ['id'], properties: { id: { type: 'integer', format: 'int32' } } }
}
const body: RequestValidatorOptions = { validateRequestBody: true, requestModels: { 'application/json': 'Pet' }, models }

async function post(url: string, payload: string, contentType = 'application/json'): Promise<Response> {
  return fetch(`${url}/items/1`, { method: 'POST', body: payload, headers: { 'content-type': contentType } })
}

describe('§5.2 body validation', () => {
  it.each([
    ['§5.2 missing required properties', '{"price": 5}', '[object has missing required properties (["name"])]'],
    ['§5.2 empty body is validated as {}', '', '[object has missing required properties (["name","price"])]'],
    ['§5.2 wrong type', '{"name": "ab", "price": "5"}', '[instance type (string) does not match any allowed primitive type (allowed: ["number"])]'],
    ['§5.2 minimum', '{"name": "ab", "price": 0}', '[numeric instance is lower than the required minimum (minimum: 1, found: 0)]'],
    ['§5.2 minLength', '{"name": "a", "price": 5}', '[string "a" is too short (length: 1, required minimum: 2)]'],
    ['§5.2 enum', '{"name": "ab", "price": 5, "tag": "z"}', '[instance value ("z") not found in enum (possible values: ["a","b"])]'],
    ['§5.2 $ref to another model of the API', '{"name": "ab", "price": 5, "owner": {}}', '[object has missing required properties (["id"])]'],
    ['§5.2 oneOf works at runtime', '{"name": "ab", "price": 5, "kind": 1.5}', '#oneOf'],
    ['§5.2 non-JSON body is invalid', 'name=x', '[Invalid JSON in request body]']
  ])('%s', async (_name, payload, detail) => {
    const url = await server(body)
    const res = await post(url, payload)
    expect(res.status).toBe(400)
    expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException')
    expect(await res.json()).toEqual({ message: 'Invalid request body' })
    const v = res.headers.get('x-validation') ?? ''
    if (detail.startsWith('#')) expect(v).toContain(detail.slice(1))
    else expect(v).toBe(detail)
  })

  it('§5.2 a valid body reaches the method', async () => {
    const url = await server(body)
    const res = await post(url, '{"name": "ab", "price": 5, "owner": {"id": 3}, "kind": "x"}')
    expect(res.status).toBe(200)
  })

  it('§5.2 Content-Type parameters are ignored when choosing the model', async () => {
    const url = await server(body)
    expect((await post(url, '{}', 'application/json; charset=utf-8')).status).toBe(400)
  })

  it('§5.2 no model for the content type → not validated', async () => {
    const url = await server(body)
    expect((await post(url, 'anything', 'text/plain')).status).toBe(200)
  })

  it('§5.2 $default applies to any content type', async () => {
    const url = await server({ validateRequestBody: true, requestModels: { $default: 'Pet' }, models })
    expect((await post(url, '{}', 'text/plain')).status).toBe(400)
  })

  it('§5.2 built-in Empty model accepts any object', async () => {
    const url = await server({ validateRequestBody: true, requestModels: { 'application/json': 'Empty' } })
    expect((await post(url, '{"x":1}')).status).toBe(200)
    expect((await post(url, '[1]')).status).toBe(400)
  })

  it('§5.2 order: parameters first, then body', async () => {
    const url = await server({ ...body, ...params })
    const res = await post(url, '{}')
    expect(await res.json()).toEqual({ message: 'Missing required request parameters: [x-header-param, issuer, qs1]' })
  })

  it.each([
    ['unknown model name', { validateRequestBody: true, requestModels: { 'application/json': 'Nope' } }, 'GW_MAPPING_MODEL_INVALID'],
    ['model that is not JSON', { validateRequestBody: true, requestModels: { 'application/json': 'Bad' }, models: { Bad: '{' } }, 'GW_MAPPING_MODEL_INVALID'],
    ['schema that does not compile', { validateRequestBody: true, requestModels: { 'application/json': 'Bad' }, models: { Bad: { type: 'nonsense' } } }, 'GW_MAPPING_MODEL_INVALID'],
    ['bad parameter key', { validateRequestParameters: true, requestParameters: { 'querystring.x': true } }, 'GW_CONFIG_INVALID']
  ] as [string, RequestValidatorOptions, string][])('refuses at construction: %s', (_name, options, code) => {
    expect(() => createRequestValidator(options)).toThrow(expect.objectContaining({ code }))
  })
})
