import { z } from 'zod'
import { STAGE_VARIABLE_LIMITS, STAGE_VARIABLE_NAME, STAGE_VARIABLE_VALUE } from './stage-variables.js'

/**
 * Stage variables as aws-semantics §6.3 allows them (names, values, at most 100), for REST, HTTP and WebSocket
 * stages alike. Checked by hand and passed through as given (not rebuilt by z.record): a variable named
 * `__proto__` stays a variable instead of being lost to the prototype setter (issue #15 item 4).
 */
export const stageVariablesSchema = z
  .custom<Record<string, string>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'an object of stage variables' })
  .superRefine((record, issue) => {
    const keys = Object.keys(record)
    if (keys.length > STAGE_VARIABLE_LIMITS.count) issue.addIssue({ code: 'custom', message: `at most ${String(STAGE_VARIABLE_LIMITS.count)} stage variables (§6.3)` })
    for (const key of keys) {
      const value: unknown = record[key]
      if (key.length > STAGE_VARIABLE_LIMITS.keyLength || !STAGE_VARIABLE_NAME.test(key))
        issue.addIssue({ code: 'custom', path: [key], message: `stage variable names are letters, digits and _, at most ${String(STAGE_VARIABLE_LIMITS.keyLength)} (§6.3)` })
      else if (typeof value !== 'string' || value.length > STAGE_VARIABLE_LIMITS.valueLength || !STAGE_VARIABLE_VALUE.test(value))
        issue.addIssue({ code: 'custom', path: [key], message: 'stage variable values match [A-Za-z0-9-._~:/?#&=,]+ (§6.3)' })
    }
  })
  // The same rules for JSON Schema output (gw.config.yaml's schema, editor completion): a custom check has none.
  .meta({
    type: 'object',
    propertyNames: { type: 'string', maxLength: STAGE_VARIABLE_LIMITS.keyLength, pattern: STAGE_VARIABLE_NAME.source },
    additionalProperties: { type: 'string', maxLength: STAGE_VARIABLE_LIMITS.valueLength, pattern: STAGE_VARIABLE_VALUE.source },
    maxProperties: STAGE_VARIABLE_LIMITS.count
  })
