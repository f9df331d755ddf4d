import { STAGE_VARIABLE_LIMITS, STAGE_VARIABLE_NAME, STAGE_VARIABLE_VALUE } from '@gw/core'
import { StagesBadRequest } from './errors.js'

/** Stage variables as stored: frozen, prototype-less. */
export type StageVariables = Readonly<Record<string, string>>

/**
 * Validates stage variables against §6.3 (names `[A-Za-z0-9_]+` ≤ 64, values
 * `[A-Za-z0-9-._~:/?#&=,]+` ≤ 512, at most 100) and returns a frozen,
 * prototype-less copy.
 * @throws GwError GW_STAGES_BAD_REQUEST naming the offending variable
 */
export function checkStageVariables(input: Readonly<Record<string, string>> | undefined | null): StageVariables {
  const out = Object.create(null) as Record<string, string>
  if (input == null) return Object.freeze(out)
  const keys = Object.keys(input)
  if (keys.length > STAGE_VARIABLE_LIMITS.count) throw StagesBadRequest(`Stage variables cannot exceed ${String(STAGE_VARIABLE_LIMITS.count)} entries (§6.3)`)
  for (const key of keys) {
    const value = input[key]
    if (key.length > STAGE_VARIABLE_LIMITS.keyLength || !STAGE_VARIABLE_NAME.test(key))
      throw StagesBadRequest(`Stage variable name "${key}" must match [A-Za-z0-9_]+ and be at most ${String(STAGE_VARIABLE_LIMITS.keyLength)} characters (§6.3)`)
    if (typeof value !== 'string' || value.length > STAGE_VARIABLE_LIMITS.valueLength || !STAGE_VARIABLE_VALUE.test(value))
      throw StagesBadRequest(`Stage variable value of "${key}" must match [A-Za-z0-9-._~:/?#&=,]+ and be at most ${String(STAGE_VARIABLE_LIMITS.valueLength)} characters (§6.3)`)
    out[key] = value
  }
  return Object.freeze(out)
}

/** `base` with `overrides` merged in: overrides win, keys only in overrides are added (§6.4). Frozen. */
export function mergeStageVariables(base: StageVariables, overrides: StageVariables): StageVariables {
  const out = Object.create(null) as Record<string, string>
  for (const k in base) out[k] = base[k] as string
  for (const k in overrides) out[k] = overrides[k] as string
  return Object.freeze(out)
}
