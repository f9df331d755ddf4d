import { describe, expect, it } from 'vitest'
import { request } from 'undici'
import { createIntegration, type IntegrationDefinition } from '@gw/integrations'
import { GatewayContext, compose, toNodeHandler, type RequestSource } from '@gw/core'
import { gateway, listen, route } from './helpers.js'

const responses = {
  '200': { statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' }, responseParameters: { 'method.response.header.X-Static': "'yes'", 'method.response.header.Server': "'mock'" } },
  '404': { statusCode: '404', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': '{"message":"nope"}' } },
  '500': { statusCode: '500', selectionPattern: '5\\d{2}' }
}

const rows: [string, IntegrationDefinition, number, string, Record<string, string>][] = [
  ['§3.5 statusCode 200 → default response, template body, static header', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, integrationResponses: responses }, 200, '{"ok":true}', { 'x-static': 'yes' }],
  ['§3.5/§4.8 statusCode 404 selects 4\\d{2}', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 404}' }, integrationResponses: responses }, 404, '{"message":"nope"}', {}],
  ['§3.3 mapped Server header is remapped', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, integrationResponses: responses }, 200, '{"ok":true}', { 'x-amzn-remapped-server': 'mock' }],
  ['§3.5 lenient parser: trailing garbage still yields statusCode', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200} trailing' }, integrationResponses: responses }, 200, '{"ok":true}', {}],
  ['§3.5 missing statusCode → 500', { type: 'MOCK', requestTemplates: { 'application/json': '{"status": 200}' }, integrationResponses: responses }, 500, '{"message":"Internal server error"}', { 'x-amzn-errortype': 'InternalServerErrorException' }],
  ['§3.5 non-integer statusCode → 500', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 20.5}' }, integrationResponses: responses }, 500, '{"message":"Internal server error"}', {}],
  ['§3.5 no templates → default response', { type: 'MOCK', integrationResponses: responses }, 200, '{"ok":true}', {}],
  ['§4.8 step 4 no match and no default → 500', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 302}' }, integrationResponses: { '404': responses['404'] } }, 500, '{"message":"Internal server error"}', {}],
  ['§4.6 NEVER without templates → 415', { type: 'MOCK', passthroughBehavior: 'NEVER', integrationResponses: responses }, 415, '{"message":"Unsupported Media Type"}', { 'x-amzn-errortype': 'BadRequestException' }],
  ['OpenAPI `responses` keyed by pattern (as @gw/gateway passes them)', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 503}' }, responses: { default: responses['200'], '5\\d{2}': { statusCode: '502', responseTemplates: { 'application/json': '{"down":1}' } } } }, 502, '{"down":1}', {}]
]

