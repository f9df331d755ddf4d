import { createServer } from 'node:http'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { ApiDefinitionInput } from '@gw/gateway'
import type { LambdaHandler } from '@gw/integrations'
import { mock, start } from './serve.js'

/**
 * "Nothing splits a response" (issue #15, item 2): a header name or value from
 * any source that holds CR/LF is refused before writing. The answer is the AWS
 * error of the source (502 for a malformed Lambda proxy response, §2.3; 500
 * for a configuration error, §12.1), never an injected header and never a
 * socket reset. Read over a raw socket (`net`): what a client really receives.
 */
interface Raw {
  status: number
  head: string
  body: string
}

function rawGet(url: string, target: string): Promise<Raw> {
  const { port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject) // a reset fails the test
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      if (end === -1) return reject(new Error(`no response head: ${JSON.stringify(text)}`))
      resolve({ status: Number(text.slice(9, 12)), head: text.slice(0, end), body: text.slice(end + 4) })
    })
    socket.write(`GET ${target} HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n`)
  })
}

const INJECT = '%0D%0AInjected:%20yes'
const noInjection = (r: Raw): void => {
  expect(r.head.toLowerCase()).not.toContain('injected')
  expect(r.body).not.toContain('Injected')
}

const lambdaUri = (fn: string): string => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${fn}/invocations`

describe('response splitting: one test per source, raw sockets', () => {
  it('§2.3 Lambda proxy (REST, 1.0) header value with CR/LF → 502 malformed proxy response', async () => {
    const split: LambdaHandler = () => Promise.resolve({ statusCode: 200, headers: { 'x-echo': 'a\r\nInjected: yes' }, body: 'hi' })
    const splitName: LambdaHandler = () => Promise.resolve({ statusCode: 200, multiValueHeaders: { 'x-a\r\nInjected': ['1'] }, body: 'hi' })
    const url = await start(
      {
        protocol: 'REST',
        name: 'l',
        stages: { prod: {} },
        resources: {
          '/v': { resourceMethods: { GET: { integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: lambdaUri('split') } } } },
          '/n': { resourceMethods: { GET: { integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: lambdaUri('splitName') } } } }
        }
      },
      { integrations: { lambda: { split, splitName } } }
    )
    for (const path of ['/prod/v', '/prod/n']) {
      const res = await rawGet(url, path)
      expect(res.status).toBe(502)
      expect(res.body).toBe('{"message":"Internal server error"}')
      noInjection(res)
    }
  })

  it('§2.4 Lambda proxy (HTTP API, 2.0) header value with CR/LF → 500 Internal Server Error', async () => {
    const split: LambdaHandler = () => Promise.resolve({ statusCode: 200, headers: { 'x-echo': 'a\nInjected: yes' }, body: 'hi' })
    const url = await start(
      {
        protocol: 'HTTP',
        name: 'h',
        routes: { 'GET /v': { integrationId: 'l' } },
        integrations: { l: { type: 'AWS_PROXY', uri: lambdaUri('split'), payloadFormatVersion: '2.0' } }
      },
      { integrations: { lambda: { split } } }
    )
    const res = await rawGet(url, '/v')
    expect(res.status).toBe(500)
    expect(res.body).toBe('{"message":"Internal Server Error"}')
    noInjection(res)
  })

  it('§3.7 method response mapping of a decoded query value with %0D%0A → 500 configuration error', async () => {
    const url = await start({
      protocol: 'REST',
      name: 'm',
      stages: { prod: {} },
      resources: {
        '/m': {
          resourceMethods: {
            GET: {
              integration: {
                ...mock,
                responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{}' }, responseParameters: { 'method.response.header.X-Echo': 'method.request.querystring.q' } } }
              }
            }
          }
        }
      }
    })
    const ok = await rawGet(url, '/prod/m?q=plain')
    expect(ok.status).toBe(200)
    expect(ok.head).toContain('X-Echo: plain'.toLowerCase().replace('x-echo', 'x-echo'))
    const res = await rawGet(url, `/prod/m?q=a${INJECT}`)
    expect(res.status).toBe(500)
    expect(res.body).toBe('{"message":"Internal server error"}')
    expect(res.head).toContain('x-amzn-ErrorType: InternalServerErrorException')
    noInjection(res)
  })

  it('§4.7 $context.responseOverride.header set from a query value with %0D%0A → 500 configuration error', async () => {
    const template = "#set($context.responseOverride.header.X-Echo = $input.params('q'))\n{}"
    const url = await start({
      protocol: 'REST',
      name: 'o',
      stages: { prod: {} },
      resources: { '/o': { resourceMethods: { GET: { integration: { ...mock, responses: { default: { statusCode: '200', responseTemplates: { 'application/json': template } } } } } } } }
    })
    const ok = await rawGet(url, '/prod/o?q=plain')
    expect(ok.status).toBe(200)
    expect(ok.head.toLowerCase()).toContain('x-echo: plain')
    const res = await rawGet(url, `/prod/o?q=a${INJECT}`)
    expect(res.status).toBe(500)
    expect(res.body).toBe('{"message":"Internal server error"}')
    noInjection(res)
  })

  it('§12.2 gateway-response header mapped from a query value with %0D%0A → 500 (built-in 5XX, the customization is unsafe too)', async () => {
    const def: ApiDefinitionInput = {
      protocol: 'REST',
      name: 'g',
      stages: { prod: {} },
      resources: { '/g': { resourceMethods: { GET: { integration: mock } } } },
      gatewayResponses: {
        DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.X-Echo': 'method.request.querystring.q' } },
        DEFAULT_5XX: { responseParameters: { 'gatewayresponse.header.X-Echo': 'method.request.querystring.q' } }
      }
    }
    const url = await start(def)
    const ok = await rawGet(url, '/prod/nope?q=plain')
    expect(ok.status).toBe(403)
    expect(ok.head.toLowerCase()).toContain('x-echo: plain')
    const res = await rawGet(url, `/prod/nope?q=a${INJECT}`)
    expect(res.status).toBe(500)
    expect(res.body).toBe('{"message":"Internal server error"}')
    noInjection(res)
  })

  it('§3.4 HTTP integration response mapping (HTTP API responseParameters) from a query value with %0D%0A → 500', async () => {
    const upstream = createServer((_req, res) => res.end('up'))
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r))
    onTestFinished(() => new Promise<void>((r) => upstream.close(() => r())))
    const port = (upstream.address() as AddressInfo).port
    const url = await start({
      protocol: 'HTTP',
      name: 'p',
      routes: { 'GET /p': { integrationId: 'up' } },
      integrations: {
        up: { type: 'HTTP_PROXY', uri: `http://127.0.0.1:${String(port)}/`, payloadFormatVersion: '1.0', responseParameters: { '200': { 'overwrite:header.x-echo': '$request.querystring.q' } } }
      }
    })
    const ok = await rawGet(url, '/p?q=plain')
    expect(ok.status).toBe(200)
    expect(ok.head.toLowerCase()).toContain('x-echo: plain')
    const res = await rawGet(url, `/p?q=a${INJECT}`)
    expect(res.status).toBe(500)
    expect(res.body).toBe('{"message":"Internal Server Error"}')
    noInjection(res)
  })
})
