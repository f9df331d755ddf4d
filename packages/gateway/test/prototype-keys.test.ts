import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { LambdaHandler } from '@gw/integrations'
import { start } from './serve.js'

/**
 * Keys kept verbatim (issue #15 item 4): `__proto__`, `constructor` and
 * `prototype` as query, header, path-parameter, stage-variable and JSON keys
 * are ordinary data in Lambda events (§2.1, §2.2), mapping templates (§4) and
 * request validation (§5), and pollute nothing.
 */
const KEYS = ['__proto__', 'constructor', 'prototype'] as const
const QUERY = '__proto__=p&constructor=c&prototype=t&__proto__=p2'
const uri = (fn: string): string => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${fn}/invocations`

function noPollution(): void {
  const probe = {} as Record<string, unknown>
  expect(Object.keys(Object.prototype)).toEqual([])
  expect(probe['polluted']).toBeUndefined()
  expect(typeof probe['constructor']).toBe('function')
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype)
}
afterEach(noPollution)

/** GET with raw header lines (fetch would refuse none of these, but a raw socket shows exactly what is sent). */
function rawGet(url: string, target: string, headers: string[]): Promise<{ status: number; body: string }> {
  const { port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      resolve({ status: Number(text.slice(9, 12)), body: text.slice(text.indexOf('\r\n\r\n') + 4) })
    })
    socket.write(`GET ${target} HTTP/1.1\r\nHost: gw.test\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`)
  })
}

const hostile = ['__proto__: hp', 'constructor: hc', 'prototype: ht']

describe('__proto__, constructor, prototype are ordinary keys', () => {
  it('§2.1 Lambda proxy 1.0 event: query, multi-value query, headers, path parameter, stage variables keep them', async () => {
    const events: Record<string, unknown>[] = []
    const fn: LambdaHandler = (event) => {
      events.push(JSON.parse(JSON.stringify(event)) as Record<string, unknown>)
      return Promise.resolve({ statusCode: 200, body: 'ok' })
    }
    const url = await start(
      {
        protocol: 'REST',
        name: 'p',
        stages: { prod: { variables: JSON.parse('{"__proto__":"sv1","constructor":"sv2","prototype":"sv3"}') as Record<string, string> } },
        resources: { '/x/{constructor}': { resourceMethods: { GET: { integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: uri('fn') } } } } }
      },
      { integrations: { lambda: { fn } } }
    )
    const res = await rawGet(url, `/prod/x/v?${QUERY}`, hostile)
    expect(res.status).toBe(200)
    const e = events[0] as Record<string, Record<string, unknown>>
    expect(Object.keys(e['queryStringParameters'] ?? {}).sort()).toEqual([...KEYS].sort())
    expect(e['queryStringParameters']).toMatchObject({ constructor: 'c', prototype: 't' })
    expect(JSON.stringify(e['queryStringParameters'])).toContain('"__proto__":"p2"')
    expect(JSON.stringify(e['multiValueQueryStringParameters'])).toContain('"__proto__":["p","p2"]')
    expect(JSON.stringify(e['headers'])).toContain('"__proto__":"hp"')
    expect(e['headers']).toMatchObject({ constructor: 'hc', prototype: 'ht' })
    expect(JSON.stringify(e['pathParameters'])).toBe('{"constructor":"v"}')
    expect(JSON.stringify(e['stageVariables'])).toContain('"__proto__":"sv1"')
    expect(e['stageVariables']).toMatchObject({ constructor: 'sv2', prototype: 'sv3' })
  })

  it('§2.2 Lambda proxy 2.0 event: query and headers keep them', async () => {
    const events: Record<string, unknown>[] = []
    const fn: LambdaHandler = (event) => {
      events.push(JSON.parse(JSON.stringify(event)) as Record<string, unknown>)
      return Promise.resolve({ statusCode: 200, body: 'ok' })
    }
    const url = await start(
      { protocol: 'HTTP', name: 'h', routes: { 'GET /x': { integrationId: 'l' } }, integrations: { l: { type: 'AWS_PROXY', uri: uri('fn'), payloadFormatVersion: '2.0' } } },
      { integrations: { lambda: { fn } } }
    )
    const res = await rawGet(url, `/x?${QUERY}`, hostile)
    expect(res.status).toBe(200)
    const e = events[0] as Record<string, Record<string, unknown>>
    expect(JSON.stringify(e['queryStringParameters'])).toContain('"__proto__":"p,p2"')
    expect(e['queryStringParameters']).toMatchObject({ constructor: 'c', prototype: 't' })
    expect(JSON.stringify(e['headers'])).toContain('"__proto__":"hp"')
  })

  it('§4.1 mapping templates: $input.params, $input.path, $stageVariables see them as data, absent ones are empty', async () => {
    const template = [
      '{',
      '"q":"$input.params(\'__proto__\')","c":"$input.params(\'constructor\')","h":"$input.params().header.get(\'prototype\')",',
      '"missing":"$input.params(\'toString\')","sv":"$stageVariables.__proto__","svc":"$stageVariables.constructor"',
      '}'
    ].join('')
    const url = await start({
      protocol: 'REST',
      name: 'm',
      stages: { prod: { variables: JSON.parse('{"__proto__":"sv1"}') as Record<string, string> } },
      resources: {
        '/m': {
          resourceMethods: {
            POST: {
              integration: {
                type: 'MOCK',
                // The request body is read here ($input is the request): 200 only when both JSON keys were seen as data.
                requestTemplates: {
                  'application/json': "#set($x = $input.path('$.__proto__.x'))#set($c = $input.path('$.constructor'))\n{\"statusCode\": #if($x == 'bx' && $c == 'bc')200#{else}500#end}"
                },
                responses: { default: { statusCode: '200', responseTemplates: { 'application/json': template } }, '500': { statusCode: '500', selectionPattern: '500' } }
              }
            }
          }
        }
      }
    })
    const res = await fetch(`${url}/prod/m?${QUERY}`, { method: 'POST', headers: { 'content-type': 'application/json', prototype: 'ht' }, body: '{"__proto__":{"x":"bx"},"constructor":"bc"}' })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, string>
    expect(body).toMatchObject({ c: 'c', h: 'ht', missing: '', sv: 'sv1', svc: '' })
    expect(['p', 'p2']).toContain(body['q'])
  })

  it('§5 request validation: a model with these property names validates data with them, and rejects missing ones', async () => {
    // Written as JSON text: an object literal's `__proto__:` would set a prototype, not a key.
    const model =
      '{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["__proto__","constructor"],' +
      '"properties":{"__proto__":{"type":"string"},"constructor":{"type":"string"},"prototype":{"type":"integer"}},"additionalProperties":false}'
    const url = await start({
      protocol: 'REST',
      name: 'v',
      stages: { prod: {} },
      requestValidators: { body: { validateRequestBody: true } },
      models: { M: model },
      resources: {
        '/v': {
          resourceMethods: {
            POST: {
              requestValidatorId: 'body',
              requestModels: { 'application/json': 'M' },
              integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } } } }
            }
          }
        }
      }
    })
    const post = (body: string): Promise<Response> => fetch(`${url}/prod/v`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect((await post('{"__proto__":"a","constructor":"b","prototype":1}')).status).toBe(200)
    expect((await post('{"constructor":"b"}')).status).toBe(400) // __proto__ required, absent
    expect((await post('{"__proto__":{"polluted":true},"constructor":"b"}')).status).toBe(400) // not a string
    expect((await post('{"__proto__":"a","constructor":"b","prototype":"x"}')).status).toBe(400)
    expect((await post('{"__proto__":"a","constructor":"b","extra":1}')).status).toBe(400)
    // An empty model: `constructor` in the data is not mistaken for a schema.
    expect((await post('{"__proto__":"a","constructor":"b","prototype":2}')).status).toBe(200)
  })
})
