import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { request } from 'undici'
import { spawnGw, startUpstream } from './helpers.js'

// An HTTP API (importexport-version marks it HTTP, §16.2) proxying to an upstream named by a stage variable.
const OPENAPI = `openapi: 3.0.1
info: { title: shop, version: '1.0' }
x-amazon-apigateway-importexport-version: '1.0'
paths:
  /limited:
    get:
      responses: { '200': { description: ok } }
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: 'http://\${stageVariables.upstream}/limited', payloadFormatVersion: '1.0' }
  /fast:
    get:
      responses: { '200': { description: ok } }
      x-amazon-apigateway-integration: { type: http_proxy, httpMethod: GET, uri: 'http://\${stageVariables.upstream}/fast', payloadFormatVersion: '1.0' }
`

const REST_OPENAPI = `openapi: 3.0.1
info: { title: pets, version: '1.0' }
paths:
  /pets:
    get:
      responses: { '200': { description: ok } }
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: '200', responseTemplates: { application/json: '[]' } } }
`

function config(upstream: string): string {
  return `apis:
  - openapi: openapi.yaml
    name: shop
    cors:
      allowOrigins: ['https://app.example.com']
      allowMethods: [GET]
      allowHeaders: [authorization]
      maxAge: 300
    stages:
      $default:
        variables: { upstream: '${upstream}' }
        defaultRouteSettings: { throttlingBurstLimit: 3, throttlingRateLimit: 0.001, detailedMetricsEnabled: true, loggingLevel: ERROR, dataTraceEnabled: false }
        routeSettings:
          'GET /fast': { throttlingBurstLimit: 6, throttlingRateLimit: 0.001 }
      dev:
        variables: { upstream: '${upstream}' }
management: { enabled: true }
server: { port: 0 }
`
}

async function get(url: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  const res = await request(url, { method: init.method ?? 'GET', headers: init.headers ?? {} })
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
}

