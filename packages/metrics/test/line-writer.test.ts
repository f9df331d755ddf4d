import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { LineWriter } from '../src/line-writer.js'

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-line-writer-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, 'access.log')
}

const read = (path: string): string => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Resolves once `check()` holds (polled every 5 ms), failing after `ms`. */
async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await sleep(5)
  }
}

describe('LineWriter batching (issue #18): by size and by time, nothing lost or reordered', () => {
  it('a line is written flushDelayMs after it was queued, with no further traffic (file and stream)', async () => {
    const path = tempFile()
    // a delay well above what a loaded CI machine adds to the 20 ms sleeps below
    const file = new LineWriter({ path }, { flushDelayMs: 600 })
    const out = new PassThrough()
    const stream = new LineWriter(out, { flushDelayMs: 600 })
    onTestFinished(() => Promise.all([file.close(), stream.close()]).then(() => undefined))
    await sleep(20) // the path is open
    const queued = Date.now()
    file.write('one')
    stream.write('one')
    await turn()
    await sleep(20)
    expect(read(path)).toBe('') // not on the next turn any more: the batch waits for more lines or the delay
    expect(out.read()).toBeNull()
    // two writers, two timers: wait for both batches (either may fire first)
    await until(() => read(path) === 'one\n' && out.readableLength > 0)
    expect(Date.now() - queued).toBeGreaterThanOrEqual(590)
    expect((out.read() as Buffer).toString('utf8')).toBe('one\n')
  })

  it('a batch reaching flushBytes is written on the next turn, without waiting for the delay', async () => {
    const path = tempFile()
    const file = new LineWriter({ path }, { flushBytes: 1000, flushDelayMs: 60_000 })
    const out = new PassThrough()
    const stream = new LineWriter(out, { flushBytes: 1000, flushDelayMs: 60_000 })
    onTestFinished(() => Promise.all([file.close(), stream.close()]).then(() => undefined))
    await sleep(20)
    const line = 'x'.repeat(99) // 100 characters with its newline
    for (let i = 0; i < 9; i++) {
      file.write(line)
      stream.write(line)
    }
    await turn()
    expect(read(path)).toBe('') // 900 characters: under the threshold
    file.write(line)
    stream.write(line)
    await turn()
    expect(read(path)).toBe(`${line}\n`.repeat(10))
    expect((out.read() as Buffer).toString('utf8')).toBe(`${line}\n`.repeat(10))
  })

  it('close() writes everything queued at once (a path still opening, a file, a stream)', async () => {
    const early = tempFile()
    const opening = new LineWriter({ path: early }, { flushDelayMs: 60_000 })
    opening.write('a')
    opening.write('b')
    await opening.close()
    expect(read(early)).toBe('a\nb\n')

    const path = tempFile()
    const file = new LineWriter({ path }, { flushDelayMs: 60_000 })
    await sleep(20)
    for (let i = 0; i < 100; i++) file.write(`line ${String(i)}`)
    await file.close()
    expect(read(path)).toBe(Array.from({ length: 100 }, (_, i) => `line ${String(i)}\n`).join(''))

    const out = new PassThrough()
    const stream = new LineWriter(out, { flushDelayMs: 60_000 })
    stream.write('c')
    await stream.close()
    expect((out.read() as Buffer).toString('utf8')).toBe('c\n')
  })

  it('a file: lines queued while it opened, lines after it, a line over 64 KB of UTF-8 and multi-byte text keep write order', async () => {
    const path = tempFile()
    const file = new LineWriter({ path }, { flushBytes: 4096, flushDelayMs: 60_000 })
    onTestFinished(() => file.close())
    const expected: string[] = []
    const write = (line: string): void => {
      file.write(line)
      expected.push(line)
    }
    // before the open callback: queued until the fd is there
    write('queued 1 é')
    write('queued 2')
    await sleep(20)
    // the fd is open: past flushBytes a batch goes out on the next turn
    for (let i = 0; i < 60; i++) write(`encoded ${String(i)} ${'ü€'.repeat(i % 7)} ${'y'.repeat(80)}`)
    // a batch larger than writeAllSync's 64 KB scratch buffer can surely take (3 bytes per UTF-16 unit): a Buffer of its own
    write('z'.repeat(30_000))
    write('after the long line 😀')
    await file.close()
    expect(read(path)).toBe(expected.map((l) => `${l}\n`).join(''))
  })

  it('many concurrent writers, a slow stream with one chunk in flight and a file: every line, in write order', async () => {
    const path = tempFile()
    const file = new LineWriter({ path }, { flushBytes: 2048, flushDelayMs: 10 })
    let slowText = ''
    let inFlight = 0
    let maxInFlight = 0
    const slow = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        inFlight++
        maxInFlight = Math.max(maxInFlight, inFlight)
        setTimeout(() => {
          slowText += chunk.toString('utf8')
          inFlight--
          callback()
        }, 3)
      }
    })
    const stream = new LineWriter(slow, { flushBytes: 2048, flushDelayMs: 10 })
    const order: string[] = []
    const producer = async (id: number): Promise<void> => {
      for (let i = 0; i < 300; i++) {
        const line = `p${String(id)} n${String(i)} ${'é'.repeat(i % 7)}`
        order.push(line)
        file.write(line)
        stream.write(line)
        if (i % 3 === 0) await turn()
        else if (i % 50 === 0) await sleep(Math.random() * 15)
      }
    }
    await Promise.all(Array.from({ length: 20 }, (_, id) => producer(id)))
    await Promise.all([file.close(), stream.close()])
    const expected = order.map((l) => `${l}\n`).join('')
    expect(order).toHaveLength(6000)
    expect(read(path)).toBe(expected)
    expect(slowText).toBe(expected)
    expect(file.dropped + stream.dropped).toBe(0)
    expect(maxInFlight).toBe(1)
  })

  it('process exit writes what is queued: process.exit() and a loop that ran dry (the batch timer is unref\'d)', () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))
    for (const ending of ['process.exit(0)', '']) {
      const path = tempFile()
      const script = join(path, '..', 'child.mjs')
      // A REST-less request-end event with a format of constants and one variable: enough for the access log.
      writeFileSync(
        script,
        `import { requestEndChannel } from ${JSON.stringify(fileURLToPath(new URL('../../core/dist/index.js', import.meta.url)))}
import { createMetrics } from ${JSON.stringify(dist)}
createMetrics({ prometheus: false, executionLog: false, accessLog: { destination: { path: ${JSON.stringify(path)} }, format: 'line $context.status', flushDelayMs: 60000 } })
setTimeout(() => {
  for (let i = 0; i < 3; i++) requestEndChannel.publish({ ctx: { flavour: 'HTTP', status: 200 + i, state: {}, headers: {} }, apiName: 'a', latencyMs: 1, requestBytes: 0, responseBytes: 0 })
  ${ending}
}, 50)
`
      )
      execFileSync(process.execPath, [script], { stdio: 'pipe', timeout: 10_000 })
      expect([ending, read(path)]).toEqual([ending, 'line 200\nline 201\nline 202\n'])
    }
  })
})
