import cluster, { type Worker } from 'node:cluster'
import { jsonLogger } from '@gw/core'
import { CliConfigInvalid, CliUsage } from './errors.js'
import { loadConfig } from './load-config.js'
import { serve, type ServeOptions } from './serve.js'

/** Options of {@link serveWorkers}: those of `serve()` plus the number of worker processes. */
export interface WorkersOptions extends ServeOptions {
  /** Worker processes sharing the listening port (node:cluster). More than 1 needs `store: redis://…`. */
  workers: number
}

/** What {@link serveWorkers} returns, in the primary and in each worker. */
export interface ServedWorkers {
  /** The shared port. */
  readonly port: number
  /** Every served stage with its API name and URL. */
  readonly endpoints: { api: string; stage: string; url: string }[]
  /** `true` in the primary (which serves nothing itself), `false` in a worker. */
  readonly primary: boolean
  /** Primary: SIGTERM to every worker (each drains its in-flight requests), resolves once all exited. Worker: `serve().close()`, then lets go of the primary. */
  close(): Promise<void>
}

interface ListeningMessage {
  gw: 'listening'
  port: number
  endpoints: { api: string; stage: string; url: string }[]
}

const isListening = (m: unknown): m is ListeningMessage => typeof m === 'object' && m !== null && (m as { gw?: unknown }).gw === 'listening'

/**
 * `gw serve --workers N`: N processes (node:cluster) share one listening port; the primary only forks, restarts a
 * worker that dies, and forwards SIGTERM. Throttle and quota state must then live in Redis (`store: redis://…` or
 * `redis+cluster://…`), so N workers count one budget; with `store: memory` more than one worker is refused.
 *
 * node:cluster re-runs the program that called this function in every worker (`process.argv`); there the same call
 * serves (`serve(options)`) and reports to the primary. So call it from your entry point with the same options.
 * @throws GwError GW_CLI_USAGE for a worker count outside 1-256; GW_CLI_CONFIG_INVALID for `store: memory` with more than 1
 * @example
 * const gw = await serveWorkers({ config: 'gw.config.yaml', workers: 2 })   // in the primary: both workers listening
 */
export async function serveWorkers(options: WorkersOptions): Promise<ServedWorkers> {
  const { workers, ...serveOptions } = options
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw CliUsage(`--workers must be 1-256, got '${String(workers)}'`)
  if (cluster.isWorker) {
    const gw = await serve(serveOptions)
    const message: ListeningMessage = { gw: 'listening', port: gw.port, endpoints: gw.endpoints }
    process.send?.(message)
    const close = async (): Promise<void> => {
      await gw.close()
      // The IPC channel to the primary keeps a worker alive: let go of it so the process can exit.
      cluster.worker?.disconnect()
    }
    return { port: gw.port, endpoints: gw.endpoints, primary: false, close }
  }
  const env = options.env ?? process.env
  const store = options.quick === undefined ? loadConfig(options.config ?? 'gw.config.yaml', env).config.store : 'memory'
  if (workers > 1 && store === 'memory') {
    throw CliConfigInvalid(`--workers ${String(workers)} needs store: redis://… (or redis+cluster://…): with store: memory each worker would count throttles and quotas on its own`)
  }
  const logger = options.logger ?? jsonLogger
  let closing = false
  let first: ListeningMessage | undefined
  // (all workers start at once; the first to report gives the port and URLs)
  const live = new Set<Worker>()

  const fork = (): Promise<ListeningMessage> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork()
      live.add(worker)
      let listening = false
      worker.on('message', (m: unknown) => {
        if (!isListening(m)) return
        listening = true
        resolve(m)
      })
      worker.once('exit', (code, signal) => {
        live.delete(worker)
        if (!listening) return reject(new Error(`gw worker ${String(worker.process.pid)} exited (${String(signal ?? code)}) before listening`))
        if (closing) return
        // A worker that dies is replaced after a pause (not in a tight loop if it keeps dying).
        logger.warn({ event: 'gw.worker_exit', pid: worker.process.pid, code, signal, message: 'restarting it in 1 s' })
        setTimeout(() => {
          if (!closing) fork().catch((err: unknown) => logger.error({ event: 'gw.worker_restart_failed', error: (err as Error).message }))
        }, 1000).unref()
      })
    })

  const stopAll = (): Promise<void> =>
    Promise.all(
      [...live].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve()
            worker.once('exit', () => resolve())
            worker.process.kill('SIGTERM')
          })
      )
    ).then(() => undefined)

  try {
    first = (await Promise.all(Array.from({ length: workers }, fork)))[0]
  } catch (err) {
    closing = true
    await stopAll()
    throw err
  }
  const listening = first as ListeningMessage
  let closed: Promise<void> | undefined
  return {
    port: listening.port,
    endpoints: listening.endpoints,
    primary: true,
    close: () => {
      closing = true
      return (closed ??= stopAll())
    }
  }
}
