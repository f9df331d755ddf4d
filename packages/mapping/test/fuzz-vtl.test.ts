import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { GatewayError, GwError } from '@gw/core'
import { compileTemplate, type MappingTemplate } from '@gw/mapping'
import { fuzzParameters, hostileJsonWith, hostileKey, hostileString, succeedsOrThrows } from '../../../test/fuzz/hostile.js'
import { vars } from './helpers.js'

/**
 * Property-based fuzzing of the VTL renderer (issue #15 item 7, aws-semantics §4): generated templates compile or
 * fail with GW_MAPPING_TEMPLATE_INVALID / _TOO_LARGE; compiled ones render hostile bodies and variables, or stop with
 * the documented 500 (GatewayError API_CONFIGURATION_ERROR caused by GW_MAPPING_RENDER_LIMIT / _OVERRIDE_TWICE). Never
 * another exception, never a hang (render limits bound time). Replay: put the printed seed and path into
 * `fuzzParameters` (or run with FUZZ_SEED=<seed>).
 */
const COMPILE_CODES = ['GW_MAPPING_TEMPLATE_INVALID', 'GW_MAPPING_TEMPLATE_TOO_LARGE']

/** VTL fragments: references, methods (regex ones included), directives, escapes; glued at random. */
const fragment = fc.oneof(
  fc.constantFrom(
    '$input.body', "$input.json('$')", "$input.path('$')", "$input.json('$.a')", "$input.path('$..a')", "$input.params()", "$input.params('a')",
    '$context.requestId', '$context.authorizer.claims', '$stageVariables.name', '$util.escapeJavaScript($input.body)', '$util.urlEncode($input.body)',
    '$util.base64Decode($input.body)', '$util.parseJson($input.body)', "$input.body.replaceAll('(a+)+$', 'x')", "$input.body.matches('(a+)+$')",
    "$input.body.split('')", "$input.body.replaceAll('(', '')", "$input.body.replaceFirst('a', '$9')", '$input.body.substring(-1)', '$input.body.charAt(99999)',
    '#set($x = $input.path(\'$\'))', '#set($m = {})', "#set($d = $m.put('__proto__', 1))", '$m.get(\'constructor\')', '$x.constructor', '$x.__proto__', '$x.getClass()',
    '#foreach($i in $input.path(\'$\'))$i#end', '#foreach($i in [1..5000])$i#end', '#if($x)a#elseif($y)b#else c#end', '#macro(m $a)$a#end#m(1)', '#{end}', '#end', '#foreach(',
    '#set($context.responseOverride.status = 418)', '#set($context.responseOverride.status = 418)', "#set($context.responseOverride.header.X = 'a')",
    '$!{x}', '${x}', '\\$x', '##comment\n', '#* block *#', '#[[raw]]#', '"', "'", '(', ')', '[', ']', '{', '}', ' ', '\n', '$', '#'
  ),
  hostileString
)
const template = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''))
const body = fc.oneof(hostileJsonWith(200).map((v) => JSON.stringify(v) ?? 'null'), hostileString)
const params = fc.dictionary(hostileKey, hostileString, { maxKeys: 4 })

/** A render passes when it returns a string, or stops with the documented 500 (a limit or an override set twice). */
function rendersOrStops(t: MappingTemplate, v: Parameters<MappingTemplate['render']>[0]): void {
  try {
    expect(typeof t.render(v).output).toBe('string')
  } catch (err) {
    if (err instanceof GatewayError && err.type === 'API_CONFIGURATION_ERROR' && err.cause instanceof GwError && ['GW_MAPPING_RENDER_LIMIT', 'GW_MAPPING_OVERRIDE_TWICE'].includes(err.cause.code)) return
    throw err
  }
}

describe('fuzz: VTL renderer (§4)', () => {
  it('hostile template texts compile or fail with GW_MAPPING_TEMPLATE_*', () => {
    // fuzzParameters(200) → add `seed: …, path: '…'` from a failure report to replay it
    fc.assert(fc.property(template, (text) => succeedsOrThrows(COMPILE_CODES, () => compileTemplate(text))), fuzzParameters(200))
  })

  it('compiled templates render hostile bodies, parameters and stage variables, or stop with the documented 500', () => {
    // fuzzParameters(150) → add `seed: …, path: '…'` from a failure report to replay it
    fc.assert(
      fc.property(template, body, params, params, (text, b, query, stage) => {
        let t: MappingTemplate
        try {
          t = compileTemplate(text)
        } catch (err) {
          if (err instanceof GwError && COMPILE_CODES.includes(err.code)) return
          throw err
        }
        rendersOrStops(t, vars(b, { params: { path: {}, querystring: query, header: query }, stageVariables: stage }))
      }),
      fuzzParameters(150)
    )
  })
})
