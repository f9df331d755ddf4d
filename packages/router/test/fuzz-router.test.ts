import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRouter, ROUTE_METHODS } from '@gw/router'
import { fuzzParameters, hostileString, succeedsOrThrows } from '../../../test/fuzz/hostile.js'

/**
 * Property-based fuzzing of the router (issue #15 item 7, aws-semantics §1.2, §1.3): hostile route templates are
 * added or refused with GW_ROUTER_INVALID_ROUTE / GW_ROUTER_DUPLICATE_ROUTE; hostile request methods and paths
 * (percent sequences, prototype keys, dot segments, long paths) match a route or nothing, never throw, and every
 * matched parameter is a string. Replay: put the printed seed and path into `fuzzParameters` (or FUZZ_SEED=<seed>).
 */
const CODES = ['GW_ROUTER_INVALID_ROUTE', 'GW_ROUTER_DUPLICATE_ROUTE']
const segment = fc.oneof(
  fc.constantFrom('pets', '{id}', '{proxy+}', '{__proto__}', '{constructor}', '__proto__', 'constructor', '.', '..', '', '%2F', '%', '%zz', '{a}{b}', '{', '}', '+', '$default', 'a b'),
  hostileString
)
const template = fc.oneof(fc.array(segment, { maxLength: 5 }).map((s) => `/${s.join('/')}`), fc.constant('$default'), hostileString)
const method = fc.oneof(fc.constantFrom(...ROUTE_METHODS, 'ANY', 'get', 'TRACE', '__proto__', 'constructor', ''), hostileString)
const path = fc.oneof(
  fc.array(segment, { maxLength: 8 }).map((s) => `/${s.join('/')}`),
  fc.integer({ min: 100, max: 3_000 }).map((n) => '/a'.repeat(n)),
  hostileString
)

describe('fuzz: router (§1.2, §1.3)', () => {
  for (const flavour of ['REST', 'HTTP'] as const) {
    it(`${flavour}: hostile routes are added or refused with GW_ROUTER_*; hostile requests match or not, never throw`, () => {
      // fuzzParameters(150) → add `seed: …, path: '…'` from a failure report to replay it
      fc.assert(
        fc.property(fc.array(fc.tuple(method, template), { maxLength: 8 }), fc.array(fc.tuple(method, path), { minLength: 1, maxLength: 8 }), (routes, requests) => {
          const router = createRouter<number>({ flavour })
          routes.forEach(([m, t], i) => succeedsOrThrows(CODES, () => router.add(m, t, i)))
          for (const [m, p] of requests) {
            const match = router.match(m, p)
            if (match === undefined) continue
            expect(typeof match.value).toBe('number')
            for (const value of Object.values(match.params ?? {})) expect(typeof value).toBe('string')
          }
        }),
        fuzzParameters(150)
      )
    })
  }
})
