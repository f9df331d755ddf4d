import { connect, type Socket } from 'node:net'

/** A response read off a raw socket. */
export interface RawResponse {
  readonly status: number
  /** Lower-case names; repeated headers as arrays. */
  readonly headers: Record<string, string | string[]>
  /** Header names exactly as sent on the wire. */
  readonly wireNames: readonly string[]
  readonly body: Buffer
  readonly chunked: boolean
}

function parse(raw: Buffer): RawResponse {
  const end = raw.indexOf('\r\n\r\n')
  if (end === -1) throw new Error(`no complete response head in ${JSON.stringify(raw.subarray(0, 200).toString('latin1'))}`)
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number((lines[0] ?? '').split(' ')[1])
  const headers: Record<string, string | string[]> = {}
  const wireNames: string[] = []
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon)
    const value = line.slice(colon + 1).trim()
    wireNames.push(name)
    const key = name.toLowerCase()
    const prev = headers[key]
    headers[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value]
  }
  let body = raw.subarray(end + 4)
  const chunked = headers['transfer-encoding'] === 'chunked'
  if (chunked) {
    const parts: Buffer[] = []
    let at = 0
    for (;;) {
      const lineEnd = body.indexOf('\r\n', at)
      if (lineEnd === -1) break
      const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16)
      if (!(size > 0)) break
      parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size))
      at = lineEnd + 2 + size + 2
    }
    body = Buffer.concat(parts)
  }
  return { status, headers, wireNames, body: Buffer.from(body), chunked }
}

/**
 * Sends a request head (`lines`, latin1) and body on a fresh socket and reads until the server closes it (send
 * `Connection: close`). Fails after `timeoutMs` instead of hanging.
 */
export function rawRequest(url: string, lines: readonly string[], body?: Buffer | string, timeoutMs = 15_000): Promise<RawResponse> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(port), hostname)
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no response within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', (err) => {
      // A reset after the full response arrived is fine (server closed while we were still sending).
      if (Buffer.concat(chunks).includes('\r\n\r\n')) return
      clearTimeout(timer)
      reject(err)
    })
    socket.on('close', () => {
      clearTimeout(timer)
      try {
        resolve(parse(Buffer.concat(chunks)))
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)))
      }
    })
    socket.write(Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'))
    if (body !== undefined) socket.write(body)
  })
}

/** A chunked encoding of `body` in pieces of `size` bytes. */
export function chunked(body: Buffer, size = 64 * 1024): Buffer {
  const parts: Buffer[] = []
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size)
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from('0\r\n\r\n'))
  return Buffer.concat(parts)
}
