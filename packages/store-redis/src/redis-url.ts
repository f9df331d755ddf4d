import { Cluster, Redis } from 'ioredis'
import type { RedisClient } from './options.js'

/** `redis://…` / `rediss://…` (one server) or `redis+cluster://h1:p1,h2:p2` / `rediss+cluster://…` (Cluster seed nodes). */
export const REDIS_URL_PATTERN = /^rediss?(\+cluster)?:\/\//

// Shared by both kinds of client: no offline queue and no per-command retries, so an outage fails fast and the
// store's onStoreError decides; reconnects back off to 1 s.
const retryStrategy = (times: number): number => Math.min(50 * times, 1000)

/**
 * The client a store creates for `url`. A `+cluster` URL lists seed nodes (`host:port`, comma-separated; user and
 * password apply to every node; `rediss+cluster` uses TLS): ioredis discovers the rest of the Cluster from them.
 * Every script of the stores touches keys of one hash tag, so each runs on one node, unchanged.
 */
export function createRedisClient(url: string): RedisClient {
  const cluster = /^(rediss?)\+cluster:\/\/(.*)$/.exec(url)
  if (cluster === null) return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy })
  const tls = cluster[1] === 'rediss'
  const rest = cluster[2] ?? ''
  const at = rest.lastIndexOf('@')
  const auth = at === -1 ? '' : rest.slice(0, at)
  const hosts = (at === -1 ? rest : rest.slice(at + 1)).replace(/\/.*$/, '')
  const colon = auth.indexOf(':')
  const username = colon === -1 ? '' : decodeURIComponent(auth.slice(0, colon))
  const password = decodeURIComponent(colon === -1 ? auth : auth.slice(colon + 1))
  const nodes = hosts
    .split(',')
    .filter((h) => h !== '')
    .map((h) => {
      const i = h.lastIndexOf(':')
      return i === -1 ? { host: h, port: 6379 } : { host: h.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(h.slice(i + 1)) }
    })
  return new Cluster(nodes, {
    enableOfflineQueue: false,
    clusterRetryStrategy: retryStrategy,
    redisOptions: {
      maxRetriesPerRequest: 0,
      ...(username === '' ? {} : { username }),
      ...(password === '' ? {} : { password }),
      ...(tls ? { tls: {} } : {})
    }
  })
}
