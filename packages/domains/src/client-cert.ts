import { X509Certificate } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import type { ClientCertificate } from '@gw/core'

/** One formatted certificate per TLS connection: keep-alive requests share it. */
const perSocket = new WeakMap<TLSSocket, ClientCertificate>()

/**
 * The client certificate of a mutual-TLS connection in API Gateway's shape
 * (aws-semantics §2.1 `identity.clientCert`, §2.2 `authentication.clientCert`,
 * §13.3 `$context.identity.clientCert.*`): the PEM, subject and issuer as
 * RFC 2253 distinguished names (most specific first, `CN=client,O=Example,C=US`
 * [I: AWS's own examples abbreviate them]), the serial number as colon-separated
 * lower-case hex pairs and the validity dates as OpenSSL prints them
 * (`May 28 12:30:02 2019 GMT`, AWS's format). `undefined` when the peer sent none.
 */
export function clientCertificateOf(socket: TLSSocket): ClientCertificate | undefined {
  const cached = perSocket.get(socket)
  if (cached !== undefined) return cached
  const peer = socket.getPeerCertificate()
  if (peer === null || typeof peer !== 'object' || peer.raw === undefined) return undefined
  const x509 = new X509Certificate(peer.raw)
  const cert: ClientCertificate = {
    clientCertPem: x509.toString().trim(),
    subjectDN: distinguishedName(x509.subject),
    issuerDN: distinguishedName(x509.issuer),
    serialNumber: serialOf(x509.serialNumber),
    validity: { notBefore: x509.validFrom, notAfter: x509.validTo }
  }
  perSocket.set(socket, cert)
  return cert
}

/** Node prints `C=US\nO=Example\nCN=client`; RFC 2253 reverses the order and joins with commas. */
function distinguishedName(lines: string): string {
  return lines
    .split('\n')
    .filter((l) => l !== '')
    .reverse()
    .map((l) => l.replace(/([,+"\\<>;])/g, '\\$1'))
    .join(',')
}

function serialOf(hex: string): string {
  const even = hex.length % 2 === 0 ? hex : `0${hex}`
  return even.toLowerCase().replace(/(..)(?!$)/g, '$1:')
}
