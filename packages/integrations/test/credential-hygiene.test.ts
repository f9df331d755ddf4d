import { describe, expect, it, onTestFinished } from 'vitest'
import { request } from 'undici'
import aws4 from 'aws4'
import type { LogEvent, Logger } from '@gw/core'
import { createIntegration, type IntegrationDefinition, type LambdaHandler } from '@gw/integrations'
import { gateway, listen, readAll, route } from './helpers.js'

/**
 * Credential hygiene (aws-semantics §3.2, §10.8, issue #15 item 3): a SigV4
 * `Authorization`, the caller's `X-Amz-Security-Token` and the API key are the
 * gateway's, not the backend's: no integration receives them unless a mapping
 * names them. Real SigV4 headers (aws4), real upstream and Lambda handlers.
 */
const SECRET_TOKEN = 'FQoGZXIvYXdzEJr//////////wEaDSESSIONTOKENSECRET'
const API_KEY = 'k3yV4lue-0123456789abcdefSECRET'

function signed(url: string): Record<string, string> {
  const u = new URL(url)
  const opts = { host: u.host, path: u.pathname, service: 'execute-api', region: 'us-east-1', method: 'GET', headers: { 'x-api-key': API_KEY } }
  aws4.sign(opts, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: SECRET_TOKEN })
  return opts.headers
}

async function upstream(): Promise<{ url: string; seen: Record<string, string | string[] | undefined>[] }> {
  const seen: Record<string, string | string[] | undefined>[] = []
  const { url } = await listen((req, res) => {
    void readAll(req).then(() => {
      seen.push(req.headers)
      res.end('ok')
    })
  })
  return { url, seen }
}

function proxy(def: Omit<IntegrationDefinition, 'type'>, logger?: Logger) {
  const integration = createIntegration({ type: 'HTTP_PROXY', httpMethod: 'ANY', ...def }, logger === undefined ? {} : { logger })
  onTestFinished(() => integration.close())
  return integration
}

describe('credential hygiene on the way to integrations', () => {
  it('§3.2 HTTP_PROXY: SigV4 Authorization, X-Amz-Security-Token and X-API-Key are not forwarded; X-Amz-Date and others are', async () => {
    const up = await upstream()
    const url = await gateway([route({ pathParameters: { proxy: 'x' } }), proxy({ uri: `${up.url}/{proxy}` })])
    const headers = signed(`${url}/prod/x`)
    expect(headers['Authorization']).toMatch(/^AWS4-HMAC-SHA256 /)
    const res = await request(`${url}/prod/x`, { headers: { ...headers, 'x-other': 'kept' } })
    expect(await res.body.text()).toBe('ok')
    const seen = up.seen[0] ?? {}
    expect(seen['authorization']).toBeUndefined()
    expect(seen['x-amz-security-token']).toBeUndefined()
    expect(seen['x-api-key']).toBeUndefined()
    expect(seen['x-other']).toBe('kept')
    expect(JSON.stringify(seen)).not.toContain('SECRET')
  })

  it('§3.2 HTTP_PROXY: a non-SigV4 Authorization (Bearer) is the backend\'s and passes', async () => {
    const up = await upstream()
    const url = await gateway([route({ pathParameters: { proxy: 'x' } }), proxy({ uri: `${up.url}/{proxy}` })])
    await (await request(`${url}/prod/x`, { headers: { authorization: 'Bearer abc' } })).body.dump()
    expect(up.seen[0]?.['authorization']).toBe('Bearer abc')
  })

  it('§3.7 an explicit mapping still sends the API key (the user asked for it)', async () => {
    const up = await upstream()
    const url = await gateway([
      route({ pathParameters: { proxy: 'x' } }),
      proxy({ uri: `${up.url}/{proxy}`, requestParameters: { 'integration.request.header.x-api-key': 'method.request.header.x-api-key' } })
    ])
    await (await request(`${url}/prod/x`, { headers: { 'x-api-key': API_KEY } })).body.dump()
    expect(up.seen[0]?.['x-api-key']).toBe(API_KEY)
  })

  it.each(['1.0', '2.0'] as const)('§2.1/§2.2 Lambda proxy event %s carries none of them in its headers', async (version) => {
    const events: unknown[] = []
    const fn: LambdaHandler = (event) => {
      events.push(event)
      return Promise.resolve({ statusCode: 200, body: 'ok' })
    }
    const uri = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:fn/invocations'
    const flavour = version === '1.0' ? 'REST' : 'HTTP'
    const integration = createIntegration({ type: 'AWS_PROXY', httpMethod: 'POST', uri, payloadFormatVersion: version }, { flavour, lambda: { fn } })
    onTestFinished(() => integration.close())
    const url = await gateway([route({ resourcePath: '/r', routeKey: 'GET /r' }), integration], flavour)
    const res = await request(`${url}/prod/r`, { headers: signed(`${url}/prod/r`) })
    expect(await res.body.text()).toBe('ok')
    const text = JSON.stringify(events[0])
    expect(text).not.toContain(SECRET_TOKEN)
    expect(text).not.toContain(API_KEY)
    expect(text).not.toContain('AWS4-HMAC-SHA256')
    expect(text.toLowerCase()).toContain('x-amz-date') // the rest of the signed request is there
  })

  it('§10.8 a failing endpoint whose URI holds user:password logs the URI without them', async () => {
    const lines: LogEvent[] = []
    const logger: Logger = { error: (e) => lines.push(e), warn: (e) => lines.push(e), info: (e) => lines.push(e) }
    const url = await gateway([route({ pathParameters: { proxy: 'x' } }), proxy({ uri: 'http://admin:hunter2SECRET@127.0.0.1:1/{proxy}' }, logger)])
    const res = await request(`${url}/prod/x`)
    expect(res.statusCode).toBe(504)
    const body = await res.body.text()
    expect(body).not.toContain('hunter2')
    expect(lines.length).toBeGreaterThan(0)
    expect(JSON.stringify(lines)).not.toContain('hunter2SECRET')
  })
})
