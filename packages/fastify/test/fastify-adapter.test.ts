import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { GwError, silentLogger, type Middleware } from '@gw/core'
import { gwFastify } from '@gw/fastify'
import { startAdapter, type RunningAdapter } from '../../core/test/support/adapters.js'
import { echoPipeline, newProbe } from '../../core/test/support/echo-pipeline.js'
import { rawRequest } from '../../core/test/support/raw-http.js'

const started: RunningAdapter[] = []
afterEach(async () => {
  for (const a of started.splice(0)) await a.close()
})

const get = (path: string): string[] => [`GET ${path} HTTP/1.1`, 'Host: gw.test', 'Connection: close']

describe('@gw/fastify', () => {
  it.each([
    ['fallthrough: no route → Fastify route answers', true, '/host-route', 200, 'from fastify'],
    ['fallthrough: gateway routes still answered by gw', true, '/unicode', 200, 'héllo wörld ✓ 日本'],
    ['no fallthrough: no route → §12.1 403 Missing Authentication Token', false, '/host-route', 403, '{"message":"Missing Authentication Token"}']
  ])('%s', async (_name, fallthrough, path, status, body) => {
    const adapter = await startAdapter('fastify', echoPipeline(newProbe()), { fallthrough, logger: silentLogger })
    started.push(adapter)
    const res = await rawRequest(adapter.url, get(path))
    expect(res.status).toBe(status)
    expect(res.body.toString('utf8')).toBe(body)
  })

  it('the pipeline reads the raw body: Fastify parsers never consume it (JSON and an unknown type)', async () => {
    const adapter = await startAdapter('fastify', echoPipeline(newProbe()), { logger: silentLogger })
    started.push(adapter)
    for (const type of ['application/json', 'application/x-unknown']) {
      const body = '{"a":1}'
      const res = await rawRequest(adapter.url, ['POST /body HTTP/1.1', 'Host: gw.test', `Content-Type: ${type}`, `Content-Length: ${body.length}`, 'Connection: close'], body)
      expect(res.status, type).toBe(200)
      expect(JSON.parse(res.body.toString())).toMatchObject({ length: 7 })
    }
  })

  it('is registered with fastify-plugin (hooks apply to the root instance)', async () => {
    const app = Fastify()
    await app.register(gwFastify, { pipeline: (ctx) => ctx.json({ ok: true }), logger: silentLogger })
    const res = await app.inject({ method: 'GET', url: '/anything' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ ok: true })
    await app.close()
  })

  it.each([
    ['missing pipeline', { pipeline: undefined as unknown as Middleware<object> }],
    ['bad bodyLimit', { pipeline: () => {}, bodyLimit: -5 }]
  ])('refuses %s at registration (GW_CONFIG_INVALID)', async (_name, options) => {
    const app = Fastify()
    let err: unknown
    try {
      await app.register(gwFastify, options)
      await app.ready()
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(GwError)
    expect((err as GwError).code).toBe('GW_CONFIG_INVALID')
    await app.close()
  })
})
