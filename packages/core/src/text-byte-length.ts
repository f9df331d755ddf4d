import { Buffer } from 'node:buffer'

/** Longest text remembered (one entry, so a large body is not kept alive after its response). */
const MAX_REMEMBERED = 64 * 1024

let lastText: string | undefined
let lastBytes = 0

/**
 * `Buffer.byteLength(text)` (UTF-8), remembered for the last text measured (found by `===`). The gateway's
 * request-end event (`responseLength`, `DataProcessed`, §13.1/§13.3) and the node response writer's
 * `content-length` both measure the same body string of an observed request: the second one is a comparison,
 * not a second call into C++ (issue #18). A body shared by many responses (a MOCK or cached answer) is measured once.
 * `Buffer` is imported, not read from the global: Node defines the global one as a getter, called per access.
 */
export function textByteLength(text: string): number {
  if (text === lastText) return lastBytes
  const bytes = Buffer.byteLength(text)
  if (text.length <= MAX_REMEMBERED) {
    lastText = text
    lastBytes = bytes
  }
  return bytes
}
