import { describe, expect, it } from 'vitest'
import { compose, reject, type Middleware } from '@gw/core'
import { compileTemplate, selectRequestTemplate, templateBody, templateVariables } from '@gw/mapping'
import { serve } from './helpers.js'

/** A non-proxy integration in miniature: select (§4.5/§4.6), render with variables from the real request, answer the output. */
function integration(source: string, behaviour: 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER' = 'WHEN_NO_TEMPLATES'): Middleware<object> {
  const templates = { 'application/json': compileTemplate(source) }
  return async (ctx) => {
    ctx.pathParameters = { id: ctx.path.split('/')[2] ?? '' }
    ctx.stageVariables = { color: 'blue' }
    const choice = selectRequestTemplate(templates, ctx.headers['content-type'], behaviour)
    if (choice.kind === 'unsupported') return reject(ctx, 'UNSUPPORTED_MEDIA_TYPE')
    const body = (await ctx.readBody()).toString('utf8')
    if (choice.kind === 'passthrough') {
      ctx.body = body
      return
    }
    const { output, overrides } = choice.template.render(templateVariables(ctx, body))
    ctx.status = overrides.status ?? 200
    ctx.responseHeaders['content-type'] = 'application/json'
    ctx.body = output
  }
}

describe('templateVariables(ctx) from a real request (§4.1, §4.3)', () => {
  it('§4.1 params: path, last query value, header in client casing; §4.3 $context and $stageVariables', async () => {
    const url = await serve(
      compose<object>([
        integration(
          String.raw`{"id":"$input.params('id')","q":"$input.params('q')","h":"$input.params().header.get('X-Custom')","m":"$context.httpMethod","sv":"$stageVariables.color","n":$input.json('$.n'),"rid":"$context.requestId"}`
        )
      ])
    )
    const res = await fetch(`${url}/items/42?q=first&q=last`, { method: 'POST', body: '{"n": [1, 2]}', headers: { 'content-type': 'application/json', 'X-Custom': 'hv' } })
    expect(res.status).toBe(200)
    const out = (await res.json()) as Record<string, unknown>
    expect(out).toMatchObject({ id: '42', q: 'last', h: 'hv', m: 'POST', sv: 'blue', n: [1, 2] })
    expect(out.rid).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('§4.1 an empty body renders $input.body as {}', async () => {
    const url = await serve(compose<object>([integration(String.raw`$input.body`)]))
    const res = await fetch(`${url}/items/1`, { method: 'POST', headers: { 'content-type': 'application/json' } })
    expect(await res.text()).toBe('{}')
  })

  it('§4.6 WHEN_NO_TEMPLATES: 415 with the AWS body for an unmatched Content-Type', async () => {
    const url = await serve(compose<object>([integration('x')]))
    const res = await fetch(`${url}/items/1`, { method: 'POST', body: 'a', headers: { 'content-type': 'text/plain' } })
    expect(res.status).toBe(415)
    expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException')
    expect(await res.json()).toEqual({ message: 'Unsupported Media Type' })
  })

  it('§4.6 WHEN_NO_MATCH: unmatched Content-Type passes the body through', async () => {
    const url = await serve(compose<object>([integration('x', 'WHEN_NO_MATCH')]))
    const res = await fetch(`${url}/items/1`, { method: 'POST', body: 'raw text', headers: { 'content-type': 'text/plain' } })
    expect(await res.text()).toBe('raw text')
  })

  it('§4.7 responseOverride.status reaches the client', async () => {
    const url = await serve(compose<object>([integration(String.raw`#set($context.responseOverride.status = 201){"created":true}`)]))
    const res = await fetch(`${url}/items/1`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ created: true })
  })
})

describe('§17.4 binary payloads reach templates as base64', () => {
  const bytes = Buffer.from([0xff, 0x00, 0x89, 0x50])
  it.each([
    ['§17.4 binary payload → $input.body is its base64 string', bytes, true, '/wCJUA=='],
    ['§17.4 text payload → UTF-8 text', Buffer.from('héllo'), false, 'héllo'],
    ['§17.4 a Uint8Array view is read at its offset', new Uint8Array(bytes.buffer, bytes.byteOffset + 2, 2), true, 'iVA=']
  ])('%s', (_name, payload, binary, expected) => {
    const out = compileTemplate(String.raw`$input.body`).render({ body: templateBody(payload, binary), params: { path: {}, querystring: {}, header: {} }, context: {}, stageVariables: null })
    expect(out.output).toBe(expected)
  })

  it('§17.4 + §4.4 a template can decode the base64 text of a binary payload', () => {
    const t = compileTemplate(String.raw`$util.base64Decode($input.body)`)
    expect(t.render({ body: templateBody(Buffer.from('plain'), true), params: { path: {}, querystring: {}, header: {} }, context: {}, stageVariables: null }).output).toBe('plain')
  })
})
