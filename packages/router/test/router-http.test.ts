import { describe, expect, it } from 'vitest'
import { createRouter } from '@gw/router'

const http = createRouter<string>({ flavour: 'HTTP' })
for (const key of [
  'GET /',
  'GET /pets',
  'GET /pets/{petID}',
  'POST /pets/{petID}',
  'ANY /pets/{petID}',
  'GET /pets/dog/1',
  'GET /pets/dog/{id}',
  'GET /pets/{proxy+}',
  'ANY /{proxy+}',
  'GET /metrics',
  'GET /metrics/{proxy+}',
  'GET /files/{name}',
  'GET /a~b',
  'GET /{x}/literal'
]) {
  const [method, path] = key.split(/ (.*)/) as [string, string]
  http.add(method, path, key)
}
http.add('ANY', '$default', '$default')

const only = createRouter<string>({ flavour: 'HTTP' })
only.add('GET', '/pets', 'GET /pets')

type Row = [name: string, method: string, path: string, expected: string | undefined, params?: Record<string, string> | null]

const rows: Row[] = [
  ['§1.3 root route', 'GET', '/', 'GET /', null],
  ['§1.3 full literal match', 'GET', '/pets', 'GET /pets', null],
  ['§1.3 {param} match', 'GET', '/pets/7', 'GET /pets/{petID}', { petID: '7' }],
  ['§1.3 explicit method beats ANY on the same path', 'POST', '/pets/7', 'POST /pets/{petID}', { petID: '7' }],
  ['§1.3 ANY on the same path', 'DELETE', '/pets/7', 'ANY /pets/{petID}', { petID: '7' }],
  ['§1.3 literal beats {param}: GET /pets/dog/1', 'GET', '/pets/dog/1', 'GET /pets/dog/1', null],
  ['§1.3 {param} after literal', 'GET', '/pets/dog/2', 'GET /pets/dog/{id}', { id: '2' }],
  ['§1.3 greedy GET /pets/{proxy+} before ANY /{proxy+}', 'GET', '/pets/a/b/c', 'GET /pets/{proxy+}', { proxy: 'a/b/c' }],
  ['§1.3 ANY /{proxy+} when the deeper greedy lacks the method', 'PUT', '/pets/a/b', 'ANY /{proxy+}', { proxy: 'pets/a/b' }],
  ['§1.3 full {param} match beats ANY /{proxy+}', 'GET', '/cats/literal', 'GET /{x}/literal', { x: 'cats' }],
  ['§1.3 trailing slash is significant', 'GET', '/metrics/', 'GET /metrics/{proxy+}', { proxy: '' }],
  ['§1.3 trailing slash: /files/{name} does not match /files/a/', 'GET', '/files/a/', 'ANY /{proxy+}', { proxy: 'files/a/' }],
  ['§1.3 $default catches what nothing else does', 'GET', '/', 'GET /', null],
  ['§1.3 path is percent-decoded before routing (%2F is a separator)', 'GET', '/files/a%2Fb', 'ANY /{proxy+}', { proxy: 'files/a/b' }],
  ['§1.3 decoded %7E matches a literal ~', 'GET', '/a%7Eb', 'GET /a~b', null],
  ['§1.3 path parameters are decoded', 'GET', '/files/r%C3%A9sum%C3%A9', 'GET /files/{name}', { name: 'résumé' }],
  ['§1.3 decoded ? truncates the path', 'GET', '/files/x%3Fy', 'GET /files/{name}', { name: 'x' }],
  ['§1.3 %2e%2e decodes to a dot segment [I]', 'GET', '/files/x/%2e%2e/y', 'GET /files/{name}', { name: 'y' }],
  ['§1.3 invalid escape stays as received [I]', 'GET', '/files/%zz', 'GET /files/{name}', { name: '%zz' }],
  ['§1.3 case-sensitive', 'GET', '/PETS', 'ANY /{proxy+}', { proxy: 'PETS' }],
  ['§1.3 HEAD is not served by GET', 'HEAD', '/pets', 'ANY /{proxy+}', { proxy: 'pets' }]
]

describe('HTTP API route keys (§1.3)', () => {
  it.each(rows)('%s: %s %s', (_name, method, path, expected, params) => {
    const m = http.match(method, path)
    expect(m?.value).toBe(expected)
    expect(m?.routeKey).toBe(expected)
    if (params !== undefined) expect(m?.params === null ? null : { ...m?.params }).toEqual(params)
  })

  it.each([
    ['§1.3 trailing slash is strict without $default', 'GET', '/pets/'],
    ['§1.3 unknown method', 'POST', '/pets'],
    ['§1.3 double slash is an empty segment', 'GET', '//pets']
  ])('%s: %s %s → no match', (_name, method, path) => {
    expect(only.match(method, path)).toBeUndefined()
  })

  it('§1.3 route keys cannot end with "/"', () => {
    const r = createRouter<number>({ flavour: 'HTTP' })
    expect(() => r.add('GET', '/pets/', 1)).toThrow(expect.objectContaining({ code: 'GW_ROUTER_INVALID_ROUTE' }))
  })

  it('§1.3 a full match beats a greedy route found earlier in the tree', () => {
    const r = createRouter<string>({ flavour: 'HTTP' })
    r.add('GET', '/pets/{proxy+}', 'greedy')
    r.add('GET', '/{x}/literal', 'full')
    expect(r.match('GET', '/pets/literal')?.value).toBe('full')
    expect(r.match('GET', '/pets/other')?.value).toBe('greedy')
  })

  it('§1.3 $default when nothing else matches', () => {
    const r = createRouter<string>({ flavour: 'HTTP' })
    r.add('GET', '/files/{name}', 'file')
    r.add('ANY', '$default', 'default')
    expect(r.match('GET', '/files/a/')?.value).toBe('default')
    expect(r.match('GET', '/files/a%2Fb')?.value).toBe('default')
    expect(r.match('GET', '/files/a')?.value).toBe('file')
  })

  it('§1.3 ANY /{proxy+} does not match / [I], $default does', () => {
    const r = createRouter<string>({ flavour: 'HTTP' })
    r.add('ANY', '/{proxy+}', 'greedy')
    expect(r.match('GET', '/')).toBeUndefined()
    r.add('ANY', '$default', 'default')
    expect(r.match('GET', '/')?.resourcePath).toBe('$default')
  })
})
