import { close as closeFd, createWriteStream, fstat, open, writeSync } from 'node:fs'
import { Buffer } from 'node:buffer'
import type { Writable } from 'node:stream'

/** Where log lines go: `stdout`, `stderr`, a file path (appended), or any writable stream. */
export type LineDestination = 'stdout' | 'stderr' | { readonly path: string } | Writable

/** Most bytes kept while the destination is slow; past it lines are dropped and counted (the request path never waits). */
const MAX_PENDING_BYTES = 16 * 1024 * 1024

/** Default batch size: queued lines are written once they reach this many characters (about bytes). */
export const DEFAULT_FLUSH_BYTES = 16 * 1024
/** Default batch delay: a batch that stays under `flushBytes` is written this many ms after its first line. */
export const DEFAULT_FLUSH_DELAY_MS = 100

/** How a `LineWriter` batches its lines. */
export interface LineWriterOptions {
  /** Write the queued lines once they reach this many characters (about bytes). @default 16384 */
  flushBytes?: number | undefined
  /** Write a smaller batch this many ms after its first line (an unref'd timer: it never keeps the process alive). @default 100 */
  flushDelayMs?: number | undefined
}

function isPath(destination: LineDestination): destination is { readonly path: string } {
  return typeof destination === 'object' && 'path' in destination && typeof destination.path === 'string' && !('write' in destination)
}

/** Writers with lines that may still be queued: written synchronously when the process exits. */
const live = new Set<LineWriter>()
let exitHooked = false

function hookExit(): void {
  if (exitHooked) return
  exitHooked = true
  // The loop ran dry (an unref'd batch timer does not keep it alive): write now, a stream may still finish.
  process.on('beforeExit', () => {
    for (const w of live) w.flush()
  })
  // process.exit() or the last turn: only synchronous work runs, so an fd is written with writeSync and a
  // stream (stdout/stderr to a file or pipe are synchronous on POSIX) gets the rest in one write.
  process.on('exit', () => {
    for (const w of live) w.flushOnExit()
  })
}

/**
 * A buffered line writer: `write()` only appends to an array, so access-log
 * and EMF lines never block a request. Lines are written in batches, as
 * sonic-boom's `minLength` does: once the queue reaches `flushBytes` (on the
 * next event-loop turn), or `flushDelayMs` after the first line of a batch
 * (one unref'd timer per batch, not per line), whichever comes first; `close()`,
 * `flush()` and process exit write what is queued at once, so no line is lost.
 * A line may reach its destination up to `flushDelayMs` after its request.
 *
 * A file path is opened off the event loop. A regular file or a character
 * device (`/dev/null`) is then written with `fs.writeSync`, as Node itself
 * writes `process.stdout` to a file: an `fs.WriteStream` sends every chunk
 * through the thread pool, and that hand-off (wake a worker, write, wake the
 * loop) costs more CPU than the write. Anything else at a path (a FIFO) and
 * every stream is written through the stream with at most one chunk in
 * flight: lines queued meanwhile go out together in the next batch once its
 * callback ran, so a slow destination needs no separate drain path.
 */
export class LineWriter {
  #stream: Writable | undefined
  /** A regular file or character device opened here, written synchronously once per batch. */
  #fd: number | undefined
  /** The path being opened; lines queue until it is. */
  #opening: Promise<void> | undefined
  /** The stream was opened here (a path that is not a file): `close()` ends it. */
  #ownsStream = false
  #closed = false
  /** The queued lines, joined (with their newlines) when written: see `#take()`. */
  #lines: string[] = []
  /** Characters queued, newlines included. */
  #chars = 0
  readonly #flushBytes: number
  readonly #flushDelayMs: number
  /** The batch timer is armed (once per batch). */
  #timer: NodeJS.Timeout | undefined
  /** A write on the next turn is scheduled (the batch reached `flushBytes`, or `flush()` met a chunk in flight). */
  #soon = false
  /** A chunk was handed to the stream and its callback has not run yet. */
  #inFlight = false
  /** Lines dropped because the destination was too slow. */
  dropped = 0

