import { GatewayError, reject, type GatewayContext, type Logger } from '@gw/core'
import { isTimeout } from './dispatcher.js'

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i

/** A URI fit for a log line: credentials in its userinfo (`http://user:pass@host`) replaced by `***` (§10.8 hygiene). */
export function redactUri(uri: string): string {
  return uri.replace(USERINFO, '$1***@')
}

/**
 * Maps a failed endpoint call to its gateway response without leaking
 * internals: timeout → INTEGRATION_TIMEOUT (504 REST, 503 HTTP API, §3.1);
 * refused / reset / DNS → INTEGRATION_FAILURE (504 REST per the §12.1 note,
 * 500 HTTP API). A GatewayError (e.g. 413 while streaming the body) is rethrown.
 */
export function upstreamFailure(ctx: GatewayContext<object>, err: unknown, logger: Logger | undefined, uri: string): void {
  if (err instanceof GatewayError) throw err
  const timeout = isTimeout(err)
  logger?.error({
    event: 'gw.integration_error',
    msg: timeout ? 'Execution failed due to a timeout error' : 'Execution failed due to configuration error: Network error communicating with endpoint',
    requestId: ctx.requestId,
    uri: redactUri(uri),
    code: (err as { code?: unknown } | null)?.code,
    error: err instanceof Error ? err.message : String(err)
  })
  reject(ctx, timeout ? 'INTEGRATION_TIMEOUT' : 'INTEGRATION_FAILURE')
}
