import { describe, expect, it } from 'vitest'
import { compileTemplate, type TemplateVariables } from '@gw/mapping'

/** Variables whose `$context` and `params` throw when read: proves a render never built them. */
function untouchable(stageVariables: Record<string, string> | null, body = ''): TemplateVariables {
  return {
    body,
    stageVariables,
    get params(): TemplateVariables['params'] {
      throw new Error('params read')
    },
    get context(): Record<string, unknown> {
      throw new Error('context read')
    }
  }
}

function full(stageVariables: Record<string, string> | null, body = ''): TemplateVariables {
  return {
    body,
    stageVariables,
    params: { path: { id: '7' }, querystring: {}, header: { Accept: 'x' } },
    context: { stage: 'prod', httpMethod: 'GET', requestId: 'r-1' }
  }
}

describe('constant templates (§4): rendered once, answered like the general renderer', () => {
  it.each([
    ['{"statusCode": 200}'],
    ['{"hello":"world","id":42,"tags":["a","b"],"ok":true}'],
    ['plain text, {braces} and [brackets]'],
    ['\\$escaped is text'],
    ['']
  ])('%j: constantOutput equals the render, which reads no variable', (source) => {
    const t = compileTemplate(source)
    const general = compileTemplate(`#set($unused = 1)${source}`) // same text through the general renderer
    expect(general.constantOutput).toBeUndefined()
    expect(t.constantOutput).toBe(general.render(full({ a: 'b' })).output)
    const out = t.render(untouchable(null))
    expect(out.output).toBe(t.constantOutput)
    expect(out.overrides).toEqual(general.render(full(null)).overrides)
    expect(out.overrides.status).toBeUndefined()
  })

  it.each([['$context.stage'], ['$input.body'], ['#if(true)x#end'], ['#macro(m)x#end'], ['$util.urlEncode("a b")'], ['$stageVariables.a']])(
    '%j is not constant',
    (source) => {
      expect(compileTemplate(source).constantOutput).toBeUndefined()
    }
  )

  it('a constant longer than maxOutputLength keeps failing at render (§15)', () => {
    const t = compileTemplate('x'.repeat(20), { maxOutputLength: 10 })
    expect(t.constantOutput).toBeUndefined()
    expect(() => t.render(full(null))).toThrow()
  })
})

describe('templates without $context (§4.3) never build it', () => {
  it('$stageVariables only: same output, no $context or params read', () => {
    const t = compileTemplate('{"hello":"$stageVariables.hello","id":42}')
    expect(t.render(untouchable({ hello: 'world' })).output).toBe('{"hello":"world","id":42}')
    expect(t.render(full({ hello: 'world' })).output).toBe('{"hello":"world","id":42}')
  })

  it('$input.body / $input.json read the body but not the params', () => {
    const t = compileTemplate('{"n":$input.json(\'$.n\'),"raw":$input.body}')
    expect(t.render(untouchable(null, '{"n":3}')).output).toBe('{"n":3,"raw":{"n":3}}')
  })

  it('$input.params() reads the params on demand', () => {
    const t = compileTemplate('{"id":"$input.params(\'id\')"}')
    expect(t.render(full(null)).output).toBe('{"id":"7"}')
    expect(() => t.render(untouchable(null))).toThrow('params read')
  })

  it('a template naming $context (in a macro too) still sees it and can set overrides (§4.7)', () => {
    const t = compileTemplate('#macro(s)#set($context.responseOverride.status = 404)#end#s()$context.stage')
    const out = t.render(full(null))
    expect(out.output).toBe('prod')
    expect(out.overrides.status).toBe(404)
  })
})

describe('text + $stageVariables templates (§4.3) answer like the interpreter', () => {
  const general = (source: string) => compileTemplate(`#set($unused = 1)${source}`)
  it.each([
    ['{"hello":"$stageVariables.hello","id":42}', { hello: 'world' }],
    ['$stageVariables.a-$stageVariables.b', { a: '1', b: '2' }],
    ['missing:[$stageVariables.nope]', { a: '1' }],
    ['none:[$stageVariables.a]', null],
    ['proto:[$stageVariables.constructor][$stageVariables.__proto__]', { a: '1' }],
    ['own:[$stageVariables.__proto__]', JSON.parse('{"__proto__":"kept"}') as Record<string, string>]
  ])('%j', (source, stageVariables) => {
    const t = compileTemplate(source)
    const expected = general(source).render(full(stageVariables))
    const out = t.render(untouchable(stageVariables))
    expect(out.output).toBe(expected.output)
    expect(out.overrides).toEqual(expected.overrides)
  })

  it('the output limit still applies (§15)', () => {
    const t = compileTemplate('$stageVariables.a$stageVariables.a', { maxOutputLength: 5 })
    expect(() => t.render(full({ a: 'abc' }))).toThrow()
    expect(t.render(full({ a: 'ab' })).output).toBe('abab')
  })
})
