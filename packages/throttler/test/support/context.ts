// Test support: a GatewayContext without a socket, for unit rows.
import { Readable } from 'node:stream'
import { GatewayContext, type ApiFlavour } from '@gw/core'

export function makeContext(init: { ip?: string; headers?: Record<string, string>; flavour?: ApiFlavour; method?: string; url?: string } = {}): GatewayContext<object> {
  return new GatewayContext(
    {
      method: init.method ?? 'GET',
      url: init.url ?? '/pets',
      headers: init.headers ?? {},
      rawHeaders: [],
      remoteAddress: init.ip ?? '203.0.113.7',
      protocol: 'http',
      readBody: () => Promise.resolve(Buffer.alloc(0)),
      stream: () => Readable.from([]),
      hasBody: false,
      signal: new AbortController().signal
    },
    { flavour: init.flavour ?? 'REST' }
  )
}
