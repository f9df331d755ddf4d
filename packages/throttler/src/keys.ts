import { createHash } from 'node:crypto'
import type { GatewayContext } from '@gw/core'

/** Picks the client a bucket belongs to; `undefined` puts the request in the level's shared bucket. */
export type ThrottleKeyFunction = (ctx: GatewayContext<object>) => string | undefined

/** Built-in client keys: source IP, API key id, authorizer principal, matched route. */
export type ThrottleKeyName = 'ip' | 'apiKey' | 'principal' | 'route'

/** Client IP (`$context.identity.sourceIp`, §13.3). */
const byIp: ThrottleKeyFunction = (ctx) => ctx.sourceIp

/**
 * API key: the id of the key usage plans admitted (§9.2), else a SHA-256
 * digest of the `x-api-key` header. Never the key itself: bucket names end up
 * in Redis key names and logs.
 */
const byApiKey: ThrottleKeyFunction = (ctx) => {
  if (ctx.apiKey !== undefined) return ctx.apiKey.id
  const header = ctx.headers['x-api-key']
  if (typeof header !== 'string' || header === '') return undefined
  return createHash('sha256').update(header).digest('base64url').slice(0, 22)
}

/** Authorizer principal (`principalId`, JWT `sub`) or IAM caller (§10). */
const byPrincipal: ThrottleKeyFunction = (ctx) => {
  const auth = ctx.authorizer
  if (auth !== undefined) {
    const principal = auth['principalId']
    if (typeof principal === 'string') return principal
    const jwt = auth['jwt']
    if (typeof jwt === 'object' && jwt !== null) {
      const sub = (jwt as { claims?: Record<string, unknown> }).claims?.['sub']
      if (typeof sub === 'string') return sub
    }
    const claims = auth['claims']
    if (typeof claims === 'object' && claims !== null) {
      const sub = (claims as Record<string, unknown>)['sub']
      if (typeof sub === 'string') return sub
    }
  }
  const caller = ctx.identity?.['userArn'] ?? ctx.identity?.['caller']
  return caller ?? undefined
}

/** Matched route: `GET /pets/{id}` (REST resource or HTTP route key), else method and path. */
const byRoute: ThrottleKeyFunction = (ctx) => ctx.routeKey ?? `${ctx.method} ${ctx.resourcePath ?? ctx.path}`

const BUILT_IN: Readonly<Record<ThrottleKeyName, ThrottleKeyFunction>> = { ip: byIp, apiKey: byApiKey, principal: byPrincipal, route: byRoute }

/**
 * Resolves a `key` option (a name or a function) to a function, once, at
 * construction.
 * @example
 * throttleKey('ip')(ctx) // '203.0.113.7'
 */
export function throttleKey(key: ThrottleKeyName | ThrottleKeyFunction): ThrottleKeyFunction {
  return typeof key === 'function' ? key : BUILT_IN[key]
}
