import { createWriteStream } from 'node:fs'
import type { Writable } from 'node:stream'

/** Where log lines go: `stdout`, `stderr`, a file path (appended), or any writable stream. */
export type LineDestination = 'stdout' | 'stderr' | { readonly path: string } | Writable

/** Most bytes kept while the destination is slow; past it lines are dropped and counted (the request path never waits). */
const MAX_PENDING_BYTES = 16 * 1024 * 1024

/**
 * A buffered line writer: `write()` only appends to a string and schedules
 * one flush per event-loop turn (`setImmediate`), so access-log and EMF lines
 * never block a request; a destination that pushes back (`write()` false)
 * gets the next batch after `drain`.
 */
export class LineWriter {
  readonly #stream: Writable
  readonly #owned: boolean
  #pending = ''
  #scheduled = false
  #waiting = false
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
    this.#pending += line + '\n'
    if (!this.#scheduled && !this.#waiting) {
      this.#scheduled = true
      setImmediate(this.#flush)
    }
  }

  readonly #flush = (): void => {
    this.#scheduled = false
    if (this.#pending === '' || this.#waiting) return
    const chunk = this.#pending
    this.#pending = ''
    if (!this.#stream.write(chunk)) {
      this.#waiting = true
      this.#stream.once('drain', () => {
        this.#waiting = false
        this.#flush()
      })
    }
  }

  /** Writes what is queued and, for a file it opened, closes it. */
  async close(): Promise<void> {
    this.#waiting = false
    const chunk = this.#pending
    this.#pending = ''
    await new Promise<void>((resolve) => {
      if (chunk === '') resolve()
      else this.#stream.write(chunk, () => resolve())
    })
    if (this.#owned) await new Promise<void>((resolve) => this.#stream.end(() => resolve()))
  }
}
