import { close as closeFd, createWriteStream, fstat, open, writeSync } from 'node:fs'
import { Buffer } from 'node:buffer'
import type { Writable } from 'node:stream'

/** Where log lines go: `stdout`, `stderr`, a file path (appended), or any writable stream. */
export type LineDestination = 'stdout' | 'stderr' | { readonly path: string } | Writable

/** Most bytes kept while the destination is slow; past it lines are dropped and counted (the request path never waits). */
const MAX_PENDING_BYTES = 16 * 1024 * 1024

function isPath(destination: LineDestination): destination is { readonly path: string } {
  return typeof destination === 'object' && 'path' in destination && typeof destination.path === 'string' && !('write' in destination)
}

/**
 * A buffered line writer: `write()` only appends to a string, so access-log
 * and EMF lines never block a request; what queued is written on the next
 * event-loop turn (`setImmediate`), one chunk per turn.
 *
 * A file path is opened off the event loop. A regular file or a character
 * device (`/dev/null`) is then written with `fs.writeSync` from that turn,
 * as Node itself writes `process.stdout` to a file: an `fs.WriteStream`
 * sends every chunk through the thread pool, and that hand-off (wake a
 * worker, write, wake the loop) costs more CPU than the write. Anything else
 * at a path (a FIFO) and every stream is written through the stream with at
 * most one chunk in flight: lines queued meanwhile go out together once its
 * callback ran, so a slow destination needs no separate drain path.
 */
export class LineWriter {
  #stream: Writable | undefined
  /** A regular file or character device opened here, written synchronously once per turn. */
  #fd: number | undefined
  /** The path being opened; lines queue until it is. */
  #opening: Promise<void> | undefined
  /** The stream was opened here (a path that is not a file): `close()` ends it. */
  #ownsStream = false
  #closed = false
  #pending = ''
  #scheduled = false
  /** A chunk was handed to the stream and its callback has not run yet. */
  #inFlight = false
  /** Lines dropped because the destination was too slow. */
  dropped = 0

  constructor(destination: LineDestination) {
    if (destination === 'stdout') this.#stream = process.stdout
    else if (destination === 'stderr') this.#stream = process.stderr
    else if (isPath(destination)) this.#opening = this.#open(destination.path)
    else this.#stream = destination
  }

  /** Queues one line (a newline is added). */
  write(line: string): void {
    if (this.#pending.length > MAX_PENDING_BYTES || this.#closed) {
      this.dropped++
      return
    }
    this.#pending += line
    this.#pending += '\n'
    this.#schedule()
  }

  #schedule(): void {
    if (!this.#scheduled && !this.#inFlight) {
      this.#scheduled = true
      setImmediate(this.#flush)
    }
  }

  #open(path: string): Promise<void> {
    return new Promise<void>((resolve) => {
      open(path, 'a', (err, fd) => {
        if (err !== null) {
          resolve()
          // As an fs.WriteStream's unhandled 'error' event did: a log file that cannot be opened is fatal.
          throw err
        }
        fstat(fd, (statError, stats) => {
          if (statError === null && (stats.isFile() || stats.isCharacterDevice())) this.#fd = fd
          else {
            this.#stream = createWriteStream(path, { fd, flags: 'a' })
            this.#ownsStream = true
          }
          this.#opening = undefined
          resolve()
          if (this.#pending !== '') this.#schedule()
        })
      })
    })
  }

  readonly #flush = (): void => {
    this.#scheduled = false
    if (this.#pending === '' || this.#inFlight || this.#opening !== undefined) return
    const chunk = this.#pending
    this.#pending = ''
    if (this.#fd !== undefined) {
      writeAllSync(this.#fd, chunk)
      return
    }
    if (this.#stream === undefined) return
    this.#inFlight = true
    this.#stream.write(chunk, this.#written)
  }

  /** The chunk in flight is out (or failed: the stream reports that itself): send what queued meanwhile. */
  readonly #written = (): void => {
    this.#inFlight = false
    if (this.#pending !== '') this.#schedule()
  }

  /** Writes what is queued and, for a file it opened, closes it. */
  async close(): Promise<void> {
    if (this.#opening !== undefined) await this.#opening
    const chunk = this.#pending
    this.#pending = ''
    const fd = this.#fd
    if (fd !== undefined) {
      this.#fd = undefined
      this.#closed = true
      if (chunk !== '') writeAllSync(fd, chunk)
      await new Promise<void>((resolve) => closeFd(fd, () => resolve()))
      return
    }
    const stream = this.#stream
    if (stream === undefined) return
    await new Promise<void>((resolve) => {
      if (chunk === '') resolve()
      else stream.write(chunk, () => resolve())
    })
    if (this.#ownsStream) {
      this.#closed = true
      await new Promise<void>((resolve) => stream.end(() => resolve()))
    }
  }
}

/** Bytes of the buffer a turn's chunk is encoded into: most chunks fit (a bigger one gets a Buffer of its own). */
const SCRATCH_BYTES = 64 * 1024
let scratch: Buffer | undefined

/**
 * `fs.writeSync` until every byte is out (a write may be partial). A chunk that surely fits (3 bytes per UTF-16
 * unit at most) is encoded into one reused buffer: one encoding call, no byte count first and no new Buffer per
 * turn, as `Buffer.from` has (issue #18).
 */
function writeAllSync(fd: number, chunk: string): void {
  let bytes: Buffer
  let end: number
  if (chunk.length * 3 <= SCRATCH_BYTES) {
    bytes = scratch ??= Buffer.allocUnsafeSlow(SCRATCH_BYTES)
    end = bytes.write(chunk, 0, 'utf8')
  } else {
    bytes = Buffer.from(chunk)
    end = bytes.length
  }
  let offset = 0
  while (offset < end) offset += writeSync(fd, bytes, offset, end - offset)
}
