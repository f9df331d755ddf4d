import { describe, expect, it, onTestFinished } from 'vitest'
import { request } from 'undici'
import { createIntegration, type IntegrationDefinition } from '@gw/integrations'
import { gateway, listen, readAll, route } from './helpers.js'

interface Seen { url: string; headers: Record<string, string | string[] | undefined> }

async function upstream(): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = []
  const { url } = await listen((req, res) => {
    void readAll(req).then(() => {
      seen.push({ url: req.url ?? '', headers: req.headers })
      res.writeHead(req.url?.startsWith('/fail') === true ? 500 : 200, { 'content-type': 'application/json', 'x-up': 'u1', 'x-drop': 'd' }).end('{}')
    })
  })
  return { url, seen }
}

function proxy(def: Omit<IntegrationDefinition, 'type'>) {
  const i = createIntegration({ type: 'HTTP_PROXY', httpMethod: 'ANY', payloadFormatVersion: '1.0', ...def }, { flavour: 'HTTP' })
  onTestFinished(() => i.close())
  return i
}

describe('HTTP API parameter mapping on HTTP_PROXY (§3.7, §18.39)', () => {
  it('§3.7 append/overwrite/remove header and querystring, overwrite:path with ${} interpolation', async () => {
    const up = await upstream()
    const url = await gateway(
      [
        route({ stage: '$default', pathParameters: { id: '7' }, stageVariables: { v: 'sv' } }),
        proxy({
          uri: `${up.url}/orig`,
          requestParameters: {
            'append:header.x-added': '$request.header.X-In',
            'overwrite:header.x-over': 'static-${request.path.id}',
            'remove:header.x-gone': "''",
            'overwrite:querystring.q': '$request.querystring.q-in',
            'remove:querystring.drop': "''",
            'append:querystring.st': '$stageVariables.v',
            'overwrite:path': '/items/${request.path.id}'
          }
        })
      ],
      'HTTP'
    )
    const res = await request(`${url}/x?q=old&drop=1&keep=2&q-in=new`, { headers: { 'x-in': 'a', 'x-over': 'client', 'x-gone': 'bye' } })
    expect(res.statusCode).toBe(200)
    await res.body.dump()
    const s = up.seen[0] as Seen
    expect(s.headers['x-added']).toBe('a')
    expect(s.headers['x-over']).toBe('static-7')
    expect(s.headers['x-gone']).toBeUndefined()
    expect(s.url).toBe('/items/7?keep=2&q-in=new&q=new&st=sv')
  })

  it('§3.7 responseParameters keyed by status: overwrite:statuscode, append/remove header from $response.header', async () => {
    const up = await upstream()
    const url = await gateway(
      [
        route({ stage: '$default' }),
        proxy({
          uri: `${up.url}/fail`,
          responseParameters: { '500': { 'overwrite:statuscode': '403', 'append:header.x-copied': '$response.header.x-up', 'remove:header.x-drop': "''" } }
        })
      ],
      'HTTP'
    )
    const res = await request(`${url}/x`)
    await res.body.dump()
    expect(res.statusCode).toBe(403)
    expect(res.headers['x-copied']).toBe('u1')
    expect(res.headers['x-drop']).toBeUndefined()
  })

  it.each([
    ['reserved header (§3.7)', { 'overwrite:header.Authorization': 'x' }],
    ['unknown key', { 'replace:header.x': 'x' }],
    ['unknown source', { 'overwrite:header.x': '$request.cookie.x' }]
  ])('refused at construction: %s', (_n, requestParameters) => {
    expect(() => createIntegration({ type: 'HTTP_PROXY', uri: 'http://127.0.0.1:1/x', requestParameters }, { flavour: 'HTTP' })).toThrowError(
      expect.objectContaining({ code: 'GW_INTEGRATIONS_UNSUPPORTED' }) as Error
    )
  })
})
