import { createWriteStream } from 'node:fs'
import type { Writable } from 'node:stream'

/** Where log lines go: `stdout`, `stderr`, a file path (appended), or any writable stream. */
export type LineDestination = 'stdout' | 'stderr' | { readonly path: string } | Writable

/** Most bytes kept while the destination is slow; past it lines are dropped and counted (the request path never waits). */
const MAX_PENDING_BYTES = 16 * 1024 * 1024

/**
 * A buffered line writer: `write()` only appends to a string, so access-log
 * and EMF lines never block a request. At most one chunk is in the
 * destination at a time: the first line after an idle spell is written on
 * the next event-loop turn (`setImmediate`), and lines queued while a chunk
 * is in flight go out together once its write callback ran. Under load a
 * file destination (`fs.write` on the thread pool) thus gets one write per
 * completed write, not one per loop turn, and a destination that pushes
 * back simply completes its write later.
 */
export class LineWriter {
  readonly #stream: Writable
  readonly #owned: boolean
  #pending = ''
  #scheduled = false
  /** A chunk was handed to the stream and its callback has not run yet. */
  #inFlight = false
  /** Lines dropped because the destination was too slow. */
  dropped = 0

  constructor(destination: LineDestination) {
    if (destination === 'stdout') this.#stream = process.stdout
    else if (destination === 'stderr') this.#stream = process.stderr
    else if ('path' in destination && typeof destination.path === 'string' && !('write' in destination)) this.#stream = createWriteStream(destination.path, { flags: 'a' })
    else this.#stream = destination as Writable
    this.#owned = typeof destination === 'object' && 'path' in destination && !('write' in destination)
  }

  /** Queues one line (a newline is added). */
  write(line: string): void {
    if (this.#pending.length > MAX_PENDING_BYTES) {
      this.dropped++
      return
    }
    this.#pending += line
    this.#pending += '\n'
    if (!this.#scheduled && !this.#inFlight) {
      this.#scheduled = true
      setImmediate(this.#flush)
    }
  }

  readonly #flush = (): void => {
    this.#scheduled = false
    if (this.#pending === '' || this.#inFlight) return
    const chunk = this.#pending
    this.#pending = ''
    this.#inFlight = true
    this.#stream.write(chunk, this.#written)
  }

  /** The chunk in flight is out (or failed: the stream reports that itself): send what queued meanwhile. */
  readonly #written = (): void => {
    this.#inFlight = false
    if (this.#pending !== '' && !this.#scheduled) {
      this.#scheduled = true
      setImmediate(this.#flush)
    }
  }

  /** Writes what is queued and, for a file it opened, closes it. */
  async close(): Promise<void> {
    const chunk = this.#pending
    this.#pending = ''
    await new Promise<void>((resolve) => {
      if (chunk === '') resolve()
      else this.#stream.write(chunk, () => resolve())
    })
    if (this.#owned) await new Promise<void>((resolve) => this.#stream.end(() => resolve()))
  }
}
