import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { LRUCache } from 'lru-cache'

/** Algorithms a JWT authorizer may accept: RSA only (§10.7), never `none` or HS* (no HMAC with a public key). */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512'] as const
/** One accepted algorithm. */
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number]

/** What a verifier checks. */
export interface JwtVerifierSettings {
  /** Accepted `iss` values (exact strings) and the key set of each. */
  readonly keySets: ReadonlyMap<string, JWTVerifyGetKey>
  /** `aud` must be one of these; only when `aud` is absent, `client_id` must be (§10.7). Empty: not checked. */
  readonly audience: ReadonlySet<string>
  readonly algorithms: readonly JwtAlgorithm[]
  /** Seconds of clock skew tolerated on `exp`, `nbf`, `iat`. */
  readonly clockSkewSec: number
  /** Bound of the verified-token cache. */
  readonly cacheMax: number
  /** Clock (ms since epoch), for tests. */
  readonly now: () => number
}

/** A verified token: its claims. */
export type VerifyOutcome = { ok: true; payload: JWTPayload } | { ok: false; description: string }

/**
 * JWT verification on jose with a verified-token cache: a token that passed
 * is remembered (bounded LRU, until its `exp`), so the hot path does a map
 * lookup and an `exp` comparison instead of an RSA verification. Failures
 * are never cached. Structural checks (algorithm allow-list, issuer) run
 * before any key is fetched, so junk tokens cannot make us call the issuer.
 */
export class JwtVerifier {
  readonly #s: JwtVerifierSettings
  readonly #verified: LRUCache<string, JWTPayload>
  readonly #algorithms: string[]

  constructor(settings: JwtVerifierSettings) {
    this.#s = settings
    this.#algorithms = [...settings.algorithms]
    this.#verified = new LRUCache({ max: settings.cacheMax, ttlAutopurge: false, perf: { now: settings.now } })
  }

  /** Verifies `token`; a cached verified token answers synchronously. */
  verify(token: string): VerifyOutcome | Promise<VerifyOutcome> {
    const cached = this.#verified.get(token)
    if (cached !== undefined) {
      // The LRU TTL ends at `exp`; this guard also covers a clock that moved.
      if ((cached.exp as number) * 1000 + this.#s.clockSkewSec * 1000 > this.#s.now()) return { ok: true, payload: cached }
      this.#verified.delete(token)
    }
    return this.#verifySlow(token)
  }

  async #verifySlow(token: string): Promise<VerifyOutcome> {
    let iss: unknown
    try {
      const header = decodeProtectedHeader(token)
      if (typeof header.alg !== 'string' || !this.#algorithms.includes(header.alg)) return { ok: false, description: `signing method ${String(header.alg)} is invalid` }
      // §10.7 step 4: the key is chosen by `kid`; a token without one is refused.
      if (typeof header.kid !== 'string' || header.kid.length === 0) return { ok: false, description: 'the token has no kid' }
      iss = decodeJwt(token).iss
    } catch {
      return { ok: false, description: 'the token is malformed' }
    }
    const keys = typeof iss === 'string' ? this.#s.keySets.get(iss) : undefined
    if (keys === undefined) return { ok: false, description: 'the token does not have a valid issuer' }
    let payload: JWTPayload
    try {
      const result = await jwtVerify(token, keys, {
        issuer: iss as string,
        algorithms: this.#algorithms,
        clockTolerance: this.#s.clockSkewSec,
        requiredClaims: ['exp'],
        currentDate: new Date(this.#s.now())
      })
      payload = result.payload
    } catch (err) {
      return { ok: false, description: describe(err) }
    }
    const nowSec = this.#s.now() / 1000
    if (typeof payload.iat === 'number' && payload.iat > nowSec + this.#s.clockSkewSec) return { ok: false, description: 'the token was issued in the future' }
    if (this.#s.audience.size > 0) {
      const aud = payload.aud
      const ok =
        aud === undefined
          ? typeof payload.client_id === 'string' && this.#s.audience.has(payload.client_id)
          : Array.isArray(aud)
            ? aud.some((a) => this.#s.audience.has(a))
            : this.#s.audience.has(aud)
      if (!ok) return { ok: false, description: 'the token does not have a valid audience' }
    }
    const ttl = (payload.exp as number) * 1000 - this.#s.now()
    if (ttl > 0) this.#verified.set(token, payload, { ttl })
    return { ok: true, payload }
  }
}

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'the token has expired'
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'the token is not valid yet'
    if (err.claim === 'iss') return 'the token does not have a valid issuer'
    return `the token has an invalid ${err.claim} claim`
  }
  if (err instanceof errors.JWKSNoMatchingKey) return 'the token has no matching key (kid)'
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the token signing method is invalid'
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature is invalid'
  return 'the token could not be verified'
}
