import aws4 from 'aws4'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EMPTY_SHA256, verifySigV4, type SigV4Request } from '@gw/authorizers'
import { fuzzParameters, hostileString } from '../../../test/fuzz/hostile.js'

/**
 * Property-based fuzzing of the SigV4 parser and verifier of AWS_IAM routes (issue #15 item 7, aws-semantics
 * §10.8): hostile Authorization headers, presigned queries, dates, paths and header lists are answered with an
 * outcome (`{ ok: true }` or a SigV4Failure naming the §10.8 error type), never an exception; a request aws4 signed
 * verifies, and the same request with its path changed does not. Replay: put the printed seed and path into
 * `fuzzParameters` (or FUZZ_SEED=<seed>).
 */
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0)
const KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const options = { region: 'us-east-1', now: NOW, secretFor: (id: string) => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined) }
const ERROR_TYPES = ['IncompleteSignatureException', 'InvalidSignatureException', 'MissingAuthenticationTokenException', 'UnrecognizedClientException']

/** Wire strings: node hands the gateway latin1 text (one char per byte), so that is what the verifier can meet. */
const latin1 = fc.oneof(hostileString.map((s) => Buffer.from(s, 'utf8').toString('latin1')), fc.string({ unit: 'binary-ascii', maxLength: 40 }))
const authorization = fc.oneof(
  latin1,
  fc
    .record({
      credential: fc.oneof(fc.constant('AKIDEXAMPLE/20261206/us-east-1/execute-api/aws4_request'), latin1, latin1.map((s) => `AKIDEXAMPLE/${s}/us-east-1/execute-api/aws4_request`)),
      signed: fc.oneof(fc.constant('host;x-amz-date'), latin1),
      signature: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), latin1)
    })
    .map(({ credential, signed, signature }) => `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signed}, Signature=${signature}`)
)
const amzDate = fc.oneof(fc.constantFrom('20261206T120000Z', '99991231T235959Z', '00000000T000000Z', '20261399T999999Z', ''), latin1)
const query = fc.oneof(
  fc.constant(''),
  latin1,
  fc
    .record({ algorithm: fc.oneof(fc.constant('AWS4-HMAC-SHA256'), latin1), expires: fc.oneof(fc.constantFrom('1', '604800', '604801', '0', '-1', '1e400', 'NaN', '9007199254740993'), latin1), date: amzDate, rest: latin1 })
    .map((q) => `X-Amz-Algorithm=${q.algorithm}&X-Amz-Credential=AKIDEXAMPLE%2F20261206%2Fus-east-1%2Fexecute-api%2Faws4_request&X-Amz-Date=${q.date}&X-Amz-Expires=${q.expires}&X-Amz-SignedHeaders=host&X-Amz-Signature=${'0'.repeat(64)}&${q.rest}`)
)
const request: fc.Arbitrary<SigV4Request> = fc.record({
  method: fc.oneof(fc.constantFrom('GET', 'POST', ''), latin1),
  path: fc.oneof(fc.constantFrom('/', '/a/../b', '//x//', '/%', '/%zz/./', '/é'), latin1.map((s) => `/${s}`)),
  query,
  rawHeaders: fc.tuple(fc.option(authorization), fc.option(amzDate), fc.array(fc.tuple(latin1, latin1), { maxLength: 4 })).map(([auth, date, extra]) => [
    'host', 'api.example',
    ...(auth === null ? [] : ['authorization', auth]),
    ...(date === null ? [] : ['x-amz-date', date]),
    ...extra.flat()
  ]),
  payloadHash: fc.oneof(fc.constant(EMPTY_SHA256), latin1)
})

describe('fuzz: SigV4 parser and verifier (§10.8)', () => {
  it('hostile requests get an outcome, never an exception', () => {
    // fuzzParameters(300) → add `seed: …, path: '…'` from a failure report to replay it
    fc.assert(
      fc.property(request, (req) => {
        const outcome = verifySigV4(req, options)
        if (!outcome.ok) expect(ERROR_TYPES).toContain(outcome.errorType)
      }),
      fuzzParameters(300)
    )
  })

  it('a request aws4 signed verifies; the same request with another path does not', () => {
    // Dot segments are left to the AWS test-suite vectors (sigv4-vectors.test.ts), where the expected answer is AWS's.
    const word = fc.stringMatching(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,11}$/)
    // fuzzParameters(100) → add `seed: …, path: '…'` from a failure report to replay it
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), fc.dictionary(word, word, { maxKeys: 3 }), fc.dictionary(word.map((w) => `x-${w.toLowerCase()}`), word, { maxKeys: 3 }), (segments, q, extra) => {
        const path = `/${segments.join('/')}`
        const search = new URLSearchParams(q).toString()
        const signed = { host: 'api.example', method: 'GET', path: search === '' ? path : `${path}?${search}`, service: 'execute-api', region: 'us-east-1', headers: { ...extra, 'X-Amz-Date': '20261206T120000Z' } as Record<string, string> }
        aws4.sign(signed, KEY)
        const rawHeaders = [...Object.entries(signed.headers).flatMap(([k, v]) => [k, String(v)])]
        const req = { method: 'GET', path, query: search, rawHeaders, payloadHash: EMPTY_SHA256 }
        expect(verifySigV4(req, options)).toMatchObject({ ok: true })
        expect(verifySigV4({ ...req, path: `${path}x` }, options)).toMatchObject({ ok: false, errorType: 'InvalidSignatureException' })
      }),
      fuzzParameters(100)
    )
  })
})
