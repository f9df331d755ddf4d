import { describe, expect, it } from 'vitest'
import { linearRegex, linearRegexProblem } from '@gw/core'

/** Patterns from configuration on the linear-time engine (issue #15 item 6). */
describe('linearRegex', () => {
  it('§4.8 Java syntax AWS users write: full match, inline flags, classes, quoting', () => {
    expect(linearRegex('Not found.*').matches('Not found: 7')).toBe(true)
    expect(linearRegex('Not found.*').matches('Error: Not found')).toBe(false) // matches() is the whole value
    expect(linearRegex('(?i)not FOUND.*').matches('Not found: 7')).toBe(true)
    expect(linearRegex('5\\d{2}').matches('502')).toBe(true)
    expect(linearRegex('.*').matches('line\nbreak')).toBe(false) // `.` does not cross a newline (§4.8)
    expect(linearRegex('(\\n|.)*').matches('line\nbreak')).toBe(true)
    expect(linearRegex('\\Q(a+)\\E').matches('(a+)')).toBe(true)
  })

  it('§5.2 ECMAScript syntax (JSON Schema pattern): unanchored search, \\u escapes translated', () => {
    expect(linearRegex('^[a-z]+$', 'ecmascript').test('abc')).toBe(true)
    expect(linearRegex('b', 'ecmascript').test('abc')).toBe(true)
    expect(linearRegex('\\u0041', 'ecmascript').test('A')).toBe(true)
  })

  it('the catastrophic pattern answers on inputs far longer than V8 could backtrack through', () => {
    const re = linearRegex('(a+)+$')
    expect(re.test(`${'a'.repeat(100_000)}!`)).toBe(false)
    expect(re.matches('a'.repeat(100_000))).toBe(true)
  })

  it.each([
    ['(?=a)a', /lookahead/],
    ['(a)\\1', /backreferences/],
    ['a*+', /possessive/],
    ['(?>a)', /atomic/],
    ['[', /missing closing \]/]
  ])('refuses %s with a SyntaxError naming the pattern', (pattern, why) => {
    expect(() => linearRegex(pattern)).toThrow(SyntaxError)
    expect(() => linearRegex(pattern)).toThrow(`/${pattern}/`)
    expect(linearRegexProblem(pattern)).toMatch(why)
    expect(linearRegexProblem('ok.*')).toBeUndefined()
  })
})
