import { StoreUnavailable } from './errors.js'
import type { RedisConnection } from './redis-connection.js'

/**
 * Runs one command of a cache-like store under `onStoreError`: on failure
 * `failClosed` throws GW_STORE_UNAVAILABLE, the other modes answer
 * `fallback` (a miss, a dropped write). Every failure is counted; the
 * first of an outage is logged.
 */
export async function guarded<T, F>(conn: RedisConnection, op: () => Promise<T>, fallback: F): Promise<T | F> {
  if (!conn.ready) return failure(conn, new Error('connection not ready'), fallback)
  conn.inflight++
  try {
    const value = await op()
    conn.settled()
    conn.succeeded()
    return value
  } catch (err) {
    conn.settled()
    return failure(conn, err, fallback)
  }
}

function failure<F>(conn: RedisConnection, err: unknown, fallback: F): F {
  conn.failed(err)
  if (conn.mode === 'failClosed') throw StoreUnavailable(undefined, { cause: err })
  return fallback
}
