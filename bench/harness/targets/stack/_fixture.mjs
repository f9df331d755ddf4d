// The stack suite's shared request: one API key, one RS256 JWT, one Origin, the mw payload, the same limits.
// The orchestrator writes the fixture (a fresh key pair per run) and hands its path to every target process in
// BENCH_STACK_FIXTURE; Redis rows get the harness's own redis-server in BENCH_REDIS_URL.
import { readFileSync, writeFileSync } from 'node:fs'
import { generateKeyPair, exportSPKI, exportJWK, SignJWT } from 'jose'

export { PAYLOAD } from '../mw/_payload.mjs'
export const PATH = '/api/hello'
export const ORIGIN = 'http://client.example.test'
export const ISSUER = 'https://issuer.bench.test'
export const AUDIENCE = 'bench-api'
/** Limits every stack applies per API key: a throttle and a quota, both far above what a run sends (never 429). */
export const THROTTLE = { perSecond: 1e9 }
export const QUOTA = { perDay: 1e12 }

/** Writes a fresh fixture (RS256 key pair, a token valid for 6 h, an API key) to `file`. */
export async function writeFixture (file) {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
  const now = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({ scope: 'read' })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench-1', typ: 'JWT' })
    .setIssuer(ISSUER).setAudience(AUDIENCE).setSubject('bench-user').setIssuedAt(now).setExpirationTime(now + 6 * 3600)
    .sign(privateKey)
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'RS256', use: 'sig' }
  const fixture = { apiKey: 'bench-stack-key-0123456789abcdef', token, publicPem: await exportSPKI(publicKey), jwks: { keys: [jwk] } }
  writeFileSync(file, JSON.stringify(fixture))
  return fixture
}

/** The run's fixture (in a target process). */
export function fixture () {
  const file = process.env.BENCH_STACK_FIXTURE
  if (!file) throw new Error('BENCH_STACK_FIXTURE is not set (the stack suite sets it)')
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** The headers every stack request carries (besides Origin, which the harness adds). */
export function requestHeaders (f = fixture()) {
  return { 'x-api-key': f.apiKey, authorization: `Bearer ${f.token}` }
}

/** The Redis URL of a Redis row; throws (row skipped) without one. */
export function redisUrl () {
  const url = process.env.BENCH_REDIS_URL
  if (!url) throw new Error('no redis-server for the Redis rows (apt-get install redis-server)')
  return url
}
