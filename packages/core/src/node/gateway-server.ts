import { createServer, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { ApiFlavour } from '../gateway-response-types.js'
import { restRequestId, shortRequestId } from '../request-id.js'
import type { Middleware } from '../middleware.js'
import { toNodeHandler, type NodeHandlerOptions } from './node-handler.js'
import { applyServerLimits, type ServerLimits } from './server-limits.js'

interface ParserError extends Error {
  code?: string
}

/**
 * The raw answer to a request node's HTTP parser refused before any
 * middleware could see it (malformed chunked encoding, duplicate
 * `Content-Length`, bad header bytes: 400; headers too large: 431 (§15);
 * request timeout: 408). Same body shape and headers as a gateway response.
 */
export function clientErrorResponse(code: string | undefined, flavour: ApiFlavour): string {
  const [status, reason, message] =
    code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'Request Header Fields Too Large']
      : code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'Request Timeout']
        : [400, 'Bad Request', 'Bad Request']
  const body = `{"message":"${message}"}`
  const ids =
    flavour === 'HTTP'
      ? `apigw-requestid: ${shortRequestId()}\r\n`
      : `x-amzn-ErrorType: BadRequestException\r\nx-amzn-RequestId: ${restRequestId(undefined)}\r\nx-amz-apigw-id: ${shortRequestId()}\r\n`
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\n${ids}content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`
}

/**
 * A `clientError` listener for any node:http server: answers parser errors
 * with `clientErrorResponse` when nothing was sent yet, then closes the
 * socket; resets (`ECONNRESET`) are just closed.
 * @example
 * server.on('clientError', gatewayClientErrorHandler('REST'))
 */
export function gatewayClientErrorHandler(flavour: ApiFlavour = 'REST'): (err: ParserError, socket: Duplex) => void {
  return (err, socket) => {
    const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
    if (err.code !== 'ECONNRESET' && socket.writable && pending?.headersSent !== true) {
      socket.end(clientErrorResponse(err.code, flavour), () => socket.destroy())
      return
    }
    socket.destroy()
  }
}

/**
 * An `http.Server` running `toNodeHandler(pipeline, options)` whose parser
 * errors (malformed chunked encoding, duplicate `Content-Length`, oversized
 * headers) get gateway-shaped answers instead of node's empty 400, with the
 * connection limits of `applyServerLimits` (`options.limits`: headers 10 s,
 * request 60 s, keep-alive 5 s, idle socket 65 s, no connection cap by default).
 * @throws GwError GW_CONFIG_INVALID on bad options
 * @example
 * createGatewayServer(compose([router, app]), { trustProxy: ['loopback'] }).listen(3000)
 */
export function createGatewayServer(pipeline: Middleware<object>, options?: NodeHandlerOptions & { limits?: ServerLimits }): Server {
  const { limits, ...handlerOptions } = options ?? {}
  // Checked every second (node's default is 30 s) so headersTimeout / requestTimeout cut slow clients on time.
  const server = createServer({ connectionsCheckingInterval: 1000 }, toNodeHandler(pipeline, handlerOptions))
  applyServerLimits(server, limits)
  server.on('clientError', gatewayClientErrorHandler(options?.flavour ?? 'REST'))
  return server
}
