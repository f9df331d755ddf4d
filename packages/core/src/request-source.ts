import type { IncomingHttpHeaders } from 'node:http'
import type { Socket } from 'node:net'
import type { Readable } from 'node:stream'

/**
 * What an adapter hands to a `GatewayContext`: the request as received,
 * independent of the host (node:http, fetch, Express, Koa, Fastify).
 * Adapters translate; they decide nothing.
 */
export interface RequestSource {
  /** Client method, upper-case. */
  readonly method: string
  /** Origin-form target as received: raw path plus `?query`, nothing decoded. */
  readonly url: string
  /** Lower-cased header names (node:http rules: repeated values joined with `, `, `set-cookie` an array). */
  readonly headers: IncomingHttpHeaders
  /** `[name, value, name, value, …]` with the client's casing and order (REST events keep casing, §2.1). */
  readonly rawHeaders: readonly string[]
  /** Peer address of the socket (never a header). */
  readonly remoteAddress: string
  /** `https` when the socket is TLS. */
  readonly protocol: 'http' | 'https'
  /**
   * Reads the whole body, at most `limit` bytes. Past the limit it stops
   * reading and rejects with a `GatewayError('REQUEST_TOO_LARGE')` (§15): it
   * never buffers more than `limit` bytes.
   */
  readBody(limit: number): Promise<Buffer>
  /**
   * The body as a stream, for proxies; `null` when the request has no body. Once only.
   * With `limit`, a body of unknown length fails with `GatewayError('REQUEST_TOO_LARGE')` past it (§15).
   */
  stream(limit?: number): Readable | null
  /** Whether the request announces a body (`content-length` > 0 or `transfer-encoding`). */
  readonly hasBody: boolean
  /** Aborted when the client goes away before the response is sent. */
  readonly signal: AbortSignal
  /** The connection, on node:http / node:https (TLS: SNI name and client certificate, read by @gw/domains). */
  readonly socket?: Socket
}
