import { readFileSync, statSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { applyServerLimits, gatewayClientErrorHandler, jsonLogger, safeParseHostile, type Logger } from '@gw/core'
import { RedisCacheStore, RedisConnectionStore, RedisQuotaStore, RedisRateLimitStore } from '@gw/store-redis'
import { createGateway, type Gateway } from '@gw/gateway'
import { attachWebSocketApis } from '@gw/websocket'
import { createDomainServer } from '@gw/domains'
import type { ConnectionStore } from '@gw/core'
import { gwConfigSchema, type GwConfigInput } from './config-schema.js'
import { CliConfigInvalid } from './errors.js'
import { lambdaHandlerRef, loadConfig, resolveConfig, type LoadedConfig } from './load-config.js'
import { lambdaWithEnvironment, withLambdaEnvironment } from './runtime/lambda-environment.js'
import { mountManagementApi } from './management-api.js'
import { adminConsole } from './management/admin-console.js'
import { GatewayApp } from './runtime/gateway-app.js'
import { startMetrics, type ServedMetrics } from './runtime/metrics-setup.js'
import type { LambdaHandler } from '@gw/integrations'
import { UsageState } from './runtime/usage-state.js'

/** Quick mode: serve one OpenAPI file without a config (`gw serve --openapi api.yaml --lambda a=./a.mjs#handler`). */
export interface QuickServeOptions {
  openapi: string
  /** `name` → `./module.mjs#export`. */
  lambdas?: Record<string, string>
  /** Stage name. @default 'dev' */
  stage?: string
  stageVariables?: Record<string, string>
}

/** Options of {@link serve}. */
export interface ServeOptions {
  /** Path of `gw.config.yaml`; or use `quick` or `load`. */
  config?: string
  quick?: QuickServeOptions
  /** Loads the config some other way (a translated SAM template: `loadConfigObject()`); called again on reload. */
  load?: (env: NodeJS.ProcessEnv) => LoadedConfig
  /** Overrides `server.port` (0 = any free port). */
  port?: number
  /** Overrides `server.host`. */
  host?: string
  /** Stage variables that override the config's, per stage name (e.g. an upstream port known only at start). */
  stageVariables?: Record<string, Record<string, string>>
  /** Reload config and OpenAPI files on change, keeping throttle, quota and key state. @default false */
  watch?: boolean
  /** Environment for `valueFromEnv` / `tokenFromEnv`. @default process.env */
  env?: NodeJS.ProcessEnv
  /** Structured log lines. @default jsonLogger */
  logger?: Logger
  /** Called after each successful `--watch` reload, or with the error when a reload is refused. */
  onReload?: (error?: Error) => void
}

/** A running gateway. */
export interface GatewayServer {
  /** `http://host:port/{stage}` of every API stage served. */
  readonly urls: string[]
  /** Every served stage with its API name and URL. */
  readonly endpoints: { api: string; stage: string; url: string }[]
  /** The same stages at `{apiId}.{executeApiDomain}` (§1.1), and each custom domain mapping (`https://{domain}:{port}/{basePath}`). */
  readonly hostEndpoints: { api: string; stage: string; url: string }[]
  readonly port: number
  readonly server: Server
  /** The runtime currently serving (replaced on reload). */
  readonly runtime: GatewayApp
  /** Each VPC endpoint with a listener of its own: id → `http://host:port` (§10.9). */
  readonly vpcEndpointUrls: Record<string, string>
  /** The Prometheus endpoint when `metrics.prometheus` has a port of its own (`http://127.0.0.1:9464/metrics`). */
  readonly metricsUrl: string | undefined
  /** Re-reads the config and OpenAPI files; state (keys, quotas, throttles) is kept. */
  reload(): Promise<void>
  /** Stops accepting, waits for in-flight requests up to `drainTimeoutMs`, flushes usage stores, closes. */
  close(): Promise<void>
}

/** A file's modification time, size and inode (a rename-replace changes the inode), or `missing`. */
function stampOf(file: string): string {
  try {
    const s = statSync(file)
    return `${String(s.mtimeMs)}:${String(s.size)}:${String(s.ino)}`
  } catch {
    return 'missing'
  }
}

function stampsOf(files: readonly string[]): Map<string, string> {
  return new Map(files.map((f) => [f, stampOf(f)]))
}

/** How long `serve()` waits for a configured Redis before it starts answering anyway. */
const REDIS_START_WAIT_MS = 5000

/**
 * Starts the gateway described by a config (or quick-mode flags) on node:http / node:https.
 * @throws GwError GW_CLI_CONFIG_INVALID, GW_OPENAPI_INVALID, GW_OPENAPI_REF (exit code 2 in the CLI)
 * @example
 * const gw = await serve({ config: 'gw.config.yaml', port: 0 })
 * console.log(gw.urls)
 */
export async function serve(options: ServeOptions): Promise<GatewayServer> {
  const env = options.env ?? process.env
  const logger = options.logger ?? jsonLogger
  const load = (): LoadedConfig => {
    const loaded = options.load !== undefined ? options.load(env) : options.quick !== undefined ? quickConfig(options.quick, env) : loadConfig(options.config ?? 'gw.config.yaml', env)
    for (const api of loaded.config.apis) {
      for (const [stage, settings] of Object.entries(api.stages)) Object.assign(settings.variables, options.stageVariables?.[stage])
    }
    return loaded
  }
  let loaded = load()
  // What each loaded file looked like right after it was read (the --watch poller compares with these).
  let stamps = stampsOf(loaded.files)
  const { config } = loaded
  let state: UsageState
  if (config.store === 'memory') state = new UsageState()
  else {
    const quotas = new RedisQuotaStore({ url: config.store, prefix: config.storePrefix, logger, onStoreError: config.onStoreError.quota })
    const rates = new RedisRateLimitStore({ url: config.store, prefix: config.storePrefix, logger, onStoreError: config.onStoreError.throttle })
    // §7 on Redis: entries shared by every instance; while Redis is down the cache follows onStoreError.cache (failOpen: a miss, never an error).
    const cache = new RedisCacheStore({ url: config.store, prefix: config.storePrefix, logger, onStoreError: config.onStoreError.cache })
    state = new UsageState(quotas, rates, cache)
    // Serve only once Redis answers: a request decided before the connection is up would follow onStoreError
    // (in-memory by default), and two instances would then count a shared quota apart. A Redis that is down at
    // start is an outage like any other: after the wait, onStoreError decides and the store reconnects by itself.
    try {
      await Promise.all([quotas.ready(REDIS_START_WAIT_MS), rates.ready(REDIS_START_WAIT_MS), cache.ready(REDIS_START_WAIT_MS)])
    } catch (err) {
      logger.warn({ event: 'gw.store_not_ready', store: 'redis', waitedMs: REDIS_START_WAIT_MS, error: err instanceof Error ? err.message : String(err) })
    }
  }
  let generation = 0
  // §13: metrics, access logs and spans from the config's `metrics` section (kept across --watch reloads).
  const metrics = await startMetrics(config, loaded.file, loaded.dir, logger)
  let runtime: GatewayApp
  try {
    runtime = await buildRuntime(loaded, state, env, logger, generation, metrics)
  } catch (err) {
    await metrics?.metrics.close()
    throw err
  }
  // WebSocket APIs (§14) are built once per start: a --watch reload keeps their live connections (and their routes).
  const connectionStore = config.websocketApis.length === 0 || config.store === 'memory' ? undefined : new RedisConnectionStore({ url: config.store, prefix: config.storePrefix, logger, onStoreError: config.onStoreError.connections })
  if (connectionStore !== undefined) {
    try {
      await connectionStore.ready(REDIS_START_WAIT_MS)
    } catch (err) {
      logger.warn({ event: 'gw.store_not_ready', store: 'redis', waitedMs: REDIS_START_WAIT_MS, error: err instanceof Error ? err.message : String(err) })
    }
  }
  const websockets = buildWebSockets(loaded, state, () => runtime, logger, connectionStore, options.stageVariables)
  const mounted = websockets.map((g) => {
    const api = g.websocket[0] as Gateway['websocket'][number]
    return { api, prefix: websockets.length === 1 ? '' : `/${api.apiId}` }
  })
  let intercept: (req: IncomingMessage, res: ServerResponse) => boolean = () => false

  // One listener function for every response (no closure per request): counts what close() waits for.
  const responseClosed = (): void => {
    inFlight--
    if (inFlight === 0) for (const wake of drained.splice(0)) wake()
  }
  const httpListener = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight++
    res.on('close', responseClosed)
    runtime.listener(req, res)
  }
  // Without WebSocket APIs the HTTP path is exactly what it was: no @connections check per request.
  const listener =
    websockets.length === 0
      ? httpListener
      : (req: IncomingMessage, res: ServerResponse): void => {
          if (!intercept(req, res)) httpListener(req, res)
        }
  let inFlight = 0
  const drained: (() => void)[] = []
  const tls = config.server.tls
  const defaultCertificate = tls === undefined ? undefined : { cert: readFileSync(resolve(loaded.dir, tls.cert)), key: readFileSync(resolve(loaded.dir, tls.key)) }
  // Custom domains (§1.1): one TLS listener, certificate by SNI, mutual TLS per domain (@gw/domains).
  const server =
    loaded.domains.length !== 0
      ? createDomainServer({ domains: loaded.domains.map((d) => ({ domainName: d.domainName, cert: d.cert, key: d.key, ...(d.truststore === undefined ? {} : { truststore: d.truststore }) })), ...(defaultCertificate === undefined ? {} : { defaultCertificate }), serverOptions: { connectionsCheckingInterval: 1000 } }, listener)
      : defaultCertificate === undefined
        ? createHttpServer({ connectionsCheckingInterval: 1000 }, listener)
        : createHttpsServer({ ...defaultCertificate, connectionsCheckingInterval: 1000 }, listener)
  // Slowloris, slow bodies, slow readers and connection floods are cut (issue #15); parser refusals get gateway bodies.
  applyServerLimits(server, config.server.limits)
  server.on('clientError', gatewayClientErrorHandler('REST'))
  intercept = attachWebSocketApis(server, mounted)
  const host = options.host ?? config.server.host
  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(options.port ?? config.server.port, host, () => ok())
  })
  const port = (server.address() as AddressInfo).port
  const secure = tls !== undefined || loaded.domains.length !== 0
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  const origin = `${secure ? 'https' : 'http'}://${shownHost}:${String(port)}`
  const wsOrigin = `${secure ? 'wss' : 'ws'}://${shownHost}:${String(port)}`
  // §10.9: each VPC endpoint with a listener of its own; requests to it came through that endpoint
  const vpceServers: Server[] = []
  const vpcEndpointUrls: Record<string, string> = {}
  for (const v of config.vpcEndpoints) {
    if (v.listen === undefined) continue
    const vpceServer = createHttpServer({ connectionsCheckingInterval: 1000 }, (req, res) => runtime.vpcEndpointListener(v.id)(req, res))
    applyServerLimits(vpceServer, config.server.limits)
    vpceServer.on('clientError', gatewayClientErrorHandler('REST'))
    await new Promise<void>((ok, fail) => {
      vpceServer.once('error', fail)
      vpceServer.listen(v.listen?.port, v.listen?.host, () => ok())
    })
    vpceServers.push(vpceServer)
    vpcEndpointUrls[v.id] = `http://${v.listen.host}:${String((vpceServer.address() as AddressInfo).port)}`
  }
  await Promise.all(mounted.map((m) => m.api.ready()))
  const wsEndpoints = mounted.flatMap((m) => m.api.stageNames.map((stage) => ({ api: m.api.name, stage, url: `${wsOrigin}${m.prefix}/${stage}` })))

  const reload = async (): Promise<void> => {
    const next = load()
    const nextStamps = stampsOf(next.files)
    generation++
    const nextRuntime = await buildRuntime(next, state, env, logger, generation, metrics)
    const previous = runtime
    loaded = next
    stamps = nextStamps
    runtime = nextRuntime
    // Release the replaced gateways' upstream pools (undici closes them after their in-flight requests).
    void Promise.allSettled(previous.apis.map((a) => a.gateway.close()))
  }

  let pending: NodeJS.Timeout | undefined
  const onChange = (): void => {
    clearTimeout(pending)
    pending = setTimeout(() => {
      reload().then(
        () => options.onReload?.(),
        (err: unknown) => {
          logger.error({ event: 'gw.reload_refused', message: 'reload refused; still serving the previous config', error: (err as Error).message })
          options.onReload?.(err as Error)
        }
      )
    }, 50)
  }
  // Polls the loaded files against their stamps every 150 ms. Polling survives editors that replace files by rename
  // (fs.watch loses those), and comparing with stamps taken when the files were read (not with fs.watchFile's own
  // first stat, taken later and asynchronously) cannot miss an edit made right after serve() returned.
  const watcher =
    options.watch === true
      ? setInterval(() => {
          for (const [file, stamp] of stamps) {
            if (stampOf(file) === stamp) continue
            // each edit triggers one reload: a refused one is not retried until the files change again
            stamps = stampsOf([...stamps.keys()])
            onChange()
            return
          }
        }, 150).unref()
      : undefined

  let closing: Promise<void> | undefined
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(watcher)
      clearTimeout(pending)
      // WebSocket clients get 1001 and $disconnect runs; their sockets left the HTTP server at the upgrade.
      await Promise.allSettled(websockets.map((g) => g.close()))
      await connectionStore?.close()
      const stopped = new Promise<void>((ok) => server.close(() => ok()))
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((ok) => drained.push(ok)), new Promise<void>((ok) => setTimeout(ok, loaded.config.server.drainTimeoutMs).unref())])
      }
      server.closeAllConnections()
      await stopped
      await Promise.all(vpceServers.map((s) => new Promise<void>((ok) => { s.closeAllConnections(); s.close(() => ok()) })))
      await Promise.allSettled(runtime.apis.map((a) => a.gateway.close()))
      await state.quotas.close?.()
      await state.rateLimits.close?.()
      await metrics?.metrics.close()
      await state.cache?.close?.()
    })())

  return {
    get urls() {
      return [...runtime.stageUrls().map((u) => `${origin}${u.path}`), ...wsEndpoints.map((e) => e.url)]
    },
    get endpoints() {
      return [...runtime.stageUrls().map((u) => ({ api: u.api, stage: u.stage, url: `${origin}${u.path}` })), ...wsEndpoints]
    },
    get hostEndpoints() {
      return runtime.hostUrls(secure ? 'https' : 'http', port)
    },
    port,
    server,
    get runtime() {
      return runtime
    },
    metricsUrl: metrics?.url,
    vpcEndpointUrls,
    reload,
    close
  }
}

