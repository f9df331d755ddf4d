import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { compose, silentLogger, toNodeHandler, type Middleware } from '@gw/core'
import { router } from '@gw/router'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
})

async function serve(mw: Middleware<object>): Promise<string> {
  const server = createServer(toNodeHandler(mw, { logger: silentLogger }))
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`
}

const echo: Middleware<object> = (ctx) => {
  ctx.json({ resourcePath: ctx.resourcePath, routeKey: ctx.routeKey ?? null, params: ctx.pathParameters, method: ctx.method })
}

describe('router() middleware over real HTTP', () => {
  it.each([
    ['§1.2 REST match sets resourcePath and params', 'REST', 'GET', '/pets/7', {}, 200, { resourcePath: '/pets/{id}', routeKey: null, params: { id: '7' }, method: 'GET' }],
    ['§1.2 REST no route → 403 Missing Authentication Token', 'REST', 'GET', '/nope', {}, 403, { message: 'Missing Authentication Token' }],
    ['§1.2 REST defined path, undefined method → same 403', 'REST', 'DELETE', '/pets/7', {}, 403, { message: 'Missing Authentication Token' }],
    ['§1.2 X-HTTP-Method-Override routes as the override', 'REST', 'POST', '/pets/7', { 'x-http-method-override': 'put' }, 200, { resourcePath: '/pets/{id}', routeKey: null, params: { id: '7' }, method: 'PUT' }],
    ['§1.3 HTTP match sets routeKey', 'HTTP', 'GET', '/pets/7', {}, 200, { resourcePath: '/pets/{id}', routeKey: 'GET /pets/{id}', params: { id: '7' }, method: 'GET' }],
    ['§1.3 HTTP no route → 404 Not Found', 'HTTP', 'GET', '/nope', {}, 404, { message: 'Not Found' }],
    ['§1.3 HTTP ignores X-HTTP-Method-Override', 'HTTP', 'POST', '/pets/7', { 'x-http-method-override': 'PUT' }, 404, { message: 'Not Found' }]
  ] as const)('%s', async (_name, flavour, method, path, headers, status, body) => {
    const url = await serve(router({ 'GET /pets/{id}': echo, 'PUT /pets/{id}': echo }, { flavour }))
    const res = await fetch(url + path, { method, headers })
    expect(res.status).toBe(status)
    expect(await res.json()).toEqual(body)
    if (status === 403) {
      expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
      expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    }
    if (flavour === 'HTTP' && status === 404) expect(res.headers.get('apigw-requestid')).toBeTruthy()
  })

  it('runs a route chain composed once, and the outer next after it', async () => {
    const order: string[] = []
    const api = router({
      'GET /x': [
        async (_ctx, next) => {
          order.push('a')
          await next()
        },
        async (ctx, next) => {
          order.push('b')
          ctx.json({ ok: true })
          await next()
        }
      ]
    })
    const url = await serve(compose([api, () => void order.push('after')]))
    const res = await fetch(`${url}/x`)
    expect(await res.json()).toEqual({ ok: true })
    expect(order).toEqual(['a', 'b', 'after'])
  })

  it('sets ctx.noRoute so an adapter can fall through', async () => {
    let seen: boolean | undefined
    const api = router({ 'GET /x': echo })
    const url = await serve(async (ctx, next) => {
      await api(ctx, next)
      seen = ctx.noRoute
    })
    await fetch(`${url}/y`)
    expect(seen).toBe(true)
  })

  it('refuses a malformed route key at construction', () => {
    expect(() => router({ 'GET/x': echo })).toThrow(expect.objectContaining({ code: 'GW_ROUTER_INVALID_ROUTE' }))
    expect(() => router({}, { flavour: 'SOAP' as 'REST' })).toThrow(expect.objectContaining({ code: 'GW_CONFIG_INVALID' }))
  })
})
