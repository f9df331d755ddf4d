import type { Server } from 'node:http'
import { z } from 'zod'
import { parseOptions } from '../options.js'

/** Connection-level limits of a gateway's node:http server (issue #15: slow clients, slowloris, connection floods). */
export interface ServerLimits {
  /** A request's headers must be complete within this time, else 408 and the socket is closed (slowloris). ms. @default 10000 */
  headersTimeoutMs?: number | undefined
  /** The whole request, body included, must arrive within this time, else 408 (slow body senders). ms. @default 60000 */
  requestTimeoutMs?: number | undefined
  /** An idle keep-alive connection is closed after this time. ms. @default 5000 */
  keepAliveTimeoutMs?: number | undefined
  /**
   * A socket with no byte read or written for this long is destroyed (slow readers that stop reading a
   * response, stalled clients). Above the 29/30 s integration timeout (§3.1) so a slow endpoint is answered first. ms. @default 65000
   */
  idleTimeoutMs?: number | undefined
  /** Concurrent connections per process; further ones are closed at once (0 = no cap). @default 0 */
  maxConnections?: number | undefined
}

/** `ServerLimits` with every default filled in. */
export type ResolvedServerLimits = { [K in keyof ServerLimits]-?: number }

/** The defaults of `ServerLimits`. */
export const DEFAULT_SERVER_LIMITS: Readonly<ResolvedServerLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 65_000,
  maxConnections: 0
})

const ms = z.number().int().min(0).max(3_600_000)

/** zod shape of `ServerLimits` (the CLI's `server.limits` uses it). */
export const serverLimitsSchema = z
  .object({
    headersTimeoutMs: ms.optional(),
    requestTimeoutMs: ms.optional(),
    keepAliveTimeoutMs: ms.optional(),
    idleTimeoutMs: ms.optional(),
    maxConnections: z.number().int().min(0).max(10_000_000).optional()
  })
  .strict()

/**
 * Validates `limits` once and applies them to a node:http / node:https server:
 * `headersTimeout`, `requestTimeout` (node answers 408 and closes), `keepAliveTimeout`,
 * the socket idle `timeout` (the socket is destroyed, its memory released) and `maxConnections`.
 * Node checks the first two every `connectionsCheckingInterval` (30 s by default): create the
 * server with `{ connectionsCheckingInterval: 1000 }` (as `createGatewayServer` does) so they bite on time.
 * @throws GwError GW_CONFIG_INVALID on bad limits
 * @example
 * applyServerLimits(createServer({ connectionsCheckingInterval: 1000 }, handler), { maxConnections: 10_000 })
 */
export function applyServerLimits(server: Server, limits?: ServerLimits): ResolvedServerLimits {
  const parsed = parseOptions(serverLimitsSchema, limits ?? {}, 'server limits')
  const resolved: ResolvedServerLimits = { ...DEFAULT_SERVER_LIMITS }
  for (const [k, v] of Object.entries(parsed)) if (v !== undefined) (resolved as Record<string, number>)[k] = v
  // node requires requestTimeout >= headersTimeout (0 disables a timeout).
  server.headersTimeout = resolved.headersTimeoutMs
  server.requestTimeout = resolved.requestTimeoutMs === 0 ? 0 : Math.max(resolved.requestTimeoutMs, resolved.headersTimeoutMs)
  server.keepAliveTimeout = resolved.keepAliveTimeoutMs
  server.timeout = resolved.idleTimeoutMs
  if (resolved.maxConnections > 0) server.maxConnections = resolved.maxConnections
  return resolved
}
