// Authorizer micro benchmarks (docs/benchmarks.md "## authorizers").
// Group `authz`: ref = jose jwtVerify RS256 with a cached CryptoKey (what every request would cost
// without our verified-token cache); rows = our JWT authorizer on a verified-token cache hit and our
// Lambda authorizer on a result-cache hit (policy re-evaluated against the method ARN each time).
// Group `sigv4` (ref aws4.sign GET of the peer suite): our SigV4 verification of the same kind of request.
// Tokens / TTLs outlive the run (1 h), so late rounds still measure hits.
import { createServer } from 'node:http'
import { Readable } from 'node:stream'
import aws4 from 'aws4'
import * as jose from 'jose'
import { GatewayContext } from '../../packages/core/dist/index.js'
import { jwtAuthorizer, lambdaAuthorizer, verifySigV4, EMPTY_SHA256 } from '../../packages/authorizers/dist/index.js'

const ISSUER_PATH = '/issuer'
const N = 256

function source (method, url, headers, rawHeaders) {
  return { method, url, headers, rawHeaders, remoteAddress: '127.0.0.1', protocol: 'http', readBody: async () => Buffer.alloc(0), stream: () => Readable.from([]), hasBody: false, signal: new AbortController().signal }
}

function ctxFor (method, url, headers) {
  const raw = []
  for (const [k, v] of Object.entries(headers)) raw.push(k, v)
  const ctx = new GatewayContext(source(method, url, headers, raw))
  ctx.apiId = 'a1b2c3d4e5'
  ctx.stage = 'prod'
  return ctx
}

export async function tasks () {
  const now = Math.floor(Date.now() / 1000)
  const rs = await jose.generateKeyPair('RS256', { extractable: true })
  const jwk = { ...(await jose.exportJWK(rs.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }

  // A local JWKS for the authorizer's first (and only) key fetch.
  const server = createServer((req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ keys: [jwk] })) })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  server.unref()
  const issuer = `http://127.0.0.1:${server.address().port}${ISSUER_PATH}`
  const claims = { sub: 'user-42', scope: 'read write', iss: issuer, aud: 'gw' }
  const tokens = await Promise.all(Array.from({ length: N }, (_, i) =>
    new jose.SignJWT({ ...claims, sub: `user-${i}` }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt(now).setExpirationTime(now + 3600).sign(rs.privateKey)))

  const jwtMw = jwtAuthorizer({ issuer, audience: ['gw'], jwksUri: `${issuer}/jwks.json`, authorizationScopes: ['read'] })
  const jwtCtxs = tokens.map((t) => ctxFor('GET', '/v1/items', { authorization: `Bearer ${t}` }))
  const done = Promise.resolve()
  const next = () => done
  for (const c of jwtCtxs) await jwtMw(c, next) // warm the verified-token cache
  if (jwtCtxs.some((c) => c.status !== 200 || c.authorizer === undefined)) throw new Error('JWT warm-up failed')

  const lambdaMw = lambdaAuthorizer({
    type: 'TOKEN',
    authorizerResultTtlInSeconds: 3600,
    invoke: async (event) => ({ principalId: 'u', policyDocument: { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/*' }] }, context: { tier: 'gold', n: 1 } })
  })
  const lambdaCtxs = Array.from({ length: N }, (_, i) => ctxFor('GET', `/v1/items/${i}`, { authorization: `token-${i}` }))
  for (const c of lambdaCtxs) await lambdaMw(c, next)
  if (lambdaCtxs.some((c) => c.authorizer === undefined)) throw new Error('Lambda warm-up failed')

  // SigV4: the request the aws4 peer row signs, verified (fresh signature each second is not needed: fixed clock).
  const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
  const signed = aws4.sign({ host: 'abc123.execute-api.us-east-1.example.test', method: 'GET', path: '/prod/v1/items?limit=10&cursor=abc', service: 'execute-api', region: 'us-east-1', headers: { 'x-request-id': 'r-1' } }, creds)
  const q = signed.path.indexOf('?')
  const rawHeaders = []
  for (const [k, v] of Object.entries(signed.headers)) rawHeaders.push(k, String(v))
  const sigReq = { method: 'GET', path: signed.path.slice(0, q), query: signed.path.slice(q + 1), rawHeaders, payloadHash: EMPTY_SHA256 }
  const signedAt = Date.parse(signed.headers['X-Amz-Date'].replace(/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/, '$1-$2-$3T$4:$5:$6Z'))
  const sigOpts = { region: 'us-east-1', now: signedAt, secretFor: (id) => (id === creds.accessKeyId ? creds.secretAccessKey : undefined) }
  if (!verifySigV4(sigReq, sigOpts).ok) throw new Error('SigV4 verification failed')

  const ref = tokens[0]
  const opts = { issuer, audience: 'gw' }
  let a = 0; let b = 0
  return [
    { group: 'authz', name: 'jose jwtVerify RS256 (CryptoKey cached)', fn: () => jose.jwtVerify(ref, rs.publicKey, opts), async: true, ref: true },
    { group: 'authz', name: 'ours jwtAuthorizer: verified-token cache hit (256 tokens, scope check, claims)', fn: () => { const c = jwtCtxs[a++ & (N - 1)]; return jwtMw(c, next) } },
    { group: 'authz', name: 'ours lambdaAuthorizer TOKEN: result-cache hit, policy vs method ARN (256 tokens)', fn: () => { const c = lambdaCtxs[b++ & (N - 1)]; return lambdaMw(c, next) } },
    { group: 'sigv4', name: 'ours verifySigV4 GET (query, no body)', fn: () => verifySigV4(sigReq, sigOpts) }
  ]
}
