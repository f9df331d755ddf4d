import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { ApiDefinitionInput } from '@gw/gateway'
import { start } from './serve.js'

/** A real backend echoing the path and query it received. */
async function echo(): Promise<string> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ url: req.url, method: req.method }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())))
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`
}

const proxy = (uri: string) => ({ type: 'HTTP_PROXY' as const, httpMethod: 'ANY', uri, payloadFormatVersion: '1.0' as const })

describe('HTTP API $default route with an HTTP proxy integration (aws-semantics §1.3)', () => {
  it.each([
    ['URI without path', '', '/store/checkout?cart=1&x=a%20b', '/store/checkout?cart=1&x=a%20b'],
    ['URI with a base path', '/base', '/store/checkout?cart=1', '/base/store/checkout?cart=1'],
    ['URI with a base path and trailing slash', '/base/', '/store/checkout', '/base/store/checkout'],
    ['root request', '', '/', '/']
  ])('§1.3 $default appends the full request path and query (%s)', async (_n, base, path, expected) => {
    const up = await echo()
    const url = await start({ protocol: 'HTTP', name: 'd', routes: { $default: { integration: proxy(`${up}${base}`) } } })
    const res = await fetch(url + path, { method: 'POST', body: 'x' })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ url: expected, method: 'POST' })
  })

  it('§1.3 on a named stage the stage segment is not part of the path sent', async () => {
    const up = await echo()
    const url = await start({ protocol: 'HTTP', name: 'd', stages: { dev: {} }, routes: { $default: { integration: proxy(up) } } })
    expect(await (await fetch(`${url}/dev/store/checkout`)).json()).toEqual({ url: '/store/checkout', method: 'GET' })
  })

  it('§1.3 ANY /{proxy+} differs: the URI is used as written, the greedy value only where the URI names {proxy}', async () => {
    const up = await echo()
    const def: ApiDefinitionInput = {
      protocol: 'HTTP',
      name: 'g',
      routes: {
        'ANY /plain/{proxy+}': { integration: proxy(`${up}/fixed`) },
        'ANY /named/{proxy+}': { integration: proxy(`${up}/to/{proxy}`) },
        $default: { integration: proxy(`${up}/fixed`) }
      }
    }
    const url = await start(def)
    expect(await (await fetch(`${url}/plain/a/b?q=1`)).json()).toEqual({ url: '/fixed?q=1', method: 'GET' })
    expect(await (await fetch(`${url}/named/a/b?q=1`)).json()).toEqual({ url: '/to/a/b?q=1', method: 'GET' })
    expect(await (await fetch(`${url}/other/a/b?q=1`)).json()).toEqual({ url: '/fixed/other/a/b?q=1', method: 'GET' })
  })

  it('§1.3 overwrite:path on $default replaces the appended path (§3.7)', async () => {
    const up = await echo()
    const url = await start({ protocol: 'HTTP', name: 'd', routes: { $default: { integration: { ...proxy(up), requestParameters: { 'overwrite:path': '/mapped' } } } } })
    expect(await (await fetch(`${url}/store/checkout?q=1`)).json()).toEqual({ url: '/mapped?q=1', method: 'GET' })
  })
})