  constructor(destination: LineDestination, options: LineWriterOptions = {}) {
    this.#flushBytes = options.flushBytes ?? DEFAULT_FLUSH_BYTES
    this.#flushDelayMs = options.flushDelayMs ?? DEFAULT_FLUSH_DELAY_MS
    if (destination === 'stdout') this.#stream = process.stdout
    else if (destination === 'stderr') this.#stream = process.stderr
    else if (isPath(destination)) this.#opening = this.#open(destination.path)
    else this.#stream = destination
    live.add(this)
    hookExit()
  }

  /** Queues one line (a newline is added). */
  write(line: string): void {
    if (this.#chars > MAX_PENDING_BYTES || this.#closed) {
      this.dropped++
      return
    }
    this.#lines.push(line)
    this.#chars += line.length + 1
    if (this.#chars >= this.#flushBytes) this.#writeSoon()
    else if (this.#timer === undefined) this.#arm()
  }

  /** Writes what is queued now (a stream with a chunk in flight gets it on the next turn after its callback). */
  flush(): void {
    if (this.#chars === 0) return
    if (this.#inFlight || this.#opening !== undefined) this.#soon = true
    else this.#flushNow()
  }

  /** At process exit: what is queued, synchronously, whatever is in flight (nothing later would run). */
  flushOnExit(): void {
    const chunk = this.#take()
    if (chunk === '') return
    if (this.#fd !== undefined) writeAllSync(this.#fd, chunk)
    else this.#stream?.write(chunk)
  }

  /**
   * The queued lines as one string, each with its newline, and an empty queue. Lines are kept in an array and
   * joined once per batch: joining a batch string line by line made a rope of two more pieces per line, which cost
   * a join and a write barrier per line (the writer lives in the old generation) and made the batch's flattening
   * walk three times as many pieces (issue #18).
   */
  #take(): string {
    if (this.#chars === 0) return ''
    const lines = this.#lines
    this.#lines = []
    this.#chars = 0
    lines.push('')
    return lines.join('\n')
  }

  #arm(): void {
    this.#timer = setTimeout(this.#onTimer, this.#flushDelayMs)
    this.#timer.unref()
  }

  #writeSoon(): void {
    if (this.#soon) return
    this.#soon = true
    if (!this.#inFlight && this.#opening === undefined) setImmediate(this.#onImmediate)
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined
    this.#flushNow()
  }

  readonly #onImmediate = (): void => {
    this.#flushNow()
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
          this.#next()
        })
      })
    })
  }

  /** Writes the queued batch, unless the path is still opening or a chunk is in flight (they call `#next()` when done). */
  #flushNow(): void {
    if (this.#inFlight || this.#opening !== undefined) return
    this.#soon = false
    const chunk = this.#take()
    if (chunk === '') return
    if (this.#fd !== undefined) {
      writeAllSync(this.#fd, chunk)
      return
    }
    if (this.#stream === undefined) return
    this.#inFlight = true
    this.#stream.write(chunk, this.#written)
  }

  /** The destination can take the next chunk: write what queued if it is due (a full batch or a flush), else wait for the batch timer. */
  #next(): void {
    if (this.#chars === 0) return
    if (this.#soon || this.#chars >= this.#flushBytes) {
      this.#soon = true
      setImmediate(this.#onImmediate)
    } else if (this.#timer === undefined) this.#arm()
  }

  /** The chunk in flight is out (or failed: the stream reports that itself): send what queued meanwhile when due. */
  readonly #written = (): void => {
    this.#inFlight = false
    this.#next()
  }

  /** Writes what is queued and, for a file it opened, closes it. */
  async close(): Promise<void> {
    live.delete(this)
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    if (this.#opening !== undefined) await this.#opening
    const chunk = this.#take()
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

/** Bytes of the buffer a batch is encoded into: most chunks fit (a bigger one gets a Buffer of its own). */
const SCRATCH_BYTES = 64 * 1024
let scratch: Buffer | undefined

/**
 * `fs.writeSync` until every byte is out (a write may be partial). A chunk that surely fits (3 bytes per UTF-16
 * unit at most) is encoded into one reused buffer: one encoding call, no byte count first and no new Buffer per
 * batch, as `Buffer.from` has (issue #18).
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
