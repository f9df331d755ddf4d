import type { GatewayContext } from './context.js'

/**
 * A mutual-TLS client certificate as API Gateway hands it on (aws-semantics
 * §2.1 `requestContext.identity.clientCert`, §2.2
 * `requestContext.authentication.clientCert`, §13.3
 * `$context.identity.clientCert.*`).
 */
export interface ClientCertificate {
  readonly clientCertPem: string
  readonly subjectDN: string
  readonly issuerDN: string
  readonly serialNumber: string
  readonly validity: { readonly notBefore: string; readonly notAfter: string }
}

/**
 * `ctx.state` key under which the endpoint layer (@gw/domains) leaves the
 * client certificate of a mutual-TLS custom domain. A state key rather than a
 * context field: only mTLS requests carry one, and the events and `$context`
 * read it only when they are built.
 */
export const CLIENT_CERT: unique symbol = Symbol.for('gw.clientCert')

/** The request's mutual-TLS client certificate, or `undefined` (no mTLS domain). */
export function clientCertificate(ctx: GatewayContext<object>): ClientCertificate | undefined {
  return (ctx.state as { [CLIENT_CERT]?: ClientCertificate })[CLIENT_CERT]
}
