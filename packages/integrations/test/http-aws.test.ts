import { describe, expect, it, onTestFinished } from 'vitest'
import { request } from 'undici'
import { createIntegration, type IntegrationDefinition } from '@gw/integrations'
import { gateway, listen, readAll, route } from './helpers.js'
import { CREDS, verifySigV4 } from './sigv4-verifier.js'

interface Seen { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string; valid?: boolean }

async function upstream(status = 200, reply = '{"id":"p-1","tags":["a"]}', service?: string): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = []
  const { url } = await listen((req, res) => {
    void readAll(req).then((b) => {
      const body = b.toString()
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, ...(service === undefined ? {} : { valid: verifySigV4(req, body, service, 'us-east-1') }) })
      res.writeHead(status, { 'content-type': 'application/json', 'x-backend': 'b1', server: 'backend' }).end(reply)
    })
  })
  return { url, seen }
}

function make(def: IntegrationDefinition, aws?: string) {
  const i = createIntegration(def, aws === undefined ? {} : { aws: { endpoint: aws, region: 'us-east-1', credentials: CREDS } })
  onTestFinished(() => i.close())
  return i
}

describe('HTTP custom integration (§3.4, §3.7, §4.8)', () => {
  it('§3.2 only defaults and mapped headers reach the backend; §3.7 mappings from path, query, header, body, context, static', async () => {
    const up = await upstream()
    const url = await gateway([
      route({ resourcePath: '/pets/{id}', pathParameters: { id: '7' } }),
      make({
        type: 'HTTP',
        httpMethod: 'POST',
        uri: `${up.url}/backend/{petId}`,
        requestParameters: {
          'integration.request.path.petId': 'method.request.path.id',
          'integration.request.querystring.q': 'method.request.querystring.q',
          'integration.request.header.x-from-header': 'method.request.header.X-In',
          'integration.request.header.x-from-body': 'method.request.body.pet.name',
          'integration.request.header.x-stage': 'context.stage',
          'integration.request.header.x-static': "'s'"
        },
        integrationResponses: { '200': { statusCode: '200' } }
      })
    ])
    const res = await request(`${url}/prod/pets/7?q=1&q=2`, { method: 'POST', headers: { 'x-in': 'hv', 'X-In': 'hv', 'content-type': 'application/json', 'x-secret': 'no' }, body: '{"pet":{"name":"rex"}}' })
    expect(res.statusCode).toBe(200)
    await res.body.dump()
    const s = up.seen[0] as Seen
    expect(s.url).toBe('/backend/7?q=2')
    expect(s.headers['x-from-body']).toBe('rex')
    expect(s.headers['x-stage']).toBe('prod')
    expect(s.headers['x-static']).toBe('s')
    expect(s.headers['x-secret']).toBeUndefined()
    expect(s.headers['user-agent']).toBe('AmazonAPIGateway_a1b2c3d4e5')
    expect(s.headers['accept']).toBe('application/json')
    expect(s.body).toBe('{"pet":{"name":"rex"}}') // §4.6 passthrough (no templates)
  })

  it.each([
    ['§4.8 2\\d{2} → 200 with template and responseParameters', 200, 200, '{"pet":"p-1"}', { 'x-out': 'b1', 'x-amzn-remapped-server': 'backend' }],
    ['§4.8 4\\d{2} → 400 passthrough body', 404, 400, '{"id":"p-1","tags":["a"]}', {}],
    ['§4.8 step 4: 302 matches nothing, no default → 500', 302, 500, '{"message":"Internal server error"}', {}]
  ])('%s', async (_n, backendStatus, status, body, headers) => {
    const up = await upstream(backendStatus)
    const url = await gateway([
      route({}),
      make({
        type: 'HTTP',
        httpMethod: 'GET',
        uri: `${up.url}/x`,
        integrationResponses: {
          '200': {
            statusCode: '200',
            selectionPattern: '2\\d{2}',
            responseParameters: { 'method.response.header.X-Out': 'integration.response.header.x-backend', 'method.response.header.Server': 'integration.response.header.server' },
            responseTemplates: { 'application/json': '{"pet":"$input.path(\'$.id\')"}' }
          },
          '400': { statusCode: '400', selectionPattern: '4\\d{2}' }
        }
      })
    ])
    const res = await request(`${url}/prod/x`)
    expect(res.statusCode).toBe(status)
    expect(await res.body.text()).toBe(body)
    for (const [k, v] of Object.entries(headers)) expect(res.headers[k]).toBe(v)
    expect(res.headers['x-backend']).toBeUndefined() // §3.3 non-proxy: only mapped headers return
  })

  it('§4.5 request template builds the body; §4.7 requestOverride header wins over mappings', async () => {
    const up = await upstream()
    const url = await gateway([
      route({}),
      make({
        type: 'HTTP',
        httpMethod: 'POST',
        uri: `${up.url}/t`,
        passthroughBehavior: 'NEVER',
        requestParameters: { 'integration.request.header.x-mode': "'mapped'" },
        requestTemplates: { 'application/json': '#set($context.requestOverride.header.x-mode = "override"){"n":$input.json(\'$.n\')}' },
        integrationResponses: { '200': { statusCode: '200' } }
      })
    ])
    const ok = await request(`${url}/prod/t`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":5}' })
    await ok.body.dump()
    expect(up.seen[0]?.body).toBe('{"n":5}')
    expect(up.seen[0]?.headers['x-mode']).toBe('override')
    const refused = await request(`${url}/prod/t`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })
    expect(refused.statusCode).toBe(415) // §4.6 NEVER, no template for text/plain
    expect(await refused.body.text()).toBe('{"message":"Unsupported Media Type"}')
  })

  it('§3.2 mapping a forbidden header (content-length) → 500 at call time', async () => {
    const up = await upstream()
    const url = await gateway([route({}), make({ type: 'HTTP', httpMethod: 'GET', uri: `${up.url}/x`, requestParameters: { 'integration.request.header.Content-Length': "'5'" }, integrationResponses: { '200': { statusCode: '200' } } })])
    const res = await request(`${url}/prod/x`)
    expect(res.statusCode).toBe(500)
    expect(await res.body.text()).toBe('{"message":"Internal server error"}')
    expect(up.seen).toHaveLength(0)
  })
})

