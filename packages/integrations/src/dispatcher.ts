import { Agent, Pool, type Dispatcher } from 'undici'
import type { ParsedIntegration, ParsedIntegrationOptions } from './options.js'

/** Keep-alive connection pooling for one integration: a Pool for a fixed origin, an Agent otherwise. */
export interface Upstream {
  readonly dispatcher: Dispatcher
  close(): Promise<void>
}

/** One pool per integration, created at construction (§3.4 keep-alive). */
export function createUpstream(def: ParsedIntegration, options: ParsedIntegrationOptions, fixedOrigin: string | undefined): Upstream {
  const connect = def.tlsConfig?.insecureSkipVerification === true ? { rejectUnauthorized: false } : undefined
  const common = {
    connections: options.connections,
    keepAliveTimeout: options.keepAliveTimeout,
    pipelining: 1,
    ...(connect === undefined ? {} : { connect })
  }
  const dispatcher: Dispatcher = fixedOrigin === undefined ? new Agent(common) : new Pool(fixedOrigin, common)
  return { dispatcher, close: () => dispatcher.close() }
}

/** undici error codes that mean the integration timed out (§3.1). */
export function isTimeout(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT'
}
