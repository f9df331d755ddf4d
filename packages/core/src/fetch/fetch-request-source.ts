import type { IncomingHttpHeaders } from 'node:http'
import { Readable, Transform } from 'node:stream'
import type { ReadableStreamReadResult, ReadableStream as WebReadableStream } from 'node:stream/web'
import { GatewayError } from '../gateway-error.js'
import { withoutHopByHop } from '../header-hygiene.js'
import type { RequestSource } from '../request-source.js'
import { EMPTY, clientGone } from '../node/read-node-body.js'

/** The origin-form target (`/path?query`) of an absolute URL, without the fragment. */
function originForm(url: string): string {
  const scheme = url.indexOf('://')
  const slash = scheme === -1 ? -1 : url.indexOf('/', scheme + 3)
  if (slash === -1) return '/'
  const hash = url.indexOf('#', slash)
  return hash === -1 ? url.slice(slash) : url.slice(slash, hash)
}

/**
 * A `RequestSource` over a fetch `Request` (Hono, Bun, Deno, @hono/node-server).
 * Header names are lower-case (fetch has no original casing), repeated
 * values are joined with `, `, `set-cookie` stays a list.
 */
export class FetchRequestSource implements RequestSource {
  readonly method: string
  readonly url: string
  readonly remoteAddress: string
  readonly protocol: 'http' | 'https'
  readonly hasBody: boolean
  readonly signal: AbortSignal
  readonly #request: Request
  #headers: IncomingHttpHeaders | undefined
  #rawHeaders: string[] | undefined
  /** Set once `readBody()`, `stream()` or `countBody()` took the body. */
  consumed = false

  constructor(request: Request, remoteAddress: string) {
    this.#request = request
    this.method = request.method
    this.url = originForm(request.url)
    this.remoteAddress = remoteAddress
    this.protocol = request.url.startsWith('https:') ? 'https' : 'http'
    this.hasBody = request.body !== null
    this.signal = request.signal
    this.#headers = undefined
    this.#rawHeaders = undefined
  }

  /** Lower-case headers without hop-by-hop headers (§3.2). */
  get headers(): IncomingHttpHeaders {
    if (this.#headers !== undefined) return this.#headers
    const out = Object.create(null) as IncomingHttpHeaders
    for (const [name, value] of this.#request.headers) {
      if (name === 'set-cookie') out[name] = this.#request.headers.getSetCookie()
      else out[name] = value
    }
    return (this.#headers = withoutHopByHop(out))
  }

  /** `[name, value, …]` with lower-case names. */
  get rawHeaders(): readonly string[] {
    if (this.#rawHeaders !== undefined) return this.#rawHeaders
    const raw: string[] = []
    const headers = this.headers
    for (const name in headers) {
      const value = headers[name]
      if (Array.isArray(value)) for (const v of value) raw.push(name, v)
      else if (value !== undefined) raw.push(name, value)
    }
    return (this.#rawHeaders = raw)
  }

  /** `Content-Length` as declared, -1 without one. */
  get declaredLength(): number {
    const declared = this.#request.headers.get('content-length')
    return declared === null ? -1 : Number(declared)
  }

  /** Sum of the lengths of every header value (§15 header-size limit). */
  get headerValueBytes(): number {
    let total = 0
    for (const [, value] of this.#request.headers) total += value.length
    return total
  }

  /** True when a body of unknown length is still there and nobody took it (§15: counted before answering). */
  get uncountedBody(): boolean {
    return this.hasBody && !this.consumed && !this.#request.bodyUsed && this.#request.headers.get('content-length') === null
  }

  /** Counts an untaken body without keeping it: false as soon as it goes past `limit` (the rest is cancelled). */
  async countBody(limit: number): Promise<boolean> {
    this.consumed = true
    const body = this.#request.body
    if (body === null) return true
    const reader = (body as WebReadableStream<Uint8Array>).getReader()
    let size = 0
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>
      try {
        step = await reader.read()
      } catch {
        return true
      }
      if (step.done) return true
      size += step.value.byteLength
      if (size > limit) {
        reader.cancel().catch(() => {})
        return false
      }
    }
  }

  /** True when `Host` or `Content-Length` arrived twice (fetch joins them with `,`). */
  get ambiguous(): boolean {
    const headers = this.#request.headers
    return (headers.get('content-length')?.includes(',') ?? false) || (headers.get('host')?.includes(',') ?? false)
  }

  /** The body, at most `limit` bytes, else `GatewayError('REQUEST_TOO_LARGE')` (§15); the rest is cancelled, never buffered. */
  async readBody(limit: number): Promise<Buffer> {
    const body = this.#request.body
    if (body === null) return EMPTY
    this.consumed = true
    const declared = this.#request.headers.get('content-length')
    if (declared !== null && Number(declared) > limit) {
      body.cancel().catch(() => {})
      throw new GatewayError('REQUEST_TOO_LARGE')
    }
    const reader = (body as WebReadableStream<Uint8Array>).getReader()
    const chunks: Uint8Array[] = []
    let size = 0
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>
      try {
        step = await reader.read()
      } catch {
        throw clientGone()
      }
      if (step.done) break
      size += step.value.byteLength
      if (size > limit) {
        chunks.length = 0
        reader.cancel().catch(() => {})
        throw new GatewayError('REQUEST_TOO_LARGE')
      }
      chunks.push(step.value)
    }
    return chunks.length === 1 ? Buffer.from((chunks[0] as Uint8Array).buffer, (chunks[0] as Uint8Array).byteOffset, size) : Buffer.concat(chunks, size)
  }

  /** The body as a node `Readable`, `null` without one; with `limit`, it fails with REQUEST_TOO_LARGE past it (§15). */
  stream(limit?: number): Readable | null {
    const body = this.#request.body
    if (body === null) return null
    this.consumed = true
    const readable = Readable.fromWeb(body as WebReadableStream<Uint8Array>)
    if (limit === undefined) return readable
    let size = 0
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length
        if (size > limit) callback(new GatewayError('REQUEST_TOO_LARGE'))
        else callback(null, chunk)
      }
    })
    readable.once('error', (err) => counter.destroy(err))
    return readable.pipe(counter)
  }
}
