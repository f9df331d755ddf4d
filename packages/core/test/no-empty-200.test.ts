import { afterAll, describe, expect, it } from 'vitest'
import { compose, reject, silentLogger, type Middleware } from '@gw/core'
import { ADAPTERS, startAdapter, type AdapterName, type RunningAdapter } from './support/adapters.js'
import { rawRequest } from './support/raw-http.js'

/**
 * No adapter may end a response that nobody answered: whatever a pipeline
 * does (pass on, mark no route, answer nothing, throw), every adapter gives
 * the pipeline's answer, the host's answer, or a gateway error, never a 200
 * with an empty body that neither side set (the bug of issue #14). Every
 * pipeline shape × every adapter × a path the host knows and one it does not
 * × fallthrough off and on.
 */
const sleep = (): Promise<void> => new Promise((r) => setTimeout(r, 1))

const PIPELINES: Record<string, Middleware<object>> = {
  'sync pass': (_ctx, next) => next(),
  'async pass': async (_ctx, next) => {
    await sleep()
    await next()
  },
  'pass with headers': (ctx, next) => {
    ctx.responseHeaders['x-pass'] = '1'
    return next()
  },
  'composed pass, work after next()': compose([
    async (ctx, next) => {
      await next()
      ctx.responseHeaders['x-after'] = '1'
    },
    (_ctx, next) => next()
  ]),
  'noRoute, nothing rendered': (ctx) => {
    ctx.noRoute = true
  },
  'noRoute + 403': (ctx) => {
    ctx.noRoute = true
    reject(ctx, 'MISSING_AUTHENTICATION_TOKEN')
  },
  'answers nothing, no next()': () => {},
  'async, answers nothing': async () => {
    await sleep()
  },
  'throws after next()': async (_ctx, next) => {
    await next()
    throw new Error('late failure')
  }
}

const running: RunningAdapter[] = []
afterAll(async () => {
  for (const a of running) await a.close()
})

const HOSTED = new Set<AdapterName>(['express', 'koa', 'fastify', 'hono'])

describe.each(ADAPTERS)('%s: never an empty 200 nobody set', (name) => {
  it.each(Object.keys(PIPELINES))('%s', async (label) => {
    for (const fallthrough of [false, true]) {
      if (!HOSTED.has(name) && fallthrough) continue
      const adapter = await startAdapter(name, PIPELINES[label] as Middleware<object>, HOSTED.has(name) ? { fallthrough, logger: silentLogger } : { logger: silentLogger })
      running.push(adapter)
      for (const path of ['/host-route', '/not-a-host-route']) {
        const res = await rawRequest(adapter.url, [`GET ${path} HTTP/1.1`, 'Host: gw.test', 'Connection: close'])
        const where = `${name} ${label} fallthrough=${String(fallthrough)} ${path}: ${res.status} ${JSON.stringify(res.body.toString())}`
        expect(res.body.length, where).toBeGreaterThan(0)
        expect(res.status, where).toBeGreaterThanOrEqual(200)
        // The host's route answered: its own body, never a gw-less empty answer.
        if (res.status === 200) expect(res.body.toString(), where).toBe(`from ${name}`)
      }
    }
  })
})
