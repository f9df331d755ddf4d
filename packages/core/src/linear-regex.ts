/**
 * Regular expressions written in configuration (integration response
 * `selectionPattern`s, authorizer `identityValidationExpression`s, model
 * `pattern`s, VTL `matches`/`replaceAll`/`split`) run on RE2JS, a pure
 * JavaScript port of RE2: automata, no backtracking, so matching time is linear
 * in the input whatever the pattern (`(a+)+$` against `'a'.repeat(40)+'!'`
 * answers in microseconds where V8's backtracking engine would stall the event
 * loop for minutes). Pure JavaScript rather than the `re2` native addon: nothing
 * to compile at install, and it runs on every adapter, fetch-based runtimes
 * included. The price: RE2 syntax has no lookahead, backreferences, possessive
 * quantifiers or atomic groups (exactly the constructs that need backtracking);
 * such a pattern is refused when the configuration is compiled, never at
 * request time.
 */
import { RE2JS } from 're2js'

/** A pattern compiled on the linear-time engine (RE2JS). */
export type LinearRegex = RE2JS

/**
 * Syntax of a configured pattern: `java` (what AWS evaluates `selectionPattern`
 * and VTL regexes with: inline flags such as `(?i)`, `\Q…\E`) is RE2's own;
 * `ecmascript` (JSON Schema `pattern`, draft 4 §3.3) is translated first.
 */
export type RegexSyntax = 'java' | 'ecmascript'

const UNSUPPORTED = 'the linear-time engine (RE2 syntax) has no lookahead, backreferences, possessive quantifiers or atomic groups'

/**
 * Compiles a configured pattern on the linear-time engine.
 * @throws SyntaxError naming the pattern and what is wrong with it
 * @example
 * linearRegex('(?i)not found.*').matches('Not Found: pet 7') // true
 */
export function linearRegex(pattern: string, syntax: RegexSyntax = 'java'): LinearRegex {
  try {
    return RE2JS.compile(syntax === 'ecmascript' ? RE2JS.translateRegExp(pattern) : pattern)
  } catch (err) {
    const reason = (err as Error).message.replace(/^error parsing regexp: /, '')
    throw new SyntaxError(`invalid regular expression /${pattern}/: ${reason}${/unsupported|invalid escape|nested repetition/.test(reason) ? ` (${UNSUPPORTED})` : ''}`, { cause: err })
  }
}

/**
 * Why a configured pattern cannot be compiled, for options validation
 * (zod `superRefine`); `undefined` when it compiles.
 * @example
 * linearRegexProblem('(?=a)b') // 'invalid regular expression /(?=a)b/: … (the linear-time engine …)'
 */
export function linearRegexProblem(pattern: string, syntax: RegexSyntax = 'java'): string | undefined {
  try {
    linearRegex(pattern, syntax)
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}
