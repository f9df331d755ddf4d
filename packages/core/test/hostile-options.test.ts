import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { GwError, parseOptions } from '@gw/core'

// zod's own safeParse throws a TypeError for an object whose `length` cannot become text where a string with a
// length check belongs (found by the config fuzz test, seed 452547513): options are refused, never thrown past us.
describe('parseOptions with hostile values', () => {
  it('an object with a hostile length where a string belongs is GW_CONFIG_INVALID, not a TypeError', () => {
    const schema = z.object({ stage: z.string().min(1) }).strict()
    const hostile = { stage: { length: [[{ toString: null }]] } }
    expect(() => schema.safeParse(hostile)).toThrow(TypeError)
    let caught: unknown
    try {
      parseOptions(schema, hostile, 'test')
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(GwError)
    expect((caught as GwError).code).toBe('GW_CONFIG_INVALID')
    expect((caught as GwError).message).toContain('a value cannot be read as the field it stands for')
  })
})
