import { afterEach, describe, expect, it } from 'vitest'
import { reject, silentLogger, type Middleware } from '@gw/core'
import { HOST_ADAPTERS, startAdapter, type RunningAdapter } from './support/adapters.js'
import { echoPipeline, newProbe } from './support/echo-pipeline.js'
import { rawRequest } from './support/raw-http.js'

const started: RunningAdapter[] = []
afterEach(async () => {
  for (const a of started.splice(0)) await a.close()
})

/** A middleware-only pipeline (like a throttler): sets a header, rejects `/blocked`, else calls next(). */
const guard: Middleware<object> = (ctx, next) => {
  if (ctx.rawPath === '/blocked') return reject(ctx, 'THROTTLED')
  ctx.responseHeaders['x-gw-guard'] = 'passed'
  return next()
}

describe.each(HOST_ADAPTERS)('fallthrough in %s', (host) => {
  it.each([
    ['fallthrough: ctx.noRoute → the host route answers', true, '/host-route', 200, `from ${host}`],
    ['fallthrough: gateway routes are still answered by gw', true, '/unicode', 200, 'héllo wörld ✓ 日本'],
    ['no fallthrough: ctx.noRoute → §12.1 403 Missing Authentication Token', false, '/host-route', 403, '{"message":"Missing Authentication Token"}']
  ])('%s', async (_name, fallthrough, path, status, body) => {
    const adapter = await startAdapter(host, echoPipeline(newProbe()), { fallthrough, logger: silentLogger })
    started.push(adapter)
    const res = await rawRequest(adapter.url, ['GET ' + path + ' HTTP/1.1', 'Host: gw.test', 'Connection: close'])
    expect(res.status).toBe(status)
    expect(res.body.toString('utf8')).toBe(body)
  })

  it.each([false, true])('a pipeline that calls the last next() hands the request to the host, with the headers it set (fallthrough %s)', async (fallthrough) => {
    const adapter = await startAdapter(host, guard, { fallthrough, logger: silentLogger })
    started.push(adapter)
    const res = await rawRequest(adapter.url, ['GET /host-route HTTP/1.1', 'Host: gw.test', 'Connection: close'])
    expect(res.status).toBe(200)
    expect(res.body.toString()).toBe(`from ${host}`)
    expect(res.headers['x-gw-guard']).toBe('passed')
  })

  it('no options: a passing pipeline on a path the host does not know gets the host\'s own 404, not an empty 200', async () => {
    const adapter = await startAdapter(host, guard, { logger: silentLogger })
    started.push(adapter)
    const res = await rawRequest(adapter.url, ['GET /nowhere HTTP/1.1', 'Host: gw.test', 'Connection: close'])
    expect(res.status).toBe(404)
    expect(res.body.length).toBeGreaterThan(0)
    expect(res.headers['x-gw-guard']).toBe('passed')
  })

  it('§8.3 a rejection is still answered by the gateway, the host never runs', async () => {
    const adapter = await startAdapter(host, guard, { logger: silentLogger })
    started.push(adapter)
    const res = await rawRequest(adapter.url, ['GET /blocked HTTP/1.1', 'Host: gw.test', 'Connection: close'])
    expect(res.status).toBe(429)
    expect(res.body.toString()).toBe('{"message":"Too Many Requests"}')
    expect(res.headers['x-gw-guard']).toBeUndefined()
  })
})
