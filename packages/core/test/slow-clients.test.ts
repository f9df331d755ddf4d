import { connect, type Socket } from 'node:net'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { createGatewayServer, silentLogger, type Middleware, type ServerLimits } from '@gw/core'

/**
 * Slow clients and connection floods (issue #15 item 5), raw sockets: slowloris
 * (headers one byte at a time), a slow body sender, a reader that never reads,
 * the per-process connection cap, and a gzip bomb that is never inflated.
 * Limits are shortened here; the defaults are in DEFAULT_SERVER_LIMITS.
 */
const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise<void>((r) => s.close(() => r()))
  }
})

let bodiesSeen: number[] = []
const pipeline: Middleware<object> = async (ctx) => {
  if (ctx.rawPath === '/big') {
    // An endless answer: only back-pressure stops the writes, so a reader that stops reading leaves the socket idle.
    const chunk = Buffer.alloc(64 * 1024, 1)
    ctx.responseHeaders['content-type'] = 'application/octet-stream'
    ctx.body = new Readable({
      read() {
        this.push(chunk)
      }
    })
    return
  }
  const body = await ctx.readBody()
  bodiesSeen.push(body.length)
  ctx.json({ length: body.length })
}

async function start(limits: ServerLimits): Promise<{ server: Server; port: number }> {
  bodiesSeen = []
  const server = createGatewayServer(pipeline, { logger: silentLogger, limits })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, port: (server.address() as AddressInfo).port }
}

/** Resolves with what the server sent once it closes the socket (or after `ms`, with `open: true`). */
function watch(socket: Socket, ms: number): Promise<{ text: string; open: boolean; afterMs: number }> {
  const t0 = Date.now()
  return new Promise((resolve) => {
    let text = ''
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')))
    socket.on('error', () => {})
    const timer = setTimeout(() => resolve({ text, open: true, afterMs: Date.now() - t0 }), ms)
    socket.on('close', () => {
      clearTimeout(timer)
      resolve({ text, open: false, afterMs: Date.now() - t0 })
    })
  })
}

const connections = (server: Server): Promise<number> => new Promise((r) => server.getConnections((_e, n) => r(n)))

describe('slow clients are cut without holding sockets', () => {
  it('slowloris: headers one byte at a time → 408 and the socket closed after headersTimeout', async () => {
    const { server, port } = await start({ headersTimeoutMs: 1000, requestTimeoutMs: 2000 })
    const socket = connect(port, '127.0.0.1')
    const head = 'GET / HTTP/1.1\r\nHost: gw.test\r\nX-Slow: '
    let i = 0
    const drip = setInterval(() => socket.write(i < head.length ? (head[i++] as string) : 'a'), 100)
    const seen = await watch(socket, 10_000)
    clearInterval(drip)
    expect(seen.open).toBe(false)
    expect(seen.text).toMatch(/^HTTP\/1\.1 408 /)
    expect(seen.afterMs).toBeLessThan(8000)
    expect(await connections(server)).toBe(0)
  })

  it('slow body sender: body trickling past requestTimeout → cut, the pipeline gets no body', async () => {
    const { server, port } = await start({ headersTimeoutMs: 1000, requestTimeoutMs: 2000 })
    const socket = connect(port, '127.0.0.1')
    socket.write('POST / HTTP/1.1\r\nHost: gw.test\r\nContent-Length: 100000\r\n\r\n')
    const drip = setInterval(() => socket.write('x'), 100)
    const seen = await watch(socket, 10_000)
    clearInterval(drip)
    expect(seen.open).toBe(false)
    expect(seen.afterMs).toBeLessThan(8000)
    expect(bodiesSeen).toEqual([])
    expect(await connections(server)).toBe(0)
  })

  it('slow reader: a client that stops reading an endless answer is dropped after idleTimeout', async () => {
    const { server, port } = await start({ idleTimeoutMs: 1000 })
    const socket = connect(port, '127.0.0.1')
    socket.pause() // never reads: the server's writes stall
    socket.on('error', () => {})
    socket.write('GET /big HTTP/1.1\r\nHost: gw.test\r\n\r\n')
    // Watched from the server side: the paused client only learns of the close when it reads again.
    await new Promise((r) => setTimeout(r, 300))
    expect(await connections(server)).toBe(1)
    const t0 = Date.now()
    while ((await connections(server)) > 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100))
    expect(await connections(server)).toBe(0)
    socket.destroy()
  })

  it('maxConnections: connections past the cap are closed at once, the others are served', async () => {
    const { server, port } = await start({ maxConnections: 2 })
    const held = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')]
    for (const s of held) s.on('error', () => {})
    await new Promise((r) => setTimeout(r, 200))
    const extra = connect(port, '127.0.0.1')
    extra.write('GET / HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n')
    const seen = await watch(extra, 5000)
    expect(seen.open).toBe(false)
    expect(seen.text).toBe('')
    expect(await connections(server)).toBe(2)
    for (const s of held) s.destroy()
  })

  it('Content-Encoding: gzip is never inflated: a 10 MB zip bomb arrives as its compressed bytes', async () => {
    const { port } = await start({})
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024 + 1))
    const socket = connect(port, '127.0.0.1')
    socket.write(`POST / HTTP/1.1\r\nHost: gw.test\r\nContent-Encoding: gzip\r\nContent-Length: ${String(bomb.length)}\r\nConnection: close\r\n\r\n`)
    socket.write(bomb)
    const seen = await watch(socket, 10_000)
    expect(seen.text).toMatch(/^HTTP\/1\.1 200 /)
    expect(bodiesSeen).toEqual([bomb.length])
    expect(bomb.length).toBeLessThan(100_000)
  })
})
