import { describe, expect, it } from 'vitest'
import { createRouter } from '@gw/router'

// One REST API covering the §1.2 shapes (resources as AWS stores them).
const rest = createRouter<string>({ flavour: 'REST' })
const add = (method: string, path: string): void => rest.add(method, path, `${method} ${path}`)
add('GET', '/')
add('GET', '/pets')
add('POST', '/pets')
add('GET', '/pets/{petId}')
add('ANY', '/pets/{petId}')
add('GET', '/pets/dog/1')
add('GET', '/pets/dog/{id}')
add('GET', '/hardcoded')
add('ANY', '/{proxy+}')
add('GET', '/parent/{proxy+}')
add('GET', '/parent/{child}/{proxy+}')
add('GET', '/parent/{child}/leaf')
add('POST', '/a/{x}/c')
add('GET', '/a/b/{y}')
add('GET', '/files/report.v1,final:x')
add('HEAD', '/head-only')
add('GET', '/get-only')
add('GET', '/Case')

type Row = [name: string, method: string, path: string, expected: string | undefined, params?: Record<string, string> | null]

const rows: Row[] = [
  ['§1.2 root needs its own method', 'GET', '/', 'GET /'],
  ['§1.2 {proxy+} does not match / (root POST has no method, falls to no match)', 'POST', '/', undefined],
  ['§1.2 literal resource', 'GET', '/pets', 'GET /pets', null],
  ['§1.2 explicit method on literal resource', 'POST', '/pets', 'POST /pets', null],
  ['§1.2 method not defined on /pets → greedy sibling (backtracking)', 'DELETE', '/pets', 'ANY /{proxy+}', { proxy: 'pets' }],
  ['§1.2 {param} resource', 'GET', '/pets/42', 'GET /pets/{petId}', { petId: '42' }],
  ['§1.2 explicit GET beats ANY on the same resource', 'GET', '/pets/7', 'GET /pets/{petId}', { petId: '7' }],
  ['§1.2 ANY covers DELETE', 'DELETE', '/pets/7', 'ANY /pets/{petId}', { petId: '7' }],
  ['§1.2 ANY covers HEAD', 'HEAD', '/pets/7', 'ANY /pets/{petId}', { petId: '7' }],
  ['§1.2 ANY covers OPTIONS', 'OPTIONS', '/pets/7', 'ANY /pets/{petId}', { petId: '7' }],
  ['§1.2 ANY does not cover TRACE', 'TRACE', '/pets/7', undefined],
  ['§1.2 literal beats {param} at the same level', 'GET', '/pets/dog/1', 'GET /pets/dog/1', null],
  ['§1.2 {param} under literal', 'GET', '/pets/dog/2', 'GET /pets/dog/{id}', { id: '2' }],
  ['§1.2 backtrack from literal subtree to {param}', 'POST', '/pets/dog', 'ANY /pets/{petId}', { petId: 'dog' }],
  ['§1.2 trailing slash ignored', 'GET', '/pets/', 'GET /pets', null],
  ['§1.2 trailing slash ignored on {param}', 'GET', '/pets/42/', 'GET /pets/{petId}', { petId: '42' }],
  ['§1.2 empty segments ignored: /stage//hardcoded', 'GET', '//hardcoded', 'GET /hardcoded', null],
  ['§1.2 leading double slash works', 'GET', '//pets', 'GET /pets', null],
  ['§1.2 greedy matches one segment', 'GET', '/x', 'ANY /{proxy+}', { proxy: 'x' }],
  ['§1.2 greedy matches many segments', 'PUT', '/x/y/z', 'ANY /{proxy+}', { proxy: 'x/y/z' }],
  ['§1.2 greedy value drops trailing slash', 'GET', '/proxy-value/', 'ANY /{proxy+}', { proxy: 'proxy-value' }],
  ['§1.2 greedy value keeps interior double slash', 'GET', '/proxy-value//double-slash', 'ANY /{proxy+}', { proxy: 'proxy-value//double-slash' }],
  ['§1.2 deeper greedy beats root greedy', 'GET', '/parent/a/b/c', 'GET /parent/{child}/{proxy+}', { child: 'a', proxy: 'b/c' }],
  ['§1.2 greedy at /parent level for one segment', 'GET', '/parent/a', 'GET /parent/{proxy+}', { proxy: 'a' }],
  ['§1.2 literal leaf beats greedy sibling', 'GET', '/parent/a/leaf', 'GET /parent/{child}/leaf', { child: 'a' }],
  ['§1.2 greedy method mismatch backtracks to root ANY', 'POST', '/parent/a/b', 'ANY /{proxy+}', { proxy: 'parent/a/b' }],
  ['§1.2 backtracking: literal /a/b subtree lacks POST, {x} subtree has it', 'POST', '/a/b/c', 'POST /a/{x}/c', { x: 'b' }],
  ['§1.2 literal path wins when it has the method', 'GET', '/a/b/c', 'GET /a/b/{y}', { y: 'c' }],
  ['§1.2 pathPart charset . , : in literals', 'GET', '/files/report.v1,final:x', 'GET /files/report.v1,final:x', null],
  ['§1.2 HEAD is not served by GET', 'HEAD', '/get-only', 'ANY /{proxy+}', { proxy: 'get-only' }],
  ['§1.2 explicit HEAD', 'HEAD', '/head-only', 'HEAD /head-only', null],
  ['§1.2 matching is case-sensitive', 'GET', '/case', 'ANY /{proxy+}', { proxy: 'case' }],
  ['§1.2 exact case', 'GET', '/Case', 'GET /Case', null],
  ['§1.2 params not percent-decoded', 'GET', '/pets/test%2Balias@gmail.com', 'GET /pets/{petId}', { petId: 'test%2Balias@gmail.com' }],
  ['§1.1 %2F stays inside one segment on REST', 'GET', '/pets/a%2Fb', 'GET /pets/{petId}', { petId: 'a%2Fb' }],
  ['§1.1 %2e%2e is not a dot segment on REST', 'GET', '/pets/%2e%2e', 'GET /pets/{petId}', { petId: '%2e%2e' }],
  ['§1.1 dot segment resolved [I]', 'GET', '/pets/x/../42', 'GET /pets/{petId}', { petId: '42' }],
  ['§1.1 .. cannot climb above root [I]', 'GET', '/../../pets', 'GET /pets', null],
  ['§1.1 single dot segment [I]', 'GET', '/./pets/./', 'GET /pets', null]
]

