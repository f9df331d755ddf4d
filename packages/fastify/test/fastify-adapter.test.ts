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

// Conformance, bad input and fallthrough run in packages/core/test for all adapters.
describe('@gw/fastify', () => {
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
