import { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { NullProto } from '@gw/core'

/** Responses up to this many bytes (declared `Content-Length`) are collected into one Buffer and sent in one write. */
export const SMALL_BODY = 16_384

/** What an endpoint answered: status, lower-case headers and the body, collected (small) or streaming. */
export interface UpstreamResponse {
  readonly statusCode: number
  readonly headers: Record<string, string | string[]>
  /** A Buffer when the endpoint declared a length up to `SMALL_BODY`, else a stream with back-pressure. */
  readonly body: Buffer | Readable
}

/** Who hears how an endpoint call ends: exactly one of the two methods, once. */
export interface UpstreamListener {
  onResponse(res: UpstreamResponse): void
  onFailure(err: Error): void
}

/** A pending endpoint call: `abort(err)` ends it with `err` (the integration's timeout, §3.1). */
export interface UpstreamCall {
  abort(err: Error): void
}

/**
 * Sends one request through undici's `dispatch()` with a handler of our own
 * instead of `Dispatcher.request()`: no `BodyReadable` nor promise chain per
 * response, small bodies of known length are collected straight into one
 * Buffer, larger or unknown-length ones stream through a plain `Readable`
 * whose back-pressure pauses the upstream socket (§3.4: bodies are streamed).
 * The same error objects as `request()` (`UND_ERR_*`) reach the caller.
 * `listener` hears the answer (headers and a collected or streaming body)
 * or the failure synchronously, from undici's callbacks: no promise per call.
 */
export function callUpstream(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, listener: UpstreamListener): UpstreamCall {
  const handler = new ProxyHandler(listener)
  try {
    dispatcher.dispatch(options, handler)
  } catch (err) {
    handler.onError(err as Error)
  }
  return handler
}

/** Lower-case header names, repeated names as arrays (what `Dispatcher.request()` gives). */
function parseHeaders(raw: Buffer[]): Record<string, string | string[]> {
  const out = new NullProto() as Record<string, string | string[]>
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1').toLowerCase()
    const value = (raw[i + 1] as Buffer).toString('latin1')
    const prev = out[name]
    if (prev === undefined) out[name] = value
    else if (Array.isArray(prev)) prev.push(value)
    else out[name] = [prev, value]
  }
  return out
}

/** undici's dispatch handler contract (onConnect … onComplete / onError), one instance per call. */
class ProxyHandler implements Dispatcher.DispatchHandler, UpstreamCall {
  readonly #listener: UpstreamListener
  #abort: ((err: Error) => void) | undefined
  #reason: Error | undefined
  #status = 0
  #headers: Record<string, string | string[]> | undefined
  /** Collect mode: the chunks so far (null once streaming). */
  #chunks: Buffer[] | null = null
  #stream: Readable | null = null
  #settled = false
  #ended = false

  constructor(listener: UpstreamListener) {
    this.#listener = listener
  }

  abort(err: Error): void {
    if (this.#abort !== undefined) this.#abort(err)
    else this.#reason = err
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.#reason !== undefined) abort(this.#reason)
    else this.#abort = abort
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true // 1xx: informational, the final answer follows
    const headers = parseHeaders(rawHeaders)
    this.#status = statusCode
    this.#headers = headers
    const length = headers['content-length']
    if (typeof length === 'string' && length.length <= 5 && Number(length) <= SMALL_BODY) {
      this.#chunks = []
      return true
    }
    // Back-pressure: onData's `false` pauses the socket until the consumer reads again; a consumer that goes away
    // (client disconnected) aborts the endpoint call instead of leaving it running.
    const stream = new Readable({
      read: () => resume(),
      destroy: (err, callback) => {
        if (!this.#ended) this.#abort?.(err ?? Object.assign(new Error('response body destroyed'), { code: 'UND_ERR_ABORTED' }))
        callback(err)
      }
    })
    this.#stream = stream
    this.#settle({ statusCode, headers, body: stream })
    return true
  }

  onData(chunk: Buffer): boolean {
    if (this.#chunks !== null) {
      this.#chunks.push(chunk)
      return true
    }
    return (this.#stream as Readable).push(chunk)
  }

  onComplete(): void {
    this.#ended = true
    if (this.#chunks !== null) {
      const chunks = this.#chunks
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
      this.#settle({ statusCode: this.#status, headers: this.#headers as Record<string, string | string[]>, body })
    } else this.#stream?.push(null)
  }

  onError(err: Error): void {
    this.#ended = true
    if (!this.#settled) {
      this.#settled = true
      this.#listener.onFailure(err)
    } else this.#stream?.destroy(err)
  }

  #settle(res: UpstreamResponse): void {
    if (this.#settled) return
    this.#settled = true
    this.#listener.onResponse(res)
  }
}
