// Preloaded into `gw serve` by `pnpm soak` (node --expose-gc --require): answers the soak's 'memory' message over the
// IPC channel with process.memoryUsage() taken right after a full GC, so the heap curve shows what is retained (a leak)
// rather than where the collector happened to be. The channel is unref'd: gw serve still exits by itself on SIGTERM.
'use strict'
if (typeof process.send === 'function') {
  process.on('message', (message) => {
    if (message !== 'memory') return
    if (typeof globalThis.gc === 'function') globalThis.gc()
    process.send({ memory: process.memoryUsage() })
  })
  if (process.channel) process.channel.unref()
}
