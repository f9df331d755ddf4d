import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Readable } from 'node:stream'
import { hasDuplicateFramingHeader, rawWithout, withProtoHeader, withoutHopByHop } from '../header-hygiene.js'
import type { RequestSource } from '../request-source.js'
import { rawHeaderValueBytes } from '../front-door.js'
import { socketFacts } from './socket-facts.js'
import { EMPTY, countNodeBody, limitedNodeStream, readNodeBody, type BodyReadState } from './read-node-body.js'

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
  /** Set once `readBody()` or `stream()` took the body. */
  consumed: boolean
  readonly #req: IncomingMessage
  /**
   * node's parsed headers, read once: `req.headers` is a getter whose symbol lookup is megamorphic on a busy
   * server (~470 instructions a call), and node's own parser already calls it twice per request.
   */
  readonly #incoming: IncomingHttpHeaders
  readonly #res: ServerResponse | undefined
  readonly #declared: number
  #headers: IncomingHttpHeaders | undefined
  #rawHeaders: string[] | undefined
  /** Whether `headers` dropped hop-by-hop names (then `rawHeaders` is filtered too). */
  #hopByHop = false
  #signal: AbortSignal | undefined

  constructor(req: IncomingMessage, res?: ServerResponse, signal?: AbortSignal, url?: string) {
    const incoming = req.headers
    this.#req = req
    this.#incoming = incoming
    this.#res = res
    this.method = req.method ?? 'GET'
    this.url = url ?? req.url ?? '/'
    const facts = socketFacts(req.socket)
    this.remoteAddress = facts.remoteAddress
    this.protocol = facts.protocol
    const declared = incoming['content-length']
    this.#declared = declared === undefined ? -1 : Number(declared)
    this.hasBody = this.#declared > 0 || incoming['transfer-encoding'] !== undefined
    this.overLimit = false
    this.consumed = false
    this.#headers = undefined
    this.#rawHeaders = undefined
    this.#signal = signal
  }

  /** `Content-Length` as declared, -1 without one (chunked or no body). */
  get declaredLength(): number {
    return this.#declared
  }

  /** Sum of the lengths of every header value as received (§15 header-size limit). */
  get headerValueBytes(): number {
    return rawHeaderValueBytes(this.#req.rawHeaders)
  }

  /**
   * True when a body without `Content-Length` (chunked) is still arriving and
   * nobody took it: its size is only known once it is counted (§15).
   */
  get uncountedBody(): boolean {
    return this.hasBody && this.#declared === -1 && !this.consumed && !this.#req.complete
  }

  /** Counts an untaken body to its end (see `countNodeBody`): false when it went past `limit`. */
  countBody(limit: number): Promise<boolean> {
    this.consumed = true
    return countNodeBody(this.#req, limit, this)
  }

  /** The request's connection (a getter: nothing is stored per request). */
  get socket(): Socket {
    return this.#req.socket
  }

  /** `X-Forwarded-For` as node parsed it (for `trustProxy`), without building `headers`. */
  get forwardedFor(): string | string[] | undefined {
    return this.#incoming['x-forwarded-for']
  }

  /** Lower-case request headers without hop-by-hop headers (§3.2). */
  get headers(): IncomingHttpHeaders {
    if (this.#headers !== undefined) return this.#headers
    const parsed = withProtoHeader(this.#incoming, this.#req.rawHeaders)
    const headers = withoutHopByHop(parsed)
    this.#hopByHop = headers !== parsed
    return (this.#headers = headers)
  }

  /** Client-cased `[name, value, …]` without hop-by-hop headers. */
  get rawHeaders(): readonly string[] {
    if (this.#rawHeaders !== undefined) return this.#rawHeaders
    void this.headers
    const req = this.#req
    return (this.#rawHeaders = this.#hopByHop ? rawWithout(req.rawHeaders, this.#incoming.connection) : req.rawHeaders)
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
    this.consumed = true
    return readNodeBody(this.#req, limit, this.#declared, this)
  }

  /**
   * The request itself as a stream, `null` without a body. Without a
   * declared length (chunked) and with a `limit`, bytes are counted and the
   * stream fails with REQUEST_TOO_LARGE past it (§15); a declared length was
   * checked at the front door and node's parser holds the client to it.
   */
  stream(limit?: number): Readable | null {
    if (!this.hasBody) return null
    this.consumed = true
    return limit === undefined || this.#declared !== -1 ? this.#req : limitedNodeStream(this.#req, limit, this)
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