describe('REST resource trees (§1.2)', () => {
  it.each(rows)('%s: %s %s', (_name, method, path, expected, params) => {
    const m = rest.match(method, path)
    expect(m?.value).toBe(expected)
    if (expected !== undefined && params !== undefined) expect(m?.params === null ? null : { ...m?.params }).toEqual(params)
  })

  it('§1.2 without any greedy route an unknown path has no match', () => {
    const r = createRouter<number>()
    r.add('GET', '/pets', 1)
    expect(r.match('GET', '/cats')).toBeUndefined()
    expect(r.match('POST', '/pets')).toBeUndefined()
  })

  it('§1.2 reports resourcePath and a stable resourceId', () => {
    const m = rest.match('GET', '/pets/1')
    expect(m?.resourcePath).toBe('/pets/{petId}')
    expect(m?.resourceId).toMatch(/^[a-z0-9]{10}$/)
    expect(rest.match('GET', '/pets/2')?.resourceId).toBe(m?.resourceId)
  })

  it('parameter names are per route: sibling routes may name the same position differently', () => {
    const r = createRouter<string>()
    r.add('GET', '/u/{id}', 'a')
    r.add('GET', '/u/{userId}/x', 'b')
    expect({ ...r.match('GET', '/u/1')?.params }).toEqual({ id: '1' })
    expect({ ...r.match('GET', '/u/1/x')?.params }).toEqual({ userId: '1' })
  })

  it('params dictionary is prototype-less (a __proto__ parameter name is plain data)', () => {
    const r = createRouter<string>()
    r.add('GET', '/{__proto__}', 'p')
    const params = r.match('GET', '/polluted')?.params
    expect(params?.['__proto__']).toBe('polluted')
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})

describe('refused route templates (§1.2)', () => {
  it.each([
    ['§1.2 parameter must be a whole segment', 'GET', '/res{id}'],
    ['§1.2 greedy must be last', 'GET', '/{proxy+}/x'],
    ['§1.2 trailing slash in a resource path', 'GET', '/pets/'],
    ['§1.2 empty segment', 'GET', '/a//b'],
    ['§1.2 unknown method', 'TRACE', '/a'],
    ['§1.3 $default is HTTP-only', 'GET', '$default'],
    ['§1.2 pathPart charset', 'GET', '/a b']
  ])('%s: %s %s', (_name, method, path) => {
    const r = createRouter<number>()
    expect(() => r.add(method, path, 1)).toThrow(expect.objectContaining({ code: 'GW_ROUTER_INVALID_ROUTE' }))
  })

  it('duplicate method on the same resource', () => {
    const r = createRouter<number>()
    r.add('GET', '/a/{x}', 1)
    expect(() => r.add('GET', '/a/{y}', 2)).toThrow(expect.objectContaining({ code: 'GW_ROUTER_DUPLICATE_ROUTE' }))
  })
})