describe('MOCK (§3.5)', () => {
  it.each(rows)('%s', async (_name, def, status, body, headers) => {
    const url = await gateway([route({}), createIntegration(def)])
    const res = await request(`${url}/prod/anything`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(res.statusCode).toBe(status)
    expect(await res.body.text()).toBe(body)
    for (const [k, v] of Object.entries(headers)) expect(res.headers[k]).toBe(v)
    expect(res.headers['content-type']).toBe('application/json')
  })

  it('§4.6 WHEN_NO_TEMPLATES with a template for another type → 415', async () => {
    const url = await gateway([route({}), createIntegration({ type: 'MOCK', passthroughBehavior: 'WHEN_NO_TEMPLATES', requestTemplates: { 'application/xml': '{"statusCode": 200}' }, integrationResponses: responses })])
    const res = await request(`${url}/prod/x`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' })
    expect(res.statusCode).toBe(415)
    await res.body.dump()
  })

  it.each([
    ['scope=internal → 200', 'internal', 200, '{"scope":"internal","id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}'],
    ['other scope → 500 response', 'public', 500, '{"message":"mock error"}']
  ])('§3.5 VTL branch in the request template (@gw/mapping): %s', async (_n, scope, status, body) => {
    const url = await gateway([
      route({}),
      createIntegration({
        type: 'MOCK',
        requestTemplates: { 'application/json': '#if($input.params(\'scope\') == "internal") {"statusCode": 200} #else {"statusCode": 500} #end' },
        integrationResponses: {
          '200': { statusCode: '200', responseTemplates: { 'application/json': '{"scope":"$input.params(\'scope\')","id":"$context.requestId"}' } },
          '500': { statusCode: '500', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': '{"message":"mock error"}' } }
        }
      })
    ])
    const res = await request(`${url}/prod/x?scope=${scope}`, { headers: { 'x-amzn-requestid': 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' } })
    expect(res.statusCode).toBe(status)
    expect(await res.body.text()).toBe(body)
  })

  it('§4.7 responseOverride.status and header from the response template', async () => {
    const url = await gateway([
      route({}),
      createIntegration({
        type: 'MOCK',
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        integrationResponses: { '200': { statusCode: '200', responseTemplates: { 'application/json': '#set($context.responseOverride.status = 418)#set($context.responseOverride.header.X-Teapot = "yes"){}' } } }
      })
    ])
    const res = await request(`${url}/prod/x`)
    expect(res.statusCode).toBe(418)
    expect(res.headers['x-teapot']).toBe('yes')
    expect(await res.body.text()).toBe('{}')
  })

  it.each([
    ['timeoutInMillis below 50 (§3.1)', { type: 'HTTP_PROXY', uri: 'http://x', timeoutInMillis: 10 }],
    ['unknown type', { type: 'LAMBDA' }],
    ['HTTP_PROXY without uri (§3)', { type: 'HTTP_PROXY' }],
    ['bad statusCode in integrationResponses', { type: 'MOCK', integrationResponses: { x: { statusCode: '99' } } }]
  ])('GW_CONFIG_INVALID: %s', (_n, def) => {
    expect(() => createIntegration(def as IntegrationDefinition)).toThrowError(expect.objectContaining({ code: 'GW_CONFIG_INVALID' }) as Error)
  })
})

describe('MOCK fast paths: a constant request template answers exactly like a rendered one (§3.5)', () => {
  const integrationResponses = {
    '200': { statusCode: '200', responseTemplates: { 'application/json': '{"ok":true,"stage":"$context.stage"}' }, responseParameters: { 'method.response.header.X-Static': "'yes'" } },
    '404': { statusCode: '404', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': '{"message":"nope"}' } }
  }
  it.each([
    ['GET without a body', 'GET', undefined],
    ['POST with a body', 'POST', '{"x":1}']
  ])('%s: same status, headers and body', async (_name, method, body) => {
    const answers = []
    for (const template of ['{"statusCode": 404}', '#set($s = 404){"statusCode": $s}', '{"statusCode": 200}', '#set($s = 200){"statusCode": $s}']) {
      const url = await gateway([route({}), createIntegration({ type: 'MOCK', requestTemplates: { 'application/json': template }, integrationResponses })])
      const res = await request(`${url}/prod/x`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }) })
      const { date: _date, ...headers } = res.headers
      answers.push({ status: res.statusCode, headers, body: await res.body.text() })
    }
    expect(answers[0]).toEqual(answers[1])
    expect(answers[2]).toEqual(answers[3])
    expect(answers[0]).toMatchObject({ status: 404, body: '{"message":"nope"}' })
    expect(answers[2]).toMatchObject({ status: 200, body: '{"ok":true,"stage":"prod"}', headers: { 'x-static': 'yes' } })
  })

  it('§15: a constant template still reads (and limits) a request body', async () => {
    const { url } = await listen(toNodeHandler(compose<object>([route({}), createIntegration({ type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, integrationResponses })]), { bodyLimit: 8 }))
    const res = await request(`${url}/prod/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":"0123456789"}' })
    expect(res.statusCode).toBe(413)
    await res.body.dump()
  })
})

describe('static response parameters (§4.8) resolved once', () => {
  it("'value' literals, a trimmed literal and a request-header source answer as before", async () => {
    const url = await gateway([
      route({}),
      createIntegration({
        type: 'MOCK',
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        integrationResponses: {
          '200': {
            statusCode: '200',
            responseParameters: {
              'method.response.header.Access-Control-Allow-Origin': "'*'",
              'method.response.header.X-Spaced': "  'a b'  ",
              'method.response.header.X-Empty': "''",
              'method.response.header.X-From-Request': 'method.request.header.X-In'
            }
          }
        }
      })
    ])
    const res = await request(`${url}/prod/x`, { headers: { 'X-In': 'echo' } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe('*')
    expect(res.headers['x-spaced']).toBe('a b')
    expect(res.headers['x-empty']).toBe('')
    expect(res.headers['x-from-request']).toBe('echo')
    await res.body.dump()
  })
})

describe('constantAnswer(): what a MOCK answers regardless of the request, or undefined (§3.5, §4.8)', () => {
  const source = (contentType: string, accept: string): RequestSource => ({
    method: 'POST',
    url: '/x',
    headers: { 'content-type': contentType, accept },
    rawHeaders: [],
    remoteAddress: '127.0.0.1',
    protocol: 'http',
    readBody: () => Promise.resolve(Buffer.from('{"a":1}')),
    stream: () => null,
    hasBody: true,
    signal: new AbortController().signal
  })
  const reads = { '200': { statusCode: '200', responseTemplates: { 'application/json': '{"id":"$context.requestId"}' } } }
  const cases: [string, IntegrationDefinition, boolean][] = [
    // rows above: constant unless the selected response maps headers (the default 200 one) or the answer is a rejection
    ...rows.map(([name, def], i): [string, IntegrationDefinition, boolean] => [name, def, i === 1 || i === 9]),
    ['a request template that reads the body', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": $input.json(\'$.a\')}0' }, integrationResponses: responses }, false],
    ['a response template that reads $context', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, integrationResponses: reads }, false],
    ['passthrough (no template for the type), constant response', { type: 'MOCK', requestTemplates: { 'application/xml': '{"statusCode": 404}' }, integrationResponses: { '200': { statusCode: '200', responseTemplates: { 'application/json': 'fixed' } } } }, true]
  ]
  it.each(cases)('%s', async (_name, def, constant) => {
    const mw = createIntegration(def)
    const answer = mw.constantAnswer?.('application/json', 'application/json')
    expect(answer !== undefined).toBe(constant)
    if (answer === undefined) return
    // The same as running the middleware: status, headers, body.
    const ctx = new GatewayContext(source('application/json', 'application/json'))
    await mw(ctx, () => Promise.resolve())
    expect(ctx.error).toBeUndefined()
    expect(answer).toEqual({ status: ctx.status, headers: { ...ctx.responseHeaders }, body: ctx.body })
  })

  it('only MOCK integrations offer it', () => {
    expect(createIntegration({ type: 'HTTP_PROXY', httpMethod: 'ANY', uri: 'http://127.0.0.1:9/x' }).constantAnswer).toBeUndefined()
  })
})
