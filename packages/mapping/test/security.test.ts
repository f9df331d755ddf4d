import { afterEach, describe, expect, it } from 'vitest'
import { GatewayError, compose, type Middleware } from '@gw/core'
import { compileTemplate, templateVariables, type MappingTemplate } from '@gw/mapping'
import { serve, vars } from './helpers.js'

const g = globalThis as Record<string, unknown>
afterEach(() => {
  delete g.pwned
  delete (Object.prototype as Record<string, unknown>).polluted
})

/** Known Velocity / SSTI escape payloads (§4 security requirement of issue 5). */
const payloads: [string, string][] = [
  ['getClass() on $input', String.raw`$input.getClass()`],
  ['Runtime via getClass().forName', String.raw`$input.getClass().forName('java.lang.Runtime').getRuntime().exec('id')`],
  ['class property on $util', String.raw`#set($x = $util.class)$x$x.forName('java.lang.System')`],
  ['constructor.constructor on $context', String.raw`$context.constructor.constructor('globalThis.pwned = 1; return process')`],
  ['constructor.constructor on a string', String.raw`$input.body.constructor.constructor('globalThis.pwned = 1')`],
  ['constructor via index', String.raw`$context['constructor']['constructor'].call(null, 'globalThis.pwned = 1')`],
  ['__proto__ on data', String.raw`$input.path('$').__proto__ $input.path('$').prototype`],
  ['JSONPath to constructor', String.raw`$input.path('$.constructor.prototype')$input.path('$.__proto__')$input.path("$['constructor']")`],
  ['params() constructor', String.raw`$input.params().constructor $input.params().header.__proto__`],
  ['$foreach internals', String.raw`#foreach($i in [1])$foreach.constructor$foreach.constructor.name#end`],
  ['$util host function', String.raw`$util.escapeJavaScript.call(null, 'x')$util.parseJson.constructor('globalThis.pwned=1')`],
  ['require / process globals', String.raw`$require('child_process')$process.env.HOME$global.process$globalThis`],
  ['Java reflection on a list', String.raw`$input.path('$.l').getClass().getClassLoader()`],
  ['toString of host objects', String.raw`$input.toString()$util.toString()$context.toString`],
  ['valueOf / hasOwnProperty', String.raw`$input.path('$').hasOwnProperty('a')$input.path('$').valueOf()`]
]

describe('§4 templates cannot reach host objects, constructors or prototypes', () => {
  it.each(payloads)('%s renders nothing harmful', (_name, template) => {
    const out = compileTemplate(template).render(vars('{"a":1,"l":[1]}')).output
    expect(g.pwned).toBeUndefined()
    expect(out).not.toMatch(/function|native code|process|\[object|Runtime|class /i)
    expect(out.trim()).toBe('')
  })

  it('a call of a call result (`f(...)()`) is refused when the template is compiled', () => {
    expect(() => compileTemplate(String.raw`$context.constructor.constructor('globalThis.pwned = 1')()`)).toThrow(
      expect.objectContaining({ code: 'GW_MAPPING_TEMPLATE_INVALID' })
    )
    expect(g.pwned).toBeUndefined()
  })

  it('§4.1 $input.json of a prototype path is the missing value ""', () => {
    expect(compileTemplate(String.raw`$input.json('$.constructor.prototype')`).render(vars('{}')).output).toBe('""')
  })

  it('#set through __proto__ does not pollute Object.prototype', () => {
    compileTemplate(String.raw`#set($o = $input.path('$'))#set($o.__proto__.polluted = 1)#set($m = {})#set($x = $m.put('__proto__', {"polluted": 1}))`).render(vars('{"a":1}'))
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('parseJson of a __proto__ key keeps it as data', () => {
    const out = compileTemplate(String.raw`#set($j = $util.parseJson('{"__proto__":{"x":1}}'))$j.x|$j.get('__proto__').x`).render(vars('{}')).output
    expect(out).toBe('|1')
    expect(({} as Record<string, unknown>).x).toBeUndefined()
  })
})

function expectLimit(template: MappingTemplate, body = '{}'): GatewayError {
  let caught: unknown
  try {
    template.render(vars(body))
  } catch (err) {
    caught = err
  }
  expect(caught).toBeInstanceOf(GatewayError)
  expect((caught as GatewayError).type).toBe('API_CONFIGURATION_ERROR')
  expect(((caught as GatewayError).cause as { code: string }).code).toBe('GW_MAPPING_RENDER_LIMIT')
  return caught as GatewayError
}

describe('§15 runaway templates are stopped', () => {
  it('§15 #foreach over a range larger than 1000 iterations', () => {
    expectLimit(compileTemplate(String.raw`#foreach($i in [1..5000])x#end`))
  })

  it('§15 #foreach over a 1001-element body list', () => {
    const big = JSON.stringify({ items: Array.from({ length: 1001 }, (_, i) => i) })
    expectLimit(compileTemplate(String.raw`#foreach($i in $input.path('$.items'))$i#end`), big)
  })

  it('§15 exactly 1000 iterations are allowed', () => {
    const body = JSON.stringify({ items: Array.from({ length: 1000 }, () => 1) })
    expect(compileTemplate(String.raw`#foreach($i in $input.path('$.items'))$i#end`).render(vars(body)).output).toHaveLength(1000)
  })

  it('nested loops (1000^3) stop at the time limit', () => {
    const err = expectLimit(
      compileTemplate(String.raw`#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])#set($x = $c)#end#end#end`, { timeoutMs: 50 })
    )
    expect((err.cause as Error).message).toMatch(/50 ms/)
  })

  it('infinite #macro recursion stops at the depth limit', () => {
    expectLimit(compileTemplate(String.raw`#macro(r $n)#r($n)#end#r(1)`))
  })

  it('string doubling stops at the output limit', () => {
    expectLimit(compileTemplate(String.raw`#set($s = "xxxxxxxxxxxxxxxx")#foreach($i in [1..40])#set($s = "$s$s")#end$s`))
  })

  it('a limit hit renders 500 {"message": "Internal server error"} through a real server', async () => {
    const template = compileTemplate(String.raw`#foreach($i in [1..5000])x#end`)
    const handler: Middleware<object> = async (ctx) => {
      const body = (await ctx.readBody()).toString('utf8')
      ctx.body = template.render(templateVariables(ctx, body)).output
    }
    const url = await serve(compose([handler]))
    const res = await fetch(`${url}/x`, { method: 'POST', body: '{}' })
    expect(res.status).toBe(500)
    expect(res.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException')
    expect(await res.json()).toEqual({ message: 'Internal server error' })
  })
})

describe('compileTemplate refuses bad templates at construction', () => {
  it('§15 a template over 300 KB', () => {
    expect(() => compileTemplate('x'.repeat(300 * 1024 + 1))).toThrow(expect.objectContaining({ code: 'GW_MAPPING_TEMPLATE_TOO_LARGE' }))
  })

  it('a template that does not parse', () => {
    expect(() => compileTemplate('#if(')).toThrow(expect.objectContaining({ code: 'GW_MAPPING_TEMPLATE_INVALID' }))
  })

  it('bad options', () => {
    expect(() => compileTemplate('x', { maxIterations: 0 })).toThrow(expect.objectContaining({ code: 'GW_CONFIG_INVALID' }))
  })
})