/**
 * Builds everything `serve` would (Lambda modules, usage plans, one gateway per API) without listening, so
 * `gw validate` refuses exactly what `gw serve` would refuse.
 * @throws GwError GW_CLI_CONFIG_INVALID and the gateway's construction errors
 */
export async function checkServable(loaded: LoadedConfig, env: NodeJS.ProcessEnv): Promise<void> {
  await startMetrics(loaded.config, loaded.file, loaded.dir, jsonLogger, false)
  const app = await buildRuntime(loaded, new UsageState(), env, jsonLogger, 0)
  await Promise.all(app.apis.map((a) => a.gateway.close()))
  const websockets = buildWebSockets(loaded, app.state, () => app, jsonLogger, undefined, undefined)
  await Promise.all(websockets.map((g) => g.close()))
}

/**
 * One `createGateway()` per `websocketApis` entry (§14), sharing the config's Lambdas (looked up in the current
 * runtime, so a --watch reload serves edited handlers), usage plans, throttle store, `iam` and connection store.
 * @throws GwError GW_CLI_CONFIG_INVALID naming the entry
 */
function buildWebSockets(
  loaded: LoadedConfig,
  state: UsageState,
  current: () => GatewayApp,
  logger: Logger,
  connectionStore: ConnectionStore | undefined,
  overrides: Record<string, Record<string, string>> | undefined
): Gateway[] {
  const ws = loaded.config.websocket
  const built: Gateway[] = []
  loaded.config.websocketApis.forEach((def, index) => {
    const stages = Object.fromEntries(Object.entries(def.stages).map(([name, stage]) => [name, { ...stage, stageVariables: { ...stage.stageVariables, ...overrides?.[name] } }]))
    try {
      built.push(
        createGateway(
          { ...def, stages },
          {
            logger,
            usagePlans: state.plans,
            rateLimitStore: state.rateLimits,
            integrations: { lambda: (fn: string) => current().lambda(fn) },
            ...(loaded.iam === undefined ? {} : { iam: loaded.iam }),
            websocket: {
              leaseMs: ws.leaseMs,
              limits: Object.fromEntries(Object.entries(ws.limits).filter(([, v]) => v !== undefined)),
              unsignedConnectionsApi: ws.unsignedConnectionsApi,
              ...(ws.instanceId === undefined ? {} : { instanceId: ws.instanceId }),
              ...(connectionStore === undefined ? {} : { connectionStore })
            }
          }
        )
      )
    } catch (err) {
      void Promise.allSettled(built.map((g) => g.close()))
      throw CliConfigInvalid(`${loaded.file}: websocketApis[${String(index)}] (${def.name}): ${(err as Error).message}`, { cause: err })
    }
  })
  return built
}