describe('gw serve: HTTP API stages and CORS from gw.config.yaml (built CLI, real sockets)', () => {
  it('§6.2 $default stage at the root with variables and defaultRouteSettings: 429 exactly at its burst; routeSettings override per route (§8.1); §11.2 cors from the config', async () => {
    const upstream = await startUpstream((req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ url: req.url }))
    })
    const dir = mkdtempSync(join(tmpdir(), 'gw-http-stages-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'openapi.yaml'), OPENAPI)
    writeFileSync(join(dir, 'gw.config.yaml'), config(`127.0.0.1:${String(upstream.port)}`))
    const gw = spawnGw(['serve', join(dir, 'gw.config.yaml')], { GW_ADMIN_TOKEN: 'admin-token-0123456789' })
    const root = (await gw.waitFor(/shop \$default: (http:\/\/\S+)/))[1] ?? ''
    expect(root).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

    // §11.2: preflights are answered before the throttle and do not spend its tokens
    const pre = await get(`${root}/limited`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } })
    expect(pre.status).toBe(204)
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example.com')
    expect(pre.headers['access-control-allow-methods']).toBe('GET')
    expect(pre.headers['access-control-max-age']).toBe('300')

    // §8.1 burst 3 on the $default stage: three pass (variables resolve the upstream), the fourth is the HTTP API 429 (§8.3)
    const limited = []
    for (let i = 0; i < 4; i++) limited.push(await get(`${root}/limited`, { headers: { origin: 'https://app.example.com' } }))
    expect(limited.map((r) => r.status)).toEqual([200, 200, 200, 429])
    expect(JSON.parse(limited[0]?.body ?? '')).toEqual({ url: '/limited' })
    expect(limited[3]?.body).toBe('{"message":"Too Many Requests"}')
    expect(limited[3]?.headers['x-amzn-errortype']).toBeUndefined()
    expect(limited[3]?.headers['apigw-requestid']).toBeTruthy()
    expect(limited[3]?.headers['access-control-allow-origin']).toBe('https://app.example.com')

    // routeSettings 'GET /fast' overrides the default: burst 6
    const fast = []
    for (let i = 0; i < 7; i++) fast.push((await get(`${root}/fast`)).status)
    expect(fast).toEqual([200, 200, 200, 200, 200, 200, 429])

    // a named HTTP stage beside $default: its own settings (no throttle), its own prefix
    const dev = []
    for (let i = 0; i < 5; i++) dev.push((await get(`${root}/dev/limited`)).status)
    expect(dev).toEqual([200, 200, 200, 200, 200])

    // §16.3 export writes x-amazon-apigateway-cors back
    const exported = await get(`${root}/_gw/restapis/shop/stages/%24default/exports/oas30?extensions=apigateway`, { headers: { authorization: 'Bearer admin-token-0123456789', accept: 'application/json' } })
    expect(exported.status).toBe(200)
    expect((JSON.parse(exported.body) as Record<string, unknown>)['x-amazon-apigateway-cors']).toEqual({ allowOrigins: ['https://app.example.com'], allowMethods: ['GET'], allowHeaders: ['authorization'], maxAge: 300 })

    gw.child.kill('SIGTERM')
    expect(await gw.exited).toBe(0)
  })

  it('§11.1 cors: true on a REST API generates the console\'s "Enable CORS" (OPTIONS MOCK, DEFAULT_4XX/5XX headers), and export shows it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-rest-cors-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'openapi.yaml'), REST_OPENAPI)
    writeFileSync(join(dir, 'gw.config.yaml'), 'apis:\n  - openapi: openapi.yaml\n    name: pets\n    cors: true\n    stages: { dev: {} }\nmanagement: { enabled: true }\nserver: { port: 0 }\n')
    const gw = spawnGw(['serve', join(dir, 'gw.config.yaml')], { GW_ADMIN_TOKEN: 'admin-token-0123456789' })
    const base = (await gw.waitFor(/pets dev: (http:\/\/\S+)/))[1] ?? ''
    const pre = await get(`${base}/pets`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' } })
    expect(pre.status).toBe(200)
    expect(pre.headers['access-control-allow-origin']).toBe('*')
    expect(pre.headers['access-control-allow-methods']).toBe('GET,OPTIONS')
    expect(pre.headers['access-control-allow-headers']).toBe('Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token')
    const ok = await get(`${base}/pets`)
    expect([ok.status, ok.headers['access-control-allow-origin']]).toEqual([200, '*'])
    const missing = await get(`${base}/nope`)
    expect([missing.status, missing.body, missing.headers['access-control-allow-origin']]).toEqual([403, '{"message":"Missing Authentication Token"}', '*'])
    const exported = await get(`${base.replace(/\/dev$/, '')}/_gw/restapis/pets/stages/dev/exports/oas30?extensions=apigateway`, { headers: { authorization: 'Bearer admin-token-0123456789', accept: 'application/json' } })
    const doc = JSON.parse(exported.body) as { paths: Record<string, Record<string, Record<string, unknown>>>; 'x-amazon-apigateway-gateway-responses': Record<string, unknown> }
    expect(doc.paths['/pets']?.options?.['x-amazon-apigateway-integration']).toMatchObject({ type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' } })
    expect(doc['x-amazon-apigateway-gateway-responses']).toMatchObject({ DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" } }, DEFAULT_5XX: {} })
    gw.child.kill('SIGTERM')
    expect(await gw.exited).toBe(0)
  })

  it.each([
    ['REST cors with two origins', REST_OPENAPI, "cors: { allowOrigins: ['https://a.test', 'https://b.test'] }\n    stages: { dev: {} }", 'apis[0].cors'],
    ['a $default stage on a REST API', 'openapi: 3.0.1\ninfo: { title: r, version: "1" }\npaths: {}\n', 'stages:\n      $default: {}', 'only HTTP APIs have a $default stage'],
    ['routeSettings naming no route', OPENAPI, "stages:\n      $default:\n        routeSettings: { 'GET /nope': { throttlingBurstLimit: 1 } }", "the API has no route 'GET /nope'"],
    ['allowCredentials with a * origin', OPENAPI, "cors: { allowOrigins: ['*'], allowCredentials: true }\n    stages: { dev: {} }", 'allowCredentials'],
    ['a misspelt route setting', OPENAPI, 'stages:\n      $default:\n        defaultRouteSettings: { throttlingBurst: 1 }', 'throttlingBurst']
  ])('refused at load with the field named: %s', async (_n, openapi, stages, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-http-stages-bad-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'openapi.yaml'), openapi)
    writeFileSync(join(dir, 'gw.config.yaml'), `apis:\n  - openapi: openapi.yaml\n    ${stages}\nserver: { port: 0 }\n`)
    const gw = spawnGw(['serve', join(dir, 'gw.config.yaml')])
    expect(await gw.exited).not.toBe(0)
    expect(gw.stderr()).toContain(message)
  })
})
