import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { WebSocketApi } from './websocket-api.js'

/** `/{prefix}` of an API when several share one server; `''` serves it at the root. */
export interface MountedWebSocketApi {
  readonly api: WebSocketApi
  readonly prefix?: string
}

function strip(url: string | undefined, prefix: string): string | undefined {
  const u = url ?? '/'
  const q = u.indexOf('?')
  const path = q === -1 ? u : u.slice(0, q)
  if (prefix === '') return path
  return path === prefix || path.startsWith(`${prefix}/`) ? path.slice(prefix.length) || '/' : undefined
}

/**
 * Serves WebSocket APIs on a node:http(s) server beside its HTTP handler:
 * an `upgrade` listener (stage paths; anything else answers 404 and closes)
 * and a request interceptor for `@connections` (§14.7) that returns `true`
 * when it answered. Nothing is installed when `apis` is empty, so HTTP
 * requests of a gateway without WebSocket APIs cost nothing.
 * @example
 * const intercept = attachWebSocketApis(server, [{ api: chat }])
 * server.on('request', (req, res) => { if (!intercept(req, res)) handler(req, res) })
 */
export function attachWebSocketApis(server: Server, apis: readonly MountedWebSocketApi[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  if (apis.length === 0) return () => false
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    for (const { api, prefix = '' } of apis) {
      const path = strip(req.url, prefix)
      if (path !== undefined && api.handleUpgrade(req, socket, head, path)) return
    }
    socket.on('error', () => socket.destroy())
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: 23\r\n\r\n{"message":"Not Found"}')
  })
  return (req, res) => {
    for (const { api, prefix = '' } of apis) {
      const path = strip(req.url, prefix)
      if (path !== undefined && api.handleRequest(req, res, path)) return true
    }
    return false
  }
}
