import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { request } from 'undici'
import { createIntegration, type IntegrationOptions, type LambdaHandler } from '@gw/integrations'
import { gateway, listen, readAll, route } from './helpers.js'
import { CREDS, verifySigV4 } from './sigv4-verifier.js'

const URI = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:fn/invocations'

async function serve(handler: LambdaHandler, flavour: 'REST' | 'HTTP' = 'REST', extra: Partial<IntegrationOptions> = {}, def: Record<string, unknown> = {}): Promise<string> {
  const integration = createIntegration({ type: 'AWS_PROXY', httpMethod: 'POST', uri: URI, timeoutInMillis: 1000, ...def }, { flavour, lambda: { fn: handler }, ...extra })
  onTestFinished(() => integration.close())
  return gateway([route({ resourcePath: '/r', routeKey: 'GET /r' }), integration], flavour)
}

const returns = (value: unknown): LambdaHandler => () => Promise.resolve(value)

describe('AWS_PROXY response handling, format 1.0 (§2.3)', () => {
  it.each([
    ['§2.3 not JSON-able result: bare string → 502', 'justAString', 502, '{"message":"Internal server error"}', undefined],
    ['§2.3 array → 502', [1, 2], 502, '{"message":"Internal server error"}', undefined],
    ['§2.3 number → 502', 7, 502, '{"message":"Internal server error"}', undefined],
    ['§2.3 unknown key → 502', { statusCode: 200, wrongValue: 1 }, 502, '{"message":"Internal server error"}', undefined],
    ['§2.3 {} → 200 empty body', {}, 200, '', 'application/json'],
    ['§18.14 only headers → 200 empty', { headers: { 'x-a': 'b' } }, 200, '', 'application/json'],
    ['§18.18 statusCode "201" → 201', { statusCode: '201', body: 'made' }, 201, 'made', 'application/json'],
    ['§2.3 statusCode "test" → 502', { statusCode: 'test' }, 502, '{"message":"Internal server error"}', undefined],
    ['§2.3 headers null → ok', { statusCode: 204, headers: null }, 204, '', 'application/json'],
    ['§18.13 multiValueHeaders string → 502', { multiValueHeaders: { a: 'value1' } }, 502, '{"message":"Internal server error"}', undefined],
    ['§18.12 body object → 502', { body: { a: 1 } }, 502, '{"message":"Internal server error"}', undefined],
    ['§18.15 default content-type application/json', { body: 'x' }, 200, 'x', 'application/json'],
    ['§2.3 explicit content-type kept', { body: '<p/>', headers: { 'Content-Type': 'text/html' } }, 200, '<p/>', 'text/html']
  ])('%s', async (_n, value, status, body, contentType) => {
    const url = await serve(returns(value))
    const res = await request(`${url}/prod/r`)
    expect(res.statusCode).toBe(status)
    expect(await res.body.text()).toBe(body)
    if (contentType !== undefined) expect(res.headers['content-type']).toBe(contentType)
  })

  it('§2.3 header merge: multiValueHeaders first, then headers; booleans stringified; Set-Cookie lines', async () => {
    const url = await serve(returns({ multiValueHeaders: { 'tesT-Multi': ['value-multi'], 'Set-Cookie': ['a=1', 'b=2'] }, headers: { 'test-multi': 'value-solo', 'x-bool': true } }))
    const res = await request(`${url}/prod/r`)
    await res.body.dump()
    expect(res.headers['test-multi']).toBe('value-multi, value-solo')
    expect(res.headers['x-bool']).toBe('true')
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2'])
  })

  it.each([
    ['§17.2 isBase64Encoded + Accept in binaryMediaTypes → decoded', 'image/png', 'PNGDATA'],
    ['§17.2 Accept not binary → base64 text returned literally', 'application/json', Buffer.from('PNGDATA').toString('base64')]
  ])('%s', async (_n, accept, body) => {
    const url = await serve(returns({ body: Buffer.from('PNGDATA').toString('base64'), isBase64Encoded: true }), 'REST', { binaryMediaTypes: ['image/*'] })
    const res = await request(`${url}/prod/r`, { headers: { accept } })
    expect(await res.body.text()).toBe(body)
  })

  it.each([
    ['§2.3 function error (throw) → 502', (() => { throw new Error('boom at /secret/path') }), 502],
    ['§2.3 rejected promise → 502', (() => Promise.reject(new Error('no'))), 502],
    ['§2.3 callback error → 502', ((_e: unknown, _c: unknown, cb: (e: unknown) => void) => { cb(new Error('cb')) }), 502],
    ['§2.3 slower than the timeout → 504', (() => new Promise((r) => setTimeout(r, 1500))), 504]
  ])('%s, no internals in the body', async (_n, handler, status) => {
    const url = await serve(handler)
    const res = await request(`${url}/prod/r`)
    const text = await res.body.text()
    expect(res.statusCode).toBe(status)
    expect(text).toBe(status === 504 ? '{"message":"Endpoint request timed out"}' : '{"message":"Internal server error"}')
  })

  it('§2 integration httpMethod other than POST → 500', async () => {
    const url = await serve(returns({}), 'REST', {}, { httpMethod: 'GET' })
    const res = await request(`${url}/prod/r`)
    expect(res.statusCode).toBe(500)
    expect(await res.body.text()).toBe('{"message":"Internal server error"}')
  })

  it('§2 callback style with context.awsRequestId and getRemainingTimeInMillis', async () => {
    const handler: LambdaHandler = (event, context, callback) => {
      const e = event as { path: string }
      callback(null, { statusCode: 200, body: JSON.stringify({ path: e.path, id: context.awsRequestId.length, left: context.getRemainingTimeInMillis() > 0 && context.getRemainingTimeInMillis() <= 1000, fn: context.functionName }) })
    }
    const url = await serve(handler)
    const res = await request(`${url}/prod/r`)
    expect(JSON.parse(await res.body.text())).toEqual({ path: '/r', id: 36, left: true, fn: 'fn' })
  })

  it('§2 module#export handler path, function name from ${stageVariables.fn} (§6.3)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-lambda-'))
    const file = join(dir, 'handler.mjs')
    writeFileSync(file, 'export const main = async (e) => ({ statusCode: 200, body: "module " + e.httpMethod })\n')
    const integration = createIntegration(
      { type: 'AWS_PROXY', httpMethod: 'POST', uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}/invocations' },
      { lambda: { mod: `${file}#main` } }
    )
    const url = await gateway([route({ resourcePath: '/r', stageVariables: { fn: 'mod' } }), integration])
    const res = await request(`${url}/prod/r`)
    expect(await res.body.text()).toBe('module GET')
  })
})

