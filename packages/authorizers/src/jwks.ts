import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose'

/** JWKS fetching limits of §10.7 / §15: 1500 ms timeouts, 150,000-byte JWKS. */
export const JWKS_TIMEOUT_MS = 1500
/** Largest JWKS (and discovery document) accepted, in bytes (§15). */
export const JWKS_MAX_BYTES = 150_000

/** How keys of one issuer are fetched and cached. */
export interface KeySetOptions {
  /** Issuer URL: discovery runs against `{issuer}/.well-known/openid-configuration` unless `jwksUri` is set. */
  readonly issuer: string
  /** JWKS URL; skips discovery (Cognito: `{issuer}/.well-known/jwks.json`). */
  readonly jwksUri?: string | undefined
  /** Keys are refetched at most once per cooldown when a token names an unknown `kid`. */
  readonly cooldownMs: number
  /** Keys older than this are refetched (AWS: up to 1 hour). */
  readonly cacheMaxAgeMs: number
  /** Per-fetch timeout. */
  readonly timeoutMs: number
}

/**
 * A key resolver for one issuer on jose's `createRemoteJWKSet`: keys cached,
 * an unknown `kid` refetches only when the cooldown has passed (a flood of
 * random `kid`s costs at most one fetch per cooldown), responses bounded to
 * 150,000 bytes, no redirects. Only the JWKS is trusted: `jku`/`x5u`/`jwk`
 * token headers are never fetched or used. OIDC discovery (`jwks_uri`) runs
 * once; a failed discovery is retried no more than once per cooldown.
 */
export function remoteKeySet(options: KeySetOptions): JWTVerifyGetKey {
  const fetchLimited = limitedFetch(JWKS_MAX_BYTES)
  const jwksOptions = {
    timeoutDuration: options.timeoutMs,
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs,
    [customFetch]: fetchLimited
  }
  if (options.jwksUri !== undefined) return createRemoteJWKSet(new URL(options.jwksUri), jwksOptions)
  let set: ReturnType<typeof createRemoteJWKSet> | undefined
  let pending: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined
  let failedAt = -Infinity
  const discover = async (): Promise<ReturnType<typeof createRemoteJWKSet>> => {
    const url = `${options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`
    const signal = AbortSignal.timeout(options.timeoutMs)
    const res = await fetchLimited(url, { headers: new Headers({ accept: 'application/json' }), method: 'GET', redirect: 'manual', signal })
    if (res.status !== 200) throw new Error(`discovery answered ${res.status}`)
    const doc = (await res.json()) as { jwks_uri?: unknown }
    if (typeof doc.jwks_uri !== 'string') throw new Error('discovery document has no jwks_uri')
    return createRemoteJWKSet(new URL(doc.jwks_uri), jwksOptions)
  }
  return async (header, token) => {
    if (set === undefined) {
      if (pending === undefined) {
        if (performance.now() - failedAt < options.cooldownMs) throw new Error('OIDC discovery failed recently')
        pending = discover().then(
          (s) => (set = s),
          (err: unknown) => {
            failedAt = performance.now()
            pending = undefined
            throw err
          }
        )
      }
      await pending
    }
    return (set as ReturnType<typeof createRemoteJWKSet>)(header, token)
  }
}

type FetchInit = { headers: Headers; method: 'GET'; redirect: 'manual'; signal: AbortSignal }

function limitedFetch(maxBytes: number): (url: string, init: FetchInit) => Promise<Response> {
  return async (url, init) => {
    const res = await fetch(url, init)
    const declared = Number(res.headers.get('content-length') ?? '0')
    if (declared > maxBytes) {
      await res.body?.cancel()
      throw new Error(`JWKS larger than ${maxBytes} bytes`)
    }
    const reader = (res.body as ReadableStream<Uint8Array> | null)?.getReader()
    const chunks: Uint8Array[] = []
    let total = 0
    if (reader !== undefined) {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        total += value.byteLength
        if (total > maxBytes) {
          await reader.cancel()
          throw new Error(`JWKS larger than ${maxBytes} bytes`)
        }
        chunks.push(value)
      }
    }
    return new Response(Buffer.concat(chunks), { status: res.status, headers: res.headers })
  }
}
