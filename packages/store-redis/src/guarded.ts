import { StoreUnavailable } from './errors.js'
import type { RedisConnection } from './redis-connection.js'

/**
 * Runs one command of a cache-like store under `onStoreError`: on failure
 * `failClosed` rejects with GW_STORE_UNAVAILABLE, the other modes answer
 * `fallback` (a miss, a dropped write). Every failure is counted; the
 * first of an outage is logged. Plain promise handlers, not an `async`
 * function: a cache hit pays for one promise here, not three.
 */
export function guarded<T, F>(conn: RedisConnection, op: () => Promise<T>, fallback: F): Promise<T | F> {
  let pending: Promise<T>
  try {
    if (!conn.ready) throw new Error('connection not ready')
    pending = op()
  } catch (err) {
    return settle(() => failure(conn, err, fallback))
  }
  conn.inflight++
  return pending.then(
    (value) => {
      conn.settled()
      conn.succeeded()
      return value
    },
    (err: unknown) => {
      conn.settled()
      return failure(conn, err, fallback)
    }
  )
}

/** `decide()` as a promise: its value resolves it, what it throws rejects it. */
function settle<F>(decide: () => F): Promise<F> {
  return new Promise((resolve) => resolve(decide()))
}

function failure<F>(conn: RedisConnection, err: unknown, fallback: F): F {
  conn.failed(err)
  if (conn.mode === 'failClosed') throw StoreUnavailable(undefined, { cause: err })
  return fallback
}
