import type { z } from 'zod'
import { ConfigInvalid } from './errors.js'

/**
 * Validates options once, at construction, with a zod schema. On failure
 * throws `GW_CONFIG_INVALID` whose message names every bad path and why,
 * e.g. `throttler: rate: Number must be greater than 0`.
 * @throws GwError GW_CONFIG_INVALID
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.length === 0 ? '(root)' : issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[')
    return `${path}: ${issue.message}`
  })
  throw ConfigInvalid(`${where}: invalid options\n  ${lines.join('\n  ')}`, { cause: result.error })
}
