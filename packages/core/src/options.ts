import { z } from 'zod'
import { ConfigInvalid } from './errors.js'

/**
 * Validates options once, at construction, with a zod schema. On failure
 * throws `GW_CONFIG_INVALID` whose message names every bad path and why,
 * e.g. `throttler: rate: Number must be greater than 0`.
 * @throws GwError GW_CONFIG_INVALID
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = safeParseHostile(schema, input)
  if (result.success) return result.data
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.length === 0 ? '(root)' : issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[')
    return `${path}: ${issue.message}`
  })
  throw ConfigInvalid(`${where}: invalid options\n  ${lines.join('\n  ')}`, { cause: result.error })
}

/**
 * `schema.safeParse(input)` that never throws. zod's length checks read a hostile value's `length` and build their
 * message from it, so an object such as `{ length: [{ toString: null }] }` where a string belongs throws a TypeError
 * from inside `safeParse` (found by the config fuzz test, seed 452547513). Such a value is refused like any other
 * bad input: one issue at the root naming what went wrong.
 * @example
 * const result = safeParseHostile(schema, JSON.parse(text))
 */
export function safeParseHostile<S extends z.ZodType>(schema: S, input: unknown): z.ZodSafeParseResult<z.output<S>> {
  try {
    return schema.safeParse(input)
  } catch (err) {
    const message = `a value cannot be read as the field it stands for (${err instanceof Error ? err.message : String(err)})`
    // The issue holds no parsed value, so the error is one of any output type.
    return { success: false, error: new z.ZodError([{ code: 'custom', path: [], message, input }]) as z.ZodError<z.output<S>> }
  }
}
