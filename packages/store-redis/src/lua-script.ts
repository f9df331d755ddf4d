import { createHash } from 'node:crypto'
import type { RedisClient } from './options.js'

/**
 * One Lua script run with EVALSHA (one round trip); when the server does
 * not know it (restart, failover, SCRIPT FLUSH) it falls back to EVAL once,
 * which also loads it for the next calls.
 */
export class LuaScript {
  readonly sha: string
  readonly source: string

  constructor(source: string) {
    this.source = source
    this.sha = createHash('sha1').update(source).digest('hex')
  }

  /** Runs the script; a binary reply arrives as a Buffer (`evalshaBuffer`), for values that are bytes, not text. */
  runBuffer(client: RedisClient, keyCount: number, args: (string | number | Buffer)[]): Promise<unknown> {
    return client.callBuffer('evalsha', this.sha, keyCount, ...args).catch((err: unknown) => {
      if (isNoScript(err)) return client.callBuffer('eval', this.source, keyCount, ...args)
      throw err
    })
  }

  run(client: RedisClient, keyCount: number, args: (string | number)[]): Promise<unknown> {
    return client.evalsha(this.sha, keyCount, ...args).catch((err: unknown) => {
      if (isNoScript(err)) return client.eval(this.source, keyCount, ...args)
      throw err
    })
  }
}

/** Whether a failed EVALSHA only lacked the script (then EVAL it once). */
export function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT')
}
