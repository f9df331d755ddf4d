import { createServer, type Server } from 'node:http'
import { Socket, type AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Agent, request } from 'undici'
import { silentLogger, toNodeHandler } from '@gw/core'
import { socketFacts } from '../src/node/socket-facts.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
})

describe('socket facts ($context.identity.sourceIp, the request protocol): read once per connection', () => {
  it('every request on every keep-alive connection gets its socket address and http, and a connection keeps one record', async () => {
    const seen = new Map<unknown, unknown>()
    const handler = toNodeHandler(
      (ctx) => {
        ctx.json({ ip: ctx.sourceIp })
      },
      { logger: silentLogger }
    )
    const server = createServer((req, res) => {
      // the record read for this request is the one kept on its socket (a second read gives the same object)
      const facts = socketFacts(req.socket)
      expect(socketFacts(req.socket)).toBe(facts)
      expect(facts.protocol).toBe('http')
      seen.set(req.socket, facts)
      handler(req, res)
    })
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    const { port } = server.address() as AddressInfo
    const agents = [new Agent({ connections: 1 }), new Agent({ connections: 1 })]
    const ips: string[] = []
    for (let i = 0; i < 6; i++) {
      const res = await request(`http://127.0.0.1:${String(port)}/`, { dispatcher: agents[i % 2] as Agent })
      ips.push(((await res.body.json()) as { ip: string }).ip)
    }
    await Promise.all(agents.map((a) => a.close()))
    expect(ips).toEqual(Array(6).fill('127.0.0.1'))
    // two connections, one record each
    expect(seen.size).toBe(2)
    for (const facts of seen.values()) expect(facts).toEqual({ remoteAddress: '127.0.0.1', protocol: 'http' })
  })

  it('a socket without a peer address yet gives an empty address and keeps nothing; a TLS socket is https', () => {
    const unconnected = new Socket()
    const first = socketFacts(unconnected)
    expect(first).toEqual({ remoteAddress: '', protocol: 'http' })
    // read again on the next request (it may be connected by then), not the empty answer kept
    expect(socketFacts(unconnected)).not.toBe(first)
    unconnected.destroy()
    const tls = { remoteAddress: '203.0.113.7', encrypted: true } as unknown as Socket
    expect(socketFacts(tls)).toEqual({ remoteAddress: '203.0.113.7', protocol: 'https' })
    expect(socketFacts(tls)).toBe(socketFacts(tls))
  })
})
