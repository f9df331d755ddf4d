import { linearRegex } from '@gw/core'

/** What ajv calls with a model's `pattern` / `patternProperties` key (ajv's `code.regExp` option). */
export interface AjvRegExpEngine {
  (pattern: string, flags: string): { test(input: string): boolean }
  /** How ajv would name the engine in standalone code (never generated here). */
  code: string
}

/**
 * ajv's regular-expression engine for model validation (§5): JSON Schema
 * `pattern`s (ECMAScript syntax, draft 4) translated and run on the linear-time
 * engine of `linearRegex`, so a request body can never make a model's pattern
 * backtrack and stall the event loop. A pattern RE2 cannot express (lookahead,
 * backreferences) makes ajv's compile fail, which the validator reports as
 * GW_MAPPING_MODEL_INVALID when the configuration is loaded.
 */
export const linearRegExpEngine: AjvRegExpEngine = Object.assign(
  (pattern: string) => {
    const re = linearRegex(pattern, 'ecmascript')
    // ajv keys compiled patterns by toString(); the source keeps distinct patterns distinct.
    return { test: (input: string) => re.test(input), toString: () => pattern }
  },
  { code: 'linearRegExpEngine' }
)
