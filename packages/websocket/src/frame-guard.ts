/**
 * Watches the client's raw bytes for frame headers and calls `onOversize` once
 * when a frame's payload is longer than `maxFrameBytes` (§14.4: 32 KB per
 * frame, close 1009). `ws` only bounds whole messages (`maxPayload`), so this
 * reads each header (2-14 bytes) and skips payloads by counting: no copy, no
 * unmasking, a few operations per chunk.
 * @example
 * socket.prependListener('data', frameGuard(32 * 1024, () => ws.close(1009, 'Frame too big')))
 */
export function frameGuard(maxFrameBytes: number, onOversize: () => void): (chunk: Buffer) => void {
  const head = Buffer.alloc(14)
  let have = 0
  let skip = 0
  let stopped = false
  return function guard(chunk) {
    if (stopped) return
    let off = 0
    const end = chunk.length
    while (off < end) {
      if (skip > 0) {
        const n = Math.min(skip, end - off)
        skip -= n
        off += n
        continue
      }
      head[have++] = chunk[off++] as number
      if (have < 2) continue
      const len7 = (head[1] as number) & 0x7f
      const need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + ((head[1] as number) & 0x80 ? 4 : 0)
      if (have < need) continue
      const length = len7 === 126 ? head.readUInt16BE(2) : len7 === 127 ? head.readUInt32BE(2) * 2 ** 32 + head.readUInt32BE(6) : len7
      have = 0
      if (length > maxFrameBytes) {
        stopped = true
        onOversize()
        return
      }
      skip = length
    }
  }
}
