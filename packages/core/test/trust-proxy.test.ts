import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { request } from 'undici'
import { GwError, compileTrustProxy, silentLogger, toNodeHandler, type TrustProxy } from '@gw/core'

describe('trustProxy: which X-Forwarded-For entry is the client', () => {
  const rows: { name: string; trust: TrustProxy; socket: string; xff: string | undefined; client: string }[] = [
    { name: 'false: spoofed X-Forwarded-For is ignored', trust: false, socket: '10.0.0.5', xff: '6.6.6.6', client: '10.0.0.5' },
    { name: '0 hops equals false', trust: 0, socket: '10.0.0.5', xff: '6.6.6.6', client: '10.0.0.5' },
    { name: 'true: left-most address', trust: true, socket: '10.0.0.5', xff: '203.0.113.7, 10.0.0.2', client: '203.0.113.7' },
    { name: 'true without the header: socket', trust: true, socket: '10.0.0.5', xff: undefined, client: '10.0.0.5' },
    { name: '1 hop: last entry', trust: 1, socket: '10.0.0.5', xff: '6.6.6.6, 203.0.113.7', client: '203.0.113.7' },
    { name: '2 hops: second to last', trust: 2, socket: '10.0.0.5', xff: '6.6.6.6, 203.0.113.7, 10.0.0.2', client: '203.0.113.7' },
    { name: 'hops beyond the list: first entry', trust: 5, socket: '10.0.0.5', xff: '203.0.113.7', client: '203.0.113.7' },
    { name: 'CIDR: trusted socket, walk right to left to the first untrusted', trust: ['10.0.0.0/8'], socket: '10.0.0.5', xff: '6.6.6.6, 203.0.113.7, 10.1.2.3', client: '203.0.113.7' },
    { name: 'CIDR: untrusted socket ignores the spoofed header', trust: ['10.0.0.0/8'], socket: '198.51.100.9', xff: '6.6.6.6', client: '198.51.100.9' },
    { name: 'CIDR: every hop trusted → left-most', trust: ['10.0.0.0/8'], socket: '10.0.0.5', xff: '10.9.9.9, 10.1.1.1', client: '10.9.9.9' },
    { name: 'named range loopback with IPv4-mapped socket', trust: ['loopback'], socket: '::ffff:127.0.0.1', xff: '203.0.113.7', client: '203.0.113.7' },
    { name: 'IPv6 CIDR', trust: ['fd00::/8'], socket: 'fd00::1', xff: '2001:db8::1', client: '2001:db8::1' },
    { name: 'single address', trust: ['192.0.2.1'], socket: '192.0.2.1', xff: '203.0.113.7', client: '203.0.113.7' },
    { name: 'garbage entry ends the walk', trust: ['10.0.0.0/8'], socket: '10.0.0.5', xff: '203.0.113.7, not-an-ip', client: '10.0.0.5' },
  ]
  it.each(rows)('$name', ({ trust, socket, xff, client }) => {
    const resolve = compileTrustProxy(trust)
    expect(resolve === undefined ? socket : resolve(socket, xff)).toBe(client)
  })

  it('repeated X-Forwarded-For headers count as one list', () => {
    expect(compileTrustProxy(2)?.('10.0.0.5', ['198.51.100.1', '203.0.113.7, 10.0.0.2'])).toBe('203.0.113.7')
  })

  it.each([
    ['not a CIDR', ['10.0.0.0/33']],
    ['not an address', ['example.com']],
    ['negative hops', -1],
    ['fractional hops', 1.5]
  ])('refuses %s at construction (GW_CONFIG_INVALID)', (_name, trustProxy) => {
    let err: unknown
    try {
      toNodeHandler(() => {}, { trustProxy: trustProxy as TrustProxy })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(GwError)
    expect((err as GwError).code).toBe('GW_CONFIG_INVALID')
    expect((err as GwError).message).toContain('trustProxy')
  })
})

describe('trustProxy over a real socket ($context.identity.sourceIp)', () => {
  const servers: Server[] = []
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()))
  })
  it.each([
    ['not trusted: socket address, spoofed header ignored', false, '127.0.0.1'],
    ['loopback trusted: the forwarded client', ['loopback'], '203.0.113.7'],
    ['one hop: the forwarded client', 1, '203.0.113.7']
  ] as [string, TrustProxy, string][])('%s', async (_name, trustProxy, expected) => {
    const server = createServer(toNodeHandler((ctx) => ctx.json({ ip: ctx.sourceIp }), { trustProxy, logger: silentLogger }))
    servers.push(server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const res = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: { 'x-forwarded-for': '203.0.113.7' } })
    expect(await res.body.json()).toEqual({ ip: expected })
  })
})
