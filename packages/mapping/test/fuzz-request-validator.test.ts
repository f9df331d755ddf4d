import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compose, GwError, type Middleware } from '@gw/core'
import { createRequestValidator } from '@gw/mapping'
import { fuzzParameters, hostileJsonWith, hostileKey, hostileNumber, hostileString } from '../../../test/fuzz/hostile.js'
import { serve } from './helpers.js'

/**
 * Property-based fuzzing of request validation (issue #15 item 7, aws-semantics §5.2): generated hostile JSON Schema
 * draft-4 models compile or are refused with GW_MAPPING_MODEL_INVALID (GW_CONFIG_INVALID for options); compiled ones
 * answer hostile bodies (prototype keys, huge numbers, deep nesting, invalid JSON) over real HTTP with 200 or the
 * documented 400 `{"message": "Invalid request body"}`, never a 500 or a dropped connection, never a hang.
 * Replay: put the printed seed and path into `fuzzParameters` (or run with FUZZ_SEED=<seed>).
 */
const CODES = ['GW_MAPPING_MODEL_INVALID', 'GW_CONFIG_INVALID']
const schema: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    // maxDepth 3: a schema node has seven recursive keywords, so deeper trees grow too large to generate quickly
    { maxDepth: 3, withCrossShrink: true },
    hostileJsonWith(20),
    fc.record(
      {
        type: fc.oneof(fc.constantFrom('object', 'array', 'string', 'number', 'integer', 'boolean', 'null'), fc.array(fc.constantFrom('object', 'string', 'null'), { maxLength: 2 }), hostileString),
        properties: fc.dictionary(hostileKey, tie('node'), { maxKeys: 3 }),
        patternProperties: fc.dictionary(fc.constantFrom('^a', '(a+)+$', '[', '\\d+', '(?=x)'), tie('node'), { maxKeys: 2 }),
        required: fc.array(hostileKey, { maxLength: 3 }),
        items: tie('node'),
        additionalProperties: fc.oneof(fc.boolean(), tie('node')),
        pattern: fc.oneof(fc.constantFrom('(a+)+$', '^[a-z]+$', '\\u0041', '[', '(?<=a)b', '(a)\\1'), hostileString),
        format: fc.constantFrom('email', 'uri', 'date-time', 'ipv4', 'regex', 'nope'),
        enum: fc.array(hostileJsonWith(5), { minLength: 1, maxLength: 3 }),
        minimum: hostileNumber,
        maximum: hostileNumber,
        multipleOf: hostileNumber,
        minLength: hostileNumber,
        maxLength: hostileNumber,
        $ref: fc.constantFrom('#', '#/definitions/x', 'https://apigateway.amazonaws.com/restapis/x/models/Other', 'Other', '#/nope'),
        allOf: fc.array(tie('node'), { maxLength: 2 }),
        anyOf: fc.array(tie('node'), { maxLength: 2 }),
        not: tie('node')
      },
      { requiredKeys: [] }
    )
  )
})).node
const body = fc.oneof(
  { weight: 4, arbitrary: hostileJsonWith(300).map((v) => JSON.stringify(v) ?? '') },
  // Deep bodies are built as text: JSON.stringify itself overflows the stack on them.
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 2_500 }).map((n) => `${'{"items":['.repeat(n)}"x"${']}'.repeat(n)}`) },
  { weight: 1, arbitrary: hostileString }
)
const ok: Middleware<object> = (ctx) => {
  ctx.json({ ok: true })
}

describe('fuzz: request validation (§5.2)', () => {
  it('hostile models compile or fail with GW_MAPPING_MODEL_INVALID; hostile bodies get 200 or 400 Invalid request body', async () => {
    // fuzzParameters(40) → add `seed: …, path: '…'` from a failure report to replay it
    await fc.assert(
      fc.asyncProperty(fc.oneof(schema, fc.constant({ type: 'object', properties: { items: { $ref: '#' } } })), fc.array(body, { minLength: 1, maxLength: 3 }), async (model, bodies) => {
        let validator: Middleware<object>
        try {
          validator = createRequestValidator({ validateRequestBody: true, requestModels: { 'application/json': 'M' }, models: { M: model as Record<string, unknown>, Other: { type: 'string' } } })
        } catch (err) {
          if (err instanceof GwError && CODES.includes(err.code)) return
          throw err
        }
        const url = await serve(compose<object>([validator, ok]))
        for (const b of bodies) {
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b })
          const text = await res.text()
          if (res.status === 400) expect(JSON.parse(text)).toEqual({ message: 'Invalid request body' })
          else expect({ status: res.status, text }).toEqual({ status: 200, text: '{"ok":true}' })
        }
      }),
      fuzzParameters(40)
    )
  }, 60_000)
})
