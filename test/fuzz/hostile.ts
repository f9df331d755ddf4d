// Hostile input for the property-based fuzz suites (issue #15 item 7): one vocabulary shared by every package's
// fuzz test, so each target sees the same prototype keys, escapes, huge numbers and deep nesting.
import fc from 'fast-check'
import { GwError } from '@gw/core'

/**
 * fast-check settings of every fuzz file. A failure prints its seed and path: put them here (`seed: <n>, path: '<p>'`)
 * to replay exactly that run; FUZZ_SEED=<n> replays a whole file. `numRuns` keeps each file under about 5 s.
 */
export function fuzzParameters(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)
  return { numRuns, ...(seed === undefined ? {} : { seed }) }
}

/** Keys that break naive code: prototype members, `$ref`, template and path syntax. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '$ref', '', ' ', '.', '..', '/', '{proxy+}', '$default', 'x-amazon-apigateway-integration', 'length', '0', '-1'] as const

/** Strings that break naive code: escapes, separators, percent sequences, template syntax, control characters. */
export const HOSTILE_STRINGS = [
  ...HOSTILE_KEYS,
  '%', '%zz', '%00', '%C0%AF', '%E0%A4%A', '\u0000', '\r\n', '\n', '\t', '\\', '"', "'", '`', '${', '${stageVariables.x}', '$input.body', '#set($x = 1)', '#foreach(',
  '{', '}', '[', ']', '(a+)+$', '*', '?', '&', '=', ';', ',', ':', '#', '#/', '#/components/schemas/x', '../../etc/passwd', 'http://127.0.0.1:1/',
  '1e309', '-0', 'NaN', 'Infinity', '9007199254740993', '0x10', 'true', 'null', '~', '&a [*a]', '!!js/function', '\uFEFF', '\u2028', '😀', 'İ'
] as const

/** Numbers at the edges: huge, tiny, negative zero, unsafe integers. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e308, -1e308, 5e-324, -0, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, 1e21, 4294967296, -1)
)

/** A string: random (any code point, lone surrogates included), from the hostile list, or long. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 10 })).map(([a, b]) => a + b) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 5_000 }).map((n) => 'a'.repeat(n)) }
)

/** A property key: random or hostile. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...HOSTILE_KEYS))

/**
 * Wraps `leaf` in `depth` objects or arrays (alternating), as a parser or walker meets deep input. The outer value
 * prints as `nest(…)` in a counterexample (fast-check's own printer would overflow the stack on it).
 */
export function nest(leaf: unknown, depth: number, key = 'a'): unknown {
  let v = leaf
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { [key]: v } : [v]
  Object.defineProperty(v, fc.toStringMethod, { value: () => `nest(${JSON.stringify(leaf)}, ${String(depth)}, ${JSON.stringify(key)})`, enumerable: false })
  return v
}

/**
 * JSON-like values (plain data, `__proto__` as an own key) with hostile keys and leaves, sometimes nested up to
 * `maxDepth` levels (deep values are slow to serialize and parse as text: text fuzzers pass a smaller bound).
 */
export function hostileJsonWith(maxDepth: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('array'), tie('object')),
      leaf: fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null)),
      array: fc.array(tie('value'), { maxLength: 5 }),
      object: fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 6 }).map((entries) => {
        const o: Record<string, unknown> = {}
        for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
        return o
      })
    })).value },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 2, max: maxDepth }), hostileKey).map(([depth, key]) => nest('x', depth, key)) }
  )
}

/** `hostileJsonWith(3000)`: deep enough to overflow a naive recursive walker. */
export const hostileJson: fc.Arbitrary<unknown> = hostileJsonWith(3_000)

/**
 * Runs `fn`; passes when it returns or throws a GwError whose code is in `codes`, the package's documented typed
 * errors. Anything else (a TypeError, a RangeError from a stack overflow, a GwError of another code) fails the run.
 */
export function succeedsOrThrows(codes: readonly string[], fn: () => unknown): void {
  try {
    fn()
  } catch (err) {
    if (err instanceof GwError && codes.includes(err.code)) return
    throw err
  }
}

/** `succeedsOrThrows` for asynchronous targets. */
export async function settlesOrRejects(codes: readonly string[], fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn()
  } catch (err) {
    if (err instanceof GwError && codes.includes(err.code)) return
    throw err
  }
}
