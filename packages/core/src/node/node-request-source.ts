import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { hasDuplicateFramingHeader, rawWithout, withoutHopByHop } from '../header-hygiene.js'
import type { RequestSource } from '../request-source.js'
import { EMPTY, readNodeBody, type BodyReadState } from './read-node-body.js'

/**
 * A `RequestSource` over a node:http request (Express, Koa and Fastify hand
 * over the same `IncomingMessage`). Header hygiene and the abort signal are
 * computed on first use: a request nobody asks about costs nothing.
 */
export class NodeRequestSource implements RequestSource, BodyReadState {
  readonly method: string
  readonly url: string
  readonly remoteAddress: string
  readonly protocol: 'http' | 'https'
  readonly hasBody: boolean
  /** Set once the body went past the limit (§15): the writer drains the rest. */
  overLimit: boolean
  readonly #req: IncomingMessage
  readonly #res: ServerResponse | undefined
  readonly #declared: number
  #headers: IncomingHttpHeaders | undefined
  #rawHeaders: string[] | undefined
  #signal: AbortSignal | undefined

  constructor(req: IncomingMessage, res?: ServerResponse, signal?: AbortSignal, url?: string) {
    this.#req = req
    this.#res = res
    this.method = req.method ?? 'GET'
    this.url = url ?? req.url ?? '/'
    this.remoteAddress = req.socket.remoteAddress ?? ''
    this.protocol = 'encrypted' in req.socket ? 'https' : 'http'
    const declared = req.headers['content-length']
    this.#declared = declared === undefined ? -1 : Number(declared)
    this.hasBody = this.#declared > 0 || req.headers['transfer-encoding'] !== undefined
    this.overLimit = false
    this.#headers = undefined
    this.#rawHeaders = undefined
    this.#signal = signal
  }

  /** Lower-case request headers without hop-by-hop headers (§3.2). */
  get headers(): IncomingHttpHeaders {
    return (this.#headers ??= withoutHopByHop(this.#req.headers))
  }

  /** Client-cased `[name, value, …]` without hop-by-hop headers. */
  get rawHeaders(): readonly string[] {
    if (this.#rawHeaders !== undefined) return this.#rawHeaders
    const headers = this.headers
    return (this.#rawHeaders = headers === this.#req.headers ? this.#req.rawHeaders : rawWithout(this.#req.rawHeaders, headers))
  }

  /** True when `Host` or `Content-Length` was sent twice (answered 400 by the adapters). */
  get ambiguous(): boolean {
    return hasDuplicateFramingHeader(this.#req.rawHeaders)
  }

  /** Aborted when the response closes before it was fully written (client gone). */
  get signal(): AbortSignal {
    if (this.#signal !== undefined) return this.#signal
    const controller = new AbortController()
    this.#signal = controller.signal
    const res = this.#res
    if (res !== undefined) {
      if (res.closed) {
        if (!res.writableFinished) controller.abort()
      } else {
        res.once('close', () => {
          if (!res.writableFinished) controller.abort()
        })
      }
    }
    return controller.signal
  }

  /** The body, at most `limit` bytes, else `GatewayError('REQUEST_TOO_LARGE')` (§15). */
  readBody(limit: number): Promise<Buffer> {
    if (!this.hasBody) return Promise.resolve(EMPTY)
    return readNodeBody(this.#req, limit, this.#declared, this)
  }

  /** The request itself as a stream, `null` without a body. */
  stream(): Readable | null {
    return this.hasBody ? this.#req : null
  }
}

/**
 * A `RequestSource` over a node:http request. `readBody(limit)` never buffers
 * more than `limit` bytes: past it (or when `content-length` already says so)
 * it rejects with `GatewayError('REQUEST_TOO_LARGE')` (§15) and stops keeping
 * bytes. Pass `res` so `signal` aborts when the client goes away, or a signal of your own.
 * @example
 * const ctx = new GatewayContext(nodeRequestSource(req, undefined, res))
 */
export function nodeRequestSource(req: IncomingMessage, signal?: AbortSignal, res?: ServerResponse): NodeRequestSource {
  return new NodeRequestSource(req, res, signal)
}
