import type { GatewayContext } from './context.js'

/**
 * `$context.domainName` / `requestContext.domainName` (aws-semantics §2.1,
 * §2.2, §13.3): the `Host` the client sent, without a port (AWS endpoints
 * are on 443; a local gateway's port is not part of the name).
 */
export function domainNameOf(ctx: GatewayContext<object>): string {
  const host = ctx.headers.host
  return typeof host === 'string' ? host.replace(/:\d+$/, '') : ''
}

/** `domainPrefix`: the first label of the domain name (`a1b2c3d4e5` of `a1b2c3d4e5.execute-api.localhost`). */
export function domainPrefixOf(domainName: string): string {
  const dot = domainName.indexOf('.')
  return dot === -1 ? domainName : domainName.slice(0, dot)
}