describe('AWS service integration (§3.6), SigV4 verified by the local server', () => {
  it('action form: SQS SendMessage with Action query, template body, signature valid', async () => {
    const up = await upstream(200, '<SendMessageResponse><MessageId>m-1</MessageId></SendMessageResponse>', 'sqs')
    const url = await gateway([
      route({}),
      make(
        {
          type: 'AWS',
          httpMethod: 'POST',
          uri: 'arn:aws:apigateway:us-east-1:sqs:action/SendMessage',
          requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
          requestTemplates: { 'application/json': 'MessageBody=$util.urlEncode($input.body)' },
          integrationResponses: { '200': { statusCode: '200', responseTemplates: { 'application/json': '{"queued":true}' } } }
        },
        up.url
      )
    ])
    const res = await request(`${url}/prod/q`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })
    expect(res.statusCode).toBe(200)
    expect(await res.body.text()).toBe('{"queued":true}')
    const s = up.seen[0] as Seen
    expect(s.valid).toBe(true)
    expect(s.url).toBe('/?Action=SendMessage')
    expect(s.body).toBe('MessageBody=%7B%22a%22%3A1%7D')
    expect(s.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/sqs\/aws4_request/)
  })

  it.each([
    ['§3.6 Lambda custom success: selection value "" → default response 200', false, 200],
    ['§3.6 Lambda custom error: errorMessage "Not found: 7" matches "Not found.*" → 404', true, 404]
  ])('%s', async (_n, fail, status) => {
    const { url: lambdaUrl } = await listen((req, res) => {
      void readAll(req).then((b) => {
        const ok = verifySigV4(req, b.toString(), 'lambda', 'us-east-1')
        if (!ok) return void res.writeHead(403).end()
        if (fail) res.writeHead(200, { 'x-amz-function-error': 'Unhandled', 'content-type': 'application/json' }).end('{"errorMessage":"Not found: 7","errorType":"Error"}')
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":1}')
      })
    })
    const url = await gateway([
      route({}),
      make(
        {
          type: 'AWS',
          httpMethod: 'POST',
          uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations',
          integrationResponses: {
            '200': { statusCode: '200' },
            '404': { statusCode: '404', selectionPattern: 'Not found.*', responseTemplates: { 'application/json': '{"error":"$input.path(\'$.errorMessage\')"}' } }
          }
        },
        lambdaUrl
      )
    ])
    const res = await request(`${url}/prod/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(res.statusCode).toBe(status)
    expect(await res.body.text()).toBe(fail ? '{"error":"Not found: 7"}' : '{"ok":1}')
  })
})