async function buildRuntime(loaded: LoadedConfig, state: UsageState, env: NodeJS.ProcessEnv, logger: Logger, generation: number, metrics?: ServedMetrics): Promise<GatewayApp> {
  const lambdas = new Map<string, LambdaHandler>()
  for (const [name, entry] of Object.entries(loaded.config.lambdas)) {
    const ref = lambdaHandlerRef(entry)
    const environment = typeof entry === 'string' ? undefined : entry.environment
    const hash = ref.lastIndexOf('#')
    const file = resolve(loaded.dir, ref.slice(0, hash))
    const exportName = ref.slice(hash + 1)
    let module: Record<string, unknown>
    try {
      // A query string makes `--watch` reloads pick up an edited handler module.
      const url = `${pathToFileURL(file).href}${generation === 0 ? '' : `?v=${String(generation)}`}`
      // Top-level code of the module sees the function's own variables too (a Lambda reads them at init).
      module = (await (environment === undefined ? import(url) : withLambdaEnvironment(environment, () => import(url)))) as Record<string, unknown>
    } catch (err) {
      throw CliConfigInvalid(`${loaded.file}: lambdas.${name}: cannot load ${file}: ${(err as Error).message}`, { cause: err })
    }
    const handler = module[exportName]
    if (typeof handler !== 'function') throw CliConfigInvalid(`${loaded.file}: lambdas.${name}: ${file} has no exported function '${exportName}'`)
    lambdas.set(name, environment === undefined ? (handler as LambdaHandler) : lambdaWithEnvironment(handler as LambdaHandler, environment))
  }
  // usage plans name APIs by their config name; stages are keyed by apiId (§9.1)
  state.sync(loaded.config, loaded.env ?? env, loaded.file, new Map(loaded.apis.map((a) => [a.name, a.apiId])))
  const runtime = new GatewayApp(loaded, state, lambdas, logger)
  const management = loaded.config.management
  if (management.enabled) {
    const token = env[management.tokenFromEnv]
    if (token === undefined || token.length < 16) {
      throw CliConfigInvalid(`${loaded.file}: management.tokenFromEnv: environment variable ${management.tokenFromEnv} must hold an admin token of at least 16 characters`)
    }
    const path = metrics?.managementPath
    mountManagementApi(runtime, { path: management.path, token, assets: adminConsole(logger), ...(path === undefined || metrics === undefined ? {} : { metrics: { path, scrape: () => metrics.metrics.scrape(), contentType: metrics.metrics.contentType } }) })
  }
  return runtime
}

function quickConfig(quick: QuickServeOptions, env: NodeJS.ProcessEnv): LoadedConfig {
  const stage = quick.stage ?? 'dev'
  const input: GwConfigInput = {
    apis: [{ openapi: quick.openapi, stages: { [stage]: { variables: quick.stageVariables ?? {} } } }],
    lambdas: quick.lambdas ?? {}
  }
  const parsed = safeParseHostile(gwConfigSchema, input)
  if (!parsed.success) {
    throw CliConfigInvalid(parsed.error.issues.map((i) => `command line: ${i.path.map(String).join('.')}: ${i.message}`).join('\n'))
  }
  return resolveConfig(parsed.data, '<command line>', process.cwd(), env)
}
