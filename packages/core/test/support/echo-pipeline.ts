import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { compose, reject, isGatewayResponseType, type GatewayContext, type Middleware } from '@gw/core'

/** Counters the tests read to prove no work is left pending. */
export interface EchoProbe {
  bodyReads: number
  bodySettled: number
  bodyErrors: string[]
  aborted: number
  /** Endless response streams handed out by `/endless`. */
  endless: Readable[]
}

export function newProbe(): EchoProbe {
  return { bodyReads: 0, bodySettled: 0, bodyErrors: [], aborted: 0, endless: [] }
}

const ECHOED = ['x-test', 'x-unicode', 'x-list', 'connection', 'keep-alive', 'te', 'upgrade', 'x-drop', 'x-keep', 'content-type', 'transfer-encoding']

/**
 * The conformance pipeline, built from @gw/core only: a timing wrapper, a
 * header middleware and an echo handler whose path picks the behaviour.
 */
export function echoPipeline(probe: EchoProbe): Middleware<object> {
  const addHeader: Middleware<object> = async (ctx, next) => {
    await next()
    if (ctx.error === undefined) ctx.responseHeaders['x-gw'] = 'echo'
  }
  const watchAbort: Middleware<object> = (ctx, next) => {
    if (ctx.rawPath === '/slow-body') ctx.signal.addEventListener('abort', () => probe.aborted++, { once: true })
    return next()
  }
  const handler: Middleware<object> = async (ctx: GatewayContext<object>) => {
    const path = ctx.rawPath
    if (path === '/echo') {
      const headers: Record<string, unknown> = {}
      for (const name of ECHOED) if (ctx.headers[name] !== undefined) headers[name] = ctx.headers[name]
      return ctx.json({ method: ctx.method, path, rawQuery: ctx.rawQuery, query: { ...ctx.query }, headers })
    }
    if (path.startsWith('/error/')) {
      const type = path.slice(7)
      if (isGatewayResponseType(type)) return reject(ctx, type)
    }
    if (path === '/throw') throw new Error('boom at /throw with a secret stack')
    if (path === '/body' || path === '/slow-body') {
      probe.bodyReads++
      try {
        const body = await ctx.readBody()
        ctx.json({ length: body.length, sha256: createHash('sha256').update(body).digest('hex') })
      } catch (err) {
        probe.bodyErrors.push(err instanceof Error ? err.message : String(err))
        throw err
      } finally {
        probe.bodySettled++
      }
      return
    }
    if (path === '/split') {
      // A handler copying a decoded query value into a response header (what a careless mapping does).
      ctx.responseHeaders['x-echo'] = ctx.query['q']?.[0] ?? ''
      ctx.responseHeaders['content-type'] = 'text/plain'
      ctx.body = 'ok'
      return
    }
    if (path === '/stream-body') {
      // What a proxy does: take the body as a stream (a chunked one is cut at the limit, §15).
      let length = 0
      const stream = ctx.bodyStream()
      if (stream !== null) for await (const chunk of stream) length += (chunk as Buffer).length
      return ctx.json({ length })
    }
    if (path === '/binary') {
      ctx.responseHeaders['content-type'] = 'application/octet-stream'
      ctx.body = Uint8Array.from({ length: 256 }, (_, i) => i)
      return
    }
    if (path === '/stream') {
      ctx.responseHeaders['content-type'] = 'text/plain'
      ctx.body = Readable.from(['chunk-1;', 'chunk-2;', 'chunk-3'])
      return
    }
    if (path === '/endless') {
      let n = 0
      const stream = new Readable({
        read() {
          setTimeout(() => this.push(`tick ${n++}\n`), 5)
        }
      })
      probe.endless.push(stream)
      ctx.responseHeaders['content-type'] = 'text/plain'
      ctx.body = stream
      return
    }
    if (path === '/webstream') {
      ctx.responseHeaders['content-type'] = 'text/plain'
      const parts = ['web-1;', 'web-2']
      ctx.body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const part = parts.shift()
          if (part === undefined) controller.close()
          else controller.enqueue(new TextEncoder().encode(part))
        }
      })
      return
    }
    if (path === '/cookies') {
      ctx.responseHeaders['set-cookie'] = ['a=1; Path=/', 'b=2; Path=/']
      // @hono/node-server adds `text/plain; charset=UTF-8` to bodies without a content type; node:http adds none.
      ctx.responseHeaders['content-type'] = 'text/plain'
      ctx.body = 'ok'
      return
    }
    if (path === '/empty') {
      ctx.status = 204
      return
    }
    if (path === '/unicode') {
      ctx.responseHeaders['content-type'] = 'text/plain; charset=utf-8'
      ctx.body = 'héllo wörld ✓ 日本'
      return
    }
    ctx.noRoute = true
    reject(ctx, 'MISSING_AUTHENTICATION_TOKEN')
  }
  return compose([watchAbort, addHeader, handler])
}
