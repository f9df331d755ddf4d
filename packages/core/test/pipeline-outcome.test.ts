import { afterEach, describe, expect, it } from 'vitest'
import { compose, silentLogger, type LogEvent, type Logger, type Middleware } from '@gw/core'
import { startAdapter, type RunningAdapter } from './support/adapters.js'
import { rawRequest } from './support/raw-http.js'

/**
 * The adapters' one rule (run-pipeline.ts `outcomeOf`) on the standalone
 * servers (`toNodeHandler` via createGatewayServer, `toFetchHandler`), where
 * nothing comes after the pipeline: a pass is the gateway's "no route"
 * answer (aws-semantics §12.1 / §12.3), a pipeline that answers nothing is a
 * 500, never an empty 200.
 */
const started: RunningAdapter[] = []
afterEach(async () => {
  for (const a of started.splice(0)) await a.close()
})

const passSync: Middleware<object> = (ctx, next) => {
  ctx.responseHeaders['ratelimit-limit'] = '10'
  return next()
}
const passAsync: Middleware<object> = async (_ctx, next) => {
  await new Promise((r) => setTimeout(r, 1))
  await next()
}
const answerAfterNext: Middleware<object> = async (ctx, next) => {
  await next()
  ctx.json({ cached: true })
}
const nothing: Middleware<object> = () => {}
const emptyByChoice: Middleware<object> = (ctx) => {
  ctx.responseHeaders['x-chosen'] = 'yes'
}

function recordingLogger(): Logger & { events: LogEvent[] } {
  const events: LogEvent[] = []
  return { events, error: (e) => events.push(e), warn: () => {}, info: () => {} }
}

describe.each(['node', 'fetch'] as const)('standalone %s server', (name) => {
  it.each([
    ['sync pass', passSync],
    ['async pass', passAsync],
    ['composed pass', compose([passSync, passAsync])]
  ])('§12.1 a %s (last next(), no answer) is REST 403 Missing Authentication Token', async (_label, pipeline) => {
    const adapter = await startAdapter(name, pipeline, { logger: silentLogger })
    started.push(adapter)
    const res = await rawRequest(adapter.url, ['GET /x HTTP/1.1', 'Host: gw.test', 'Connection: close'])
    expect(res.status).toBe(403)
    expect(res.body.toString()).toBe('{"message":"Missing Authentication Token"}')
    expect(res.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException')
  })

  it('§12.3 on an HTTP API a pass is 404 {"message":"Not Found"}', async () => {
    const adapter = await startAdapter(name, passSync, { flavour: 'HTTP', logger: silentLogger })
    started.push(adapter)
    const res = await rawRequest(adapter.url, ['GET /x HTTP/1.1', 'Host: gw.test', 'Connection: close'])
    expect(res.status).toBe(404)
    expect(res.body.toString()).toBe('{"message":"Not Found"}')
  })

  it('an answer set after next() is the pipeline\'s answer', async () => {
    const adapter = await startAdapter(name, answerAfterNext, { logger: silentLogger })
    started.push(adapter)
    const res = await rawRequest(adapter.url, ['GET /x HTTP/1.1', 'Host: gw.test', 'Connection: close'])
    expect(res.status).toBe(200)
    expect(res.body.toString()).toBe('{"cached":true}')
  })

  it('a pipeline that neither answers nor calls next() is a 500 with one gw.no_answer log line', async () => {
    const logger = recordingLogger()
    const adapter = await startAdapter(name, nothing, { logger })
    started.push(adapter)
    const res = await rawRequest(adapter.url, ['GET /x HTTP/1.1', 'Host: gw.test', 'Connection: close'])
    expect(res.status).toBe(500)
    expect(res.body.toString()).toBe('{"message":"Internal server error"}')
    expect(logger.events.map((e) => e.event)).toEqual(['gw.no_answer'])
  })

  it('an empty 200 the pipeline chose (it set a header and did not call next()) is kept', async () => {
    const adapter = await startAdapter(name, emptyByChoice, { logger: silentLogger })
    started.push(adapter)
    const res = await rawRequest(adapter.url, ['GET /x HTTP/1.1', 'Host: gw.test', 'Connection: close'])
    expect(res.status).toBe(200)
    expect(res.headers['x-chosen']).toBe('yes')
    expect(res.body.length).toBe(0)
  })
})
