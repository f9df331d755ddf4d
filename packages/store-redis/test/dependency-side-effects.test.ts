/*
 * ioredis 6.0 defines `class VerbatimString extends String` at load time; in V8
 * (Node 20) that turns `String.prototype` into a dictionary-mode object for
 * the rest of the process, and every string method call (charCodeAt, slice,
 * indexOf…) gets 3-5x slower: routing, mapping templates and header handling
 * of a whole gateway, not only Redis. This package stays on ioredis 5 until
 * that is fixed; this test fails if a bump brings the side effect back.
 */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const here = fileURLToPath(new URL('..', import.meta.url))

describe('loading the Redis client', () => {
  it('keeps String.prototype in V8 fast mode (string methods stay inlined in the whole process)', () => {
    const probe = `
      const before = %HasFastProperties(String.prototype)
      const { Redis } = await import('ioredis')
      const client = new Redis({ lazyConnect: true })
      client.disconnect()
      console.log(JSON.stringify({ before, after: %HasFastProperties(String.prototype) }))`
    // run from this package so `ioredis` resolves to the version it depends on
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', probe], { cwd: here, encoding: 'utf8' })
    expect(JSON.parse(out)).toEqual({ before: true, after: true })
  })
})