describe('AWS_PROXY response handling, format 2.0 (§2.4)', () => {
  it.each([
    ['§2.4 bare string inferred → body is the string', 'Hello from Lambda!', 200, 'Hello from Lambda!'],
    ['§2.4 object without statusCode → JSON body', { message: 'hi' }, 200, '{"message":"hi"}'],
    ['§2.4 structured response', { statusCode: 201, body: 'ok', headers: { 'x-a': 'b' } }, 201, 'ok'],
    ['§2.4 non-numeric status → 500', { statusCode: 'nope' }, 500, '{"message":"Internal Server Error"}'],
    ['§2.4 isBase64Encoded honoured unconditionally', { statusCode: 200, body: Buffer.from('bin').toString('base64'), isBase64Encoded: true }, 200, 'bin']
  ])('%s', async (_n, value, status, body) => {
    const url = await serve(returns(value), 'HTTP')
    const res = await request(`${url}/r`)
    expect(res.statusCode).toBe(status)
    expect(await res.body.text()).toBe(body)
  })

  it('§18.11 cookies → one Set-Cookie each', async () => {
    const url = await serve(returns({ statusCode: 200, cookies: ['a=1', 'b=2'] }), 'HTTP')
    const res = await request(`${url}/r`)
    await res.body.dump()
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2'])
  })

  it.each([
    ['§2.4 function error → 500 Internal Server Error', () => { throw new Error('x') }, 500, '{"message":"Internal Server Error"}'],
    ['§2.4 timeout → 503 Service Unavailable', () => new Promise((r) => setTimeout(r, 1500)), 503, '{"message":"Service Unavailable"}']
  ])('%s', async (_n, handler, status, body) => {
    const url = await serve(handler, 'HTTP')
    const res = await request(`${url}/r`)
    expect(res.statusCode).toBe(status)
    expect(await res.body.text()).toBe(body)
  })
})

describe('AWS_PROXY through the remote Invoke API (SigV4, aws4)', () => {
  async function invokeServer(): Promise<{ url: string; calls: { path: string; valid: boolean; event: Record<string, unknown> }[] }> {
    const calls: { path: string; valid: boolean; event: Record<string, unknown> }[] = []
    const { url } = await listen((req, res) => {
      void readAll(req).then((buf) => {
        const body = buf.toString()
        const valid = verifySigV4(req, body, 'lambda', 'us-east-1')
        calls.push({ path: req.url ?? '', valid, event: JSON.parse(body) as Record<string, unknown> })
        if (!valid) {
          res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"The request signature we calculated does not match"}')
          return
        }
        const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '')
        const fn = decodeURIComponent(m?.[1] ?? '')
        if (fn.endsWith(':broken')) {
          res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' }).end('{"errorMessage":"boom","errorType":"Error"}')
          return
        }
        if (fn.endsWith(':missing')) {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"Type":"User","message":"Function not found"}')
          return
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 200, body: `remote ${fn}` }))
      })
    })
    return { url, calls }
  }

  it.each([
    ['success: signature verified by the server, event delivered', 'fn', 200, 'remote arn:aws:lambda:us-east-1:123456789012:function:fn'],
    ['X-Amz-Function-Error → 502 (§2.3)', 'broken', 502, '{"message":"Internal server error"}'],
    ['Invoke 404 (missing function) → 500 (§12.1 note)', 'missing', 500, '{"message":"Internal server error"}']
  ])('%s', async (_n, name, status, body) => {
    const lambda = await invokeServer()
    const integration = createIntegration(
      { type: 'AWS_PROXY', httpMethod: 'POST', uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${name}/invocations` },
      { aws: { endpoint: lambda.url, region: 'us-east-1', credentials: CREDS } }
    )
    onTestFinished(() => integration.close())
    const url = await gateway([route({ resourcePath: '/r' }), integration])
    const res = await request(`${url}/prod/r`)
    expect(res.statusCode).toBe(status)
    expect(await res.body.text()).toBe(body)
    expect(lambda.calls[0]?.valid).toBe(true)
    expect(lambda.calls[0]?.path).toBe(`/2015-03-31/functions/${encodeURIComponent(`arn:aws:lambda:us-east-1:123456789012:function:${name}`)}/invocations`)
    expect(lambda.calls[0]?.event['resource']).toBe('/r')
  })

  it('wrong credentials → the server refuses the signature → 500', async () => {
    const lambda = await invokeServer()
    const integration = createIntegration({ type: 'AWS_PROXY', httpMethod: 'POST', uri: URI }, { aws: { endpoint: lambda.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wrong' } } })
    onTestFinished(() => integration.close())
    const url = await gateway([route({ resourcePath: '/r' }), integration])
    const res = await request(`${url}/prod/r`)
    expect(res.statusCode).toBe(500)
    await res.body.dump()
    expect(lambda.calls[0]?.valid).toBe(false)
  })
})
