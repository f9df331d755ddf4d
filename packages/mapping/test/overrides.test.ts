import { describe, expect, it } from 'vitest'
import { GatewayError } from '@gw/core'
import { compileTemplate, type TemplateOverrides } from '@gw/mapping'
import { vars } from './helpers.js'

type Row = [string, string, Partial<TemplateOverrides>]

const rows: Row[] = [
  ['§4.7 requestOverride.header', String.raw`#set($context.requestOverride.header.x = "1")`, { headers: { x: '1' } }],
  ["§4.7 requestOverride.header['Name-With-Dash']", String.raw`#set($context.requestOverride.header['X-Api'] = "k")`, { headers: { 'X-Api': 'k' } }],
  ['§4.7 list value → multi-value header a,b', String.raw`#set($a = "a")#set($b = "b")#set($context.requestOverride.header.multivalueheader = [$a, $b])`, { headers: { multivalueheader: 'a,b' } }],
  ['§4.7 requestOverride.querystring', String.raw`#set($context.requestOverride.querystring.page = "2")`, { querystring: { page: '2' } }],
  ['§4.7 requestOverride.path', String.raw`#set($context.requestOverride.path.id = $input.params('id'))`, { path: { id: 'p-1' } }],
  ['§4.7 responseOverride.status 404', String.raw`#set($context.responseOverride.status = 404)`, { status: 404 }],
  ['§4.7 responseOverride.header', String.raw`#set($context.responseOverride.header.Location = "/x")`, { headers: { Location: '/x' } }],
  ['§4.7 status 700 is ignored', String.raw`#set($context.responseOverride.status = 700)`, {}],
  ['§4.7 status 99 is ignored', String.raw`#set($context.responseOverride.status = 99)`, {}],
  ['§4.7 non-numeric status is ignored', String.raw`#set($context.responseOverride.status = "abc")`, {}],
  ['§4.7 decimal status is ignored', String.raw`#set($context.responseOverride.status = 404.5)`, {}],
  ['§4.7 computed once into a variable, set at the end', String.raw`#set($s = 200)#if($input.path('$.bad'))#set($s = 400)#end#set($context.responseOverride.status = $s)`, { status: 400 }]
]

describe('§4.7 overrides inside templates', () => {
  it.each(rows)('%s', (_name, template, expected) => {
    const { overrides } = compileTemplate(template).render(vars('{"bad": true}'))
    expect(overrides).toEqual({ headers: {}, querystring: {}, path: {}, ...expected })
  })

  it('§4.7 an override read back inside the template returns its value', () => {
    const out = compileTemplate(String.raw`#set($context.requestOverride.header.x = "v")$context.requestOverride.header.x`).render(vars('{}')).output
    expect(out).toBe('v')
  })

  it.each([
    ['§4.7 same header twice → 5XX', String.raw`#set($context.requestOverride.header.x = "1")#set($context.requestOverride.header.x = "2")`],
    ['§4.7 status twice → 5XX', String.raw`#set($context.responseOverride.status = 400)#set($context.responseOverride.status = 401)`],
    ['§4.7 same querystring twice inside a loop → 5XX', String.raw`#foreach($i in [1..2])#set($context.requestOverride.querystring.q = "$i")#end`]
  ])('%s', (_name, template) => {
    const t = compileTemplate(template)
    let caught: unknown
    try {
      t.render(vars('{}'))
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(GatewayError)
    expect((caught as GatewayError).type).toBe('API_CONFIGURATION_ERROR')
    expect(((caught as GatewayError).cause as { code: string }).code).toBe('GW_MAPPING_OVERRIDE_TWICE')
  })

  it('§4.7 each render starts with fresh overrides', () => {
    const t = compileTemplate(String.raw`#set($context.requestOverride.header.x = $input.path('$.v'))`)
    expect(t.render(vars('{"v":"1"}')).overrides.headers).toEqual({ x: '1' })
    expect(t.render(vars('{"v":"2"}')).overrides.headers).toEqual({ x: '2' })
  })
})
