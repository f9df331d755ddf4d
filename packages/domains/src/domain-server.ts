import { createServer, type Server, type ServerOptions } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls'
import { z } from 'zod'
import { parseOptions } from '@gw/core'

/** A certificate (and key) in PEM form. */
export interface DomainCertificate {
  /** PEM certificate chain. */
  cert: string | Buffer
  /** PEM private key. */
  key: string | Buffer
}

/** Options of {@link createDomainServer}. */
export interface DomainServerOptions {
  /** Each custom domain's certificate, served to clients whose SNI names it; `truststore` (PEM bundle of client CAs) turns on mutual TLS. */
  domains: (DomainCertificate & { domainName: string; truststore?: string | Buffer })[]
  /** For clients whose SNI names no domain (execute-api host names, an IP). @default the first domain's */
  defaultCertificate?: DomainCertificate
  /** Other node:https options (timeouts, `connectionsCheckingInterval`). */
  serverOptions?: ServerOptions
}

const pem = z.union([z.string().min(1), z.instanceof(Buffer)])
const optionsSchema = z
  .object({
    domains: z.array(z.object({ domainName: z.string().min(1), cert: pem, key: pem, truststore: pem.optional() }).strict()).min(1, 'at least one domain'),
    defaultCertificate: z.object({ cert: pem, key: pem }).strict().optional(),
    serverOptions: z.custom<ServerOptions>((v) => typeof v === 'object' && v !== null).optional()
  })
  .strict()

/**
 * One TLS listener for every custom domain (aws-semantics §1.1): the
 * certificate is chosen by SNI, and a domain with a truststore asks for a
 * client certificate and refuses connections that present none, or one its
 * CAs did not sign, right after the handshake and before any request is read
 * (what node's own `rejectUnauthorized` does; per domain here, since node
 * only has that switch per server). Every context is built at construction,
 * so a bad PEM fails then.
 * @throws GwError GW_CONFIG_INVALID for bad options, naming the domain whose PEM node cannot read
 * @example
 * const server = createDomainServer({ domains: [{ domainName: 'api.example.test', cert, key }] }, toNodeHandler(router.dispatch))
 * server.listen(8443)
 */
export function createDomainServer(options: DomainServerOptions, listener: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const opts = parseOptions(optionsSchema, options, 'domains')
  const contexts = new Map<string, SecureContext>()
  const mutual = new Set<string>()
  for (const d of opts.domains) {
    const name = d.domainName.toLowerCase()
    try {
      contexts.set(name, createSecureContext({ cert: d.cert, key: d.key, ...(d.truststore === undefined ? {} : { ca: d.truststore }) }))
    } catch (err) {
      throw new TypeError(`domains: ${name}: ${(err as Error).message}`, { cause: err })
    }
    if (d.truststore !== undefined) mutual.add(name)
  }
  const first = opts.domains[0] as DomainCertificate
  const fallback = opts.defaultCertificate ?? first
  const server = createServer(
    {
      ...opts.serverOptions,
      cert: fallback.cert,
      key: fallback.key,
      // Ask for a client certificate only when some domain verifies one; the verdict is per domain below.
      requestCert: mutual.size > 0,
      rejectUnauthorized: false,
      SNICallback: (servername, done) => done(null, contexts.get(servername.toLowerCase()))
    },
    listener
  )
  if (mutual.size > 0) {
    // before node:https hands the socket to the HTTP parser: no request of a refused client is ever read
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      const name = typeof socket.servername === 'string' ? socket.servername.toLowerCase() : ''
      if (mutual.has(name) && !socket.authorized) socket.destroy()
    })
  }
  return server
}
