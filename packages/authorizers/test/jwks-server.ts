import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose'
import { onTestFinished } from 'vitest'

/** An RSA key made by jose, with its public JWK. */
export interface TestKey {
  kid: string
  privateKey: CryptoKey
  publicKey: CryptoKey
  jwk: JWK
}

const made = new Map<string, Promise<TestKey>>()

/** An RS256 key pair generated with jose; one per (kid, owner) per test file (RSA generation is slow). */
export function makeKey(kid: string, owner = 'issuer'): Promise<TestKey> {
  const id = `${owner}/${kid}`
  let key = made.get(id)
  if (key === undefined) {
    key = (async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
      const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }
      return { kid, privateKey, publicKey, jwk }
    })()
    made.set(id, key)
  }
  return key
}

/** A local issuer: OIDC discovery + JWKS over real HTTP, counting requests per path. */
export interface Issuer {
  url: string
  keys: TestKey[]
  hits: Map<string, number>
  hitsTo(path: string): number
}

/** Serves `/.well-known/openid-configuration` and `/jwks.json` (and `{pool}/.well-known/jwks.json`) on port 0. */
export async function startIssuer(keys: TestKey[]): Promise<Issuer> {
  const hits = new Map<string, number>()
  let base = ''
  const issuer: Issuer = { url: '', keys, hits, hitsTo: (p) => hits.get(p) ?? 0 }
  const server = createServer((req, res) => {
    const path = req.url ?? '/'
    hits.set(path, (hits.get(path) ?? 0) + 1)
    res.setHeader('content-type', 'application/json')
    if (path === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks.json` }))
    else if (path.endsWith('jwks.json')) res.end(JSON.stringify({ keys: issuer.keys.map((k) => k.jwk) }))
    else {
      res.statusCode = 404
      res.end('{}')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  issuer.url = base
  return issuer
}

/** Signs claims with `key` (RS256 unless stated). */
export function sign(key: TestKey, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, ...header }).sign(key.privateKey)
}

/** base64url of a JSON value. */
export function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}
