import { Readable } from 'node:stream'
import type { ResponseBody } from '@gw/core'

/** The response body as bytes when it fits `limit`, else `undefined` (and the body left servable). */
export type Captured = { readonly bytes: Buffer } | { readonly bytes: undefined; readonly body: ResponseBody }

/**
 * Reads a response body for the cache (§7: at most 1,048,576 bytes are
 * stored). Strings and byte arrays are taken as they are; a Node stream is
 * read up to `limit` (skipped at once when its `content-length` says it is
 * bigger): past the limit, or when the stream fails, the chunks already read
 * are replayed in front of the rest, so the client still gets the whole
 * response or the same failure. Web streams are not cached.
 */
export async function captureBody(body: ResponseBody, limit: number, contentLength: string | string[] | undefined): Promise<Captured> {
  if (body === null) return { bytes: Buffer.alloc(0) }
  if (typeof body === 'string') {
    const bytes = Buffer.from(body, 'utf8')
    return bytes.length > limit ? { bytes: undefined, body } : { bytes }
  }
  if (body instanceof Uint8Array) return body.byteLength > limit ? { bytes: undefined, body } : { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength) }
  if (!(body instanceof Readable)) return { bytes: undefined, body }
  if (typeof contentLength === 'string' && Number(contentLength) > limit) return { bytes: undefined, body }
  const chunks: Buffer[] = []
  let size = 0
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>
  try {
    for (;;) {
      const r = await it.next()
      if (r.done === true) return { bytes: Buffer.concat(chunks, size) }
      const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value
      chunks.push(chunk)
      size += chunk.length
      if (size > limit) return { bytes: undefined, body: Readable.from(replay(chunks, it, undefined)) }
    }
  } catch (err) {
    return { bytes: undefined, body: Readable.from(replay(chunks, undefined, err instanceof Error ? err : new Error(String(err)))) }
  }
}

async function* replay(head: Buffer[], rest: AsyncIterator<Buffer | string> | undefined, error: Error | undefined): AsyncGenerator<Buffer | string> {
  yield* head
  if (error !== undefined) throw error
  if (rest === undefined) return
  for (;;) {
    const r = await rest.next()
    if (r.done === true) return
    yield r.value
  }
}
