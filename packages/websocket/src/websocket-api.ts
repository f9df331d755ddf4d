import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import { isUtf8 } from 'node:buffer'
import type { Duplex } from 'node:stream'
import { WebSocketServer, WebSocket } from 'ws'
import {
  CONTEXT_EXTRAS,
  GatewayContext,
  GatewayError,
  MemoryConnectionStore,
  compose,
  jsonLogger,
  nodeRequestSource,
  parseOptions,
  randomId,
  randomShortId,
  reject,
  shortRequestId,
  websocketMetricChannel,
  type Middleware
} from '@gw/core'
import { iamAuthorizer, lambdaAuthorizer, type AuthorizerInvoke } from '@gw/authorizers'
import { FreshEvent, compileInvoker, functionOfUri, integrationOptionsSchema, lambdaAuthorizerInvoke } from '@gw/integrations'
import { routeThrottle, throttler, type RouteSetting } from '@gw/throttler'
import { apiKeys } from '@gw/usage-plans'
import { webSocketApiSchema, type WebSocketApiDefinition, type WebSocketApiDefinitionInput, type WebSocketAuthorizer, type WebSocketStage } from './definition.js'
import { WebSocketGone, WebSocketPayloadTooLarge, WebSocketUnsupported } from './errors.js'
import { frameGuard } from './frame-guard.js'
import { newConnectionId } from './connection-id.js'
import { ConnectionRegistry, type ConnectionRecord, type RemoteCommand } from './connection-registry.js'
import { connectEvent, disconnectEvent, messageEvent, type ConnectionFacts } from './lambda-events.js'
import { compileRouteIntegration, type IntegrationCall, type IntegrationOutcome, type RouteIntegration } from './route-integration.js'
import { compileSelectionExpression, type SelectionExpression } from './selection-expression.js'
import { optionsSchema, type WebSocketApiOptions } from './options.js'
import { publishMetric } from './metrics.js'

/** GetConnection's answer (§14.7), lower camel case as on the wire. */
export interface ConnectionDescription {
  connectedAt: string
  identity: { sourceIp: string; userAgent: string | null }
  lastActiveAt: string
}

/** A WebSocket API served on a node:http server (its `upgrade` and, for `@connections`, `request` events). */
export interface WebSocketApi {
  readonly apiId: string
  readonly name: string
  /** Stage names; each is served at `ws://host:port/{stage}`. */
  readonly stageNames: readonly string[]
  /** Connections this instance holds now. */
  readonly connectionCount: number
  /**
   * Takes an upgrade request whose path (`path`, default the request's) is one of the API's stages and answers
   * it: 101 after `$connect` succeeded, else `$connect`'s status (§14.3). `false`: not this API's; the caller answers.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path?: string): boolean
  /** Serves `{stage}/@connections/{id}` (also `%40connections`, §14.7); `false` when the path is not one. */
  handleRequest(req: IncomingMessage, res: ServerResponse, path?: string): boolean
  /** PostToConnection (§14.7) without HTTP: a text frame (binary when `data` is not UTF-8), on whichever instance holds it. @throws GwError GW_WEBSOCKET_GONE, GW_WEBSOCKET_PAYLOAD_TOO_LARGE */
  postToConnection(connectionId: string, data: string | Uint8Array): Promise<void>
  /** GetConnection (§14.7). @throws GwError GW_WEBSOCKET_GONE */
  getConnection(connectionId: string): Promise<ConnectionDescription>
  /** DeleteConnection (§14.7): closes the socket, `$disconnect` follows. @throws GwError GW_WEBSOCKET_GONE */
  deleteConnection(connectionId: string): Promise<void>
  /** Resolves once the registry listens for other instances' posts. */
  ready(): Promise<void>
  /** Closes every connection (1001), leaves the registry, releases integrations. */
  close(): Promise<void>
}

interface CompiledRoute {
  readonly key: string
  readonly twoWay: boolean
  readonly integration: RouteIntegration | undefined
}

type StageRoute = CompiledRoute & { readonly throttle: Middleware<object> | null }

interface StageRuntime {
  readonly name: string
  readonly variables: Record<string, string> | null
  readonly routes: Map<string, StageRoute>
  readonly fallback: StageRoute | undefined
  readonly connect: Middleware<object>
  readonly disconnect: CompiledRoute | undefined
}

interface Connection {
  readonly ws: WebSocket
  readonly stage: StageRuntime
  readonly facts: ConnectionFacts
  lastActiveAt: number
  /** When the shared record was last refreshed. */
  touchedAt: number
  closing: boolean
}

/** What `$connect`'s steps leave for the upgrade (on `ctx.state`). */
interface PendingConnect {
  readonly id: string
  readonly connectedAt: number
  readonly domainName: string
  protocol: string | undefined
}

const PENDING = Symbol('gw.websocket.pending')
const NOT_JSON = Symbol('not json')
const LIVE_KEY = Symbol.for('gw.websocket.apis')
/** Every API of this process (shared by ESM and CJS copies), so `postToConnection()` finds a connection without an API handle. */
export const liveApis: Set<WebSocketApi> = ((globalThis as Record<symbol, unknown>)[LIVE_KEY] ??= new Set<WebSocketApi>()) as Set<WebSocketApi>

const CONNECTIONS_PATH = /^\/([^/]+)\/(?:@|%40)connections\/([^/]+)$/i
const REFRESH_MS = 30_000

/** §14.5: `disconnectReason` when the close frame said nothing. */
function defaultReason(code: number): string {
  if (code === 1005) return 'Client-side close frame status not set'
  if (code === 1006) return 'Connection closed abnormally'
  return ''
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'websocket'
}

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString()
}

/** §12.4 error frame, spaced as AWS sends it. */
function errorFrame(message: string, connectionId: string, requestId: string): string {
  return `{"message": "${message}", "connectionId":"${connectionId}", "requestId":"${requestId}"}`
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/'
  const q = u.indexOf('?')
  return q === -1 ? u : u.slice(0, q)
}

function writeJson(res: ServerResponse, status: number, body: string, errorType?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-amzn-requestid': shortRequestId() }
  if (errorType !== undefined) headers['x-amzn-errortype'] = errorType
  res.writeHead(status, headers).end(body)
}

/** `$connect` refused (§14.3): the status (and body) on the raw socket, no upgrade. */
function refuse(socket: Duplex, ctx: GatewayContext<object>): void {
  if (!socket.writable) return void socket.destroy()
  const body = typeof ctx.body === 'string' ? ctx.body : ctx.body instanceof Uint8Array ? Buffer.from(ctx.body).toString('utf8') : ''
  const status = ctx.status
  let head = `HTTP/1.1 ${String(status)} ${STATUS_CODES[status] ?? 'Error'}\r\nconnection: close\r\ncontent-length: ${String(Buffer.byteLength(body))}\r\n`
  let hasType = false
  for (const [k, v] of Object.entries(ctx.responseHeaders)) {
    if (k === 'content-length' || k === 'connection') continue
    if (k === 'content-type') hasType = true
    head += `${k}: ${Array.isArray(v) ? v.join(', ') : v}\r\n`
  }
  if (!hasType && body !== '') head += 'content-type: application/json\r\n'
  socket.end(`${head}\r\n${body}`)
}

/** Identity sources of a WebSocket authorizer in the REST forms @gw/authorizers reads (§14.3 → §10.3). */
function identitySources(auth: WebSocketAuthorizer): string[] {
  return auth.identitySource.map((s) => s.replace(/^route\.request\./, 'method.request.'))
}

/**
 * §14.3: a `$connect` request missing one of the authorizer's header / query
 * identity sources is refused with 401 before the function runs.
 */
function requireIdentity(auth: WebSocketAuthorizer): Middleware<object> | null {
  const checks = auth.identitySource.flatMap((s) => {
    const m = /^route\.request\.(header|querystring)\.(.+)$/.exec(s)
    if (m === null) return []
    const name = m[2] as string
    return m[1] === 'header' ? [(ctx: GatewayContext<object>) => (ctx.headers[name.toLowerCase()] ?? '') !== ''] : [(ctx: GatewayContext<object>) => (ctx.query[name]?.at(-1) ?? '') !== '']
  })
  if (checks.length === 0) return null
  return function websocketIdentitySources(ctx, next) {
    for (const present of checks) if (!present(ctx)) return reject(ctx, 'UNAUTHORIZED')
    return next()
  }
}

/**
 * Serves one WebSocket API (aws-semantics §14) on `ws`: stages at
 * `/{stage}`; `$connect` (authorizer, IAM, API key, integration) decides the
 * upgrade; each message is routed by `routeSelectionExpression` to its
 * route's integration (Lambda proxy, HTTP, HTTP_PROXY, MOCK), two-way routes
 * answer; `$disconnect` runs after close; §14.4 limits (32 KB frames, 128 KB
 * messages, idle and maximum age, send buffer); the `@connections` API with
 * SigV4, across instances through the `ConnectionStore`.
 * @throws GwError GW_CONFIG_INVALID naming the path of a bad definition or option
 * @throws GwError GW_WEBSOCKET_UNSUPPORTED when a route needs an option that is missing (`iam`, `usagePlans`, a Lambda handler)
 * @example
 * const chat = createWebSocketApi({
 *   protocolType: 'WEBSOCKET', name: 'chat', routeSelectionExpression: '$request.body.action',
 *   routes: [{ routeKey: 'ping', target: 'integrations/pong', routeResponseSelectionExpression: '$default' }],
 *   integrations: [{ integrationId: 'pong', integrationType: 'MOCK', requestTemplates: { $default: '{"statusCode": 200}' }, integrationResponses: [{ integrationResponseKey: '$default', responseTemplates: { $default: '{"pong": true}' } }] }],
 *   stages: { dev: {} }
 * })
 * server.on('upgrade', (req, socket, head) => { if (!chat.handleUpgrade(req, socket, head)) socket.destroy() })
 */
export function createWebSocketApi(definition: WebSocketApiDefinitionInput, options: WebSocketApiOptions = {}): WebSocketApi {
  const api: WebSocketApiDefinition = parseOptions(webSocketApiSchema, definition, 'createWebSocketApi')
  const opts = parseOptions(optionsSchema, options, 'createWebSocketApi options')
  const limits = opts.limits
  const logger = opts.logger ?? jsonLogger
  const apiId = api.apiId ?? slug(api.name)
  const region = opts.iam?.region ?? 'us-east-1'
  const accountId = opts.iam?.accountId ?? '123456789012'
  const arn = { apiId, region, accountId }
  const integrationOptions = parseOptions(integrationOptionsSchema, { ...opts.integrations }, 'createWebSocketApi options.integrations')
  const invoker = compileInvoker(integrationOptions)
  const routeSelection = compileSelectionExpression(api.routeSelectionExpression) as SelectionExpression

  // ---- integrations and routes, compiled once ----
  const integrations = new Map<string, RouteIntegration>()
  for (const [i, def] of api.integrations.entries()) {
    integrations.set(def.integrationId, compileRouteIntegration(def, `integrations[${String(i)}]`, { integrations: opts.integrations, invoker, logger, accountId, maxMessageBytes: limits.maxMessageBytes }))
  }
  const routes = new Map<string, CompiledRoute>()
  for (const r of api.routes) {
    const id = r.target?.slice('integrations/'.length)
    routes.set(r.routeKey, { key: r.routeKey, twoWay: r.routeResponseSelectionExpression === '$default', integration: id === undefined ? undefined : integrations.get(id) })
  }
  const connectRoute = api.routes.find((r) => r.routeKey === '$connect')

  // ---- $connect steps (§14.3): new-connection rate (§8.1), identity sources, authorizer / IAM, API key ----
  // The new-connection bucket is the account's in the region, across all its WebSocket APIs (§8.1, §14.4: 500/s):
  // one name for every API of this account and region, so they share it in one process and, with a shared
  // rateLimitStore, across instances.
  const connectSteps: Middleware<object>[] = [
    throttler({ name: `websocket-connections/${accountId}/${region}`, rateLimit: limits.newConnectionRateLimit, burstLimit: limits.newConnectionBurstLimit, ...(opts.rateLimitStore === undefined ? {} : { store: opts.rateLimitStore }) })
  ]
  if (connectRoute?.authorizationType === 'CUSTOM') {
    const auth = api.authorizers.find((a) => a.authorizerId === connectRoute.authorizerId) as WebSocketAuthorizer
    const fn = functionOfUri(auth.authorizerUri)
    const invoke = invoker.forFunction(fn)
    if (invoke === undefined) throw WebSocketUnsupported(`authorizers ${auth.authorizerId}: function ${fn} has no in-process handler (integrations.lambda) and no remote endpoint`)
    const call: AuthorizerInvoke = lambdaAuthorizerInvoke(fn, invoke)
    const present = requireIdentity(auth)
    if (present !== null) connectSteps.push(present)
    const sources = identitySources(auth)
    connectSteps.push(
      lambdaAuthorizer({
        type: 'REQUEST',
        invoke: call,
        ...(sources.length === 0 ? {} : { identitySource: sources }),
        authorizerResultTtlInSeconds: sources.length === 0 ? 0 : auth.authorizerResultTtlInSeconds,
        authorizerId: auth.authorizerId,
        arn
      })
    )
  } else if (connectRoute?.authorizationType === 'AWS_IAM') {
    if (opts.iam === undefined) throw WebSocketUnsupported('routes $connect: authorizationType AWS_IAM needs options.iam ({ credentials }, §10.8)')
    connectSteps.push(iamAuthorizer({ credentials: opts.iam.credentials, arn }))
  }
  if (connectRoute?.apiKeyRequired === true) {
    if (opts.usagePlans === undefined) throw WebSocketUnsupported('routes $connect: apiKeyRequired needs options.usagePlans (@gw/usage-plans, §9)')
    connectSteps.push(apiKeys(opts.usagePlans, { apiKeySource: api.apiKeySelectionExpression === '$request.header.x-api-key' ? 'HEADER' : 'AUTHORIZER', resourcePath: '/$connect', httpMethod: 'GET' }))
  }
  const connectIntegration = routes.get('$connect')?.integration
  const connectTerminal: Middleware<object> = async function websocketConnect(ctx) {
    const pending = (ctx.state as Record<symbol, PendingConnect>)[PENDING] as PendingConnect
    publishMetric('ConnectCount', apiId, ctx.stage as string, '$connect')
    if (connectIntegration === undefined) {
      ctx.status = 200
      return
    }
    const facts = factsOf(ctx, pending)
    const started = performance.now()
    const outcome = await connectIntegration.invoke(callOf(ctx, facts, '$connect', 'CONNECT', null, ctx.requestId, Buffer.alloc(0), undefined, () => connectEvent(facts, { eventType: 'CONNECT', routeKey: '$connect', requestId: ctx.requestId, requestTimeEpoch: ctx.requestTimeEpoch, messageId: null }, ctx.source.rawHeaders, ctx.query)))
    observe(outcome, connectIntegration, started, ctx.stage as string, '$connect')
    if (outcome.kind === 'error') {
      logger.error({ event: 'gw.websocket_integration_error', apiId, routeKey: '$connect', connectionId: pending.id, reason: outcome.reason })
      ctx.status = 500
      ctx.body = '{"message": "Internal server error"}'
      return
    }
    ctx.status = outcome.status
    pending.protocol = outcome.headers['sec-websocket-protocol']
  }

  // ---- stages ----
  const stages = new Map<string, StageRuntime>()
  const throttleFor = (stageName: string, stage: WebSocketStage, key: string): Middleware<object> | null => {
    const l = routeThrottle(stage.defaultRouteSettings as RouteSetting | undefined, stage.routeSettings as Record<string, RouteSetting>, key)
    if (l === undefined) return null
    return throttler({ name: `${apiId}/${stageName}/${key}`, rateLimit: l.rateLimit, burstLimit: l.burstLimit, ...(opts.rateLimitStore === undefined ? {} : { store: opts.rateLimitStore }) })
  }
  for (const [name, stage] of Object.entries(api.stages)) {
    const stageRoutes = new Map<string, CompiledRoute & { throttle: Middleware<object> | null }>()
    for (const [key, r] of routes) if (key !== '$connect' && key !== '$disconnect') stageRoutes.set(key, { ...r, throttle: throttleFor(name, stage, key) })
    const fallback = stageRoutes.get('$default')
    stageRoutes.delete('$default')
    stages.set(name, {
      name,
      variables: Object.keys(stage.stageVariables).length === 0 ? null : stage.stageVariables,
      routes: stageRoutes,
      fallback,
      connect: compose([...connectSteps, connectTerminal]),
      disconnect: routes.get('$disconnect')
    })
  }
  if (stages.size === 0) throw WebSocketUnsupported('stages: a WebSocket API needs at least one stage to be served (§6.2)')

  // ---- connections ----
  const local = new Map<string, Connection>()
  const instanceId = opts.instanceId ?? randomId(9, 'base64').replace(/[+/]/g, '_')
  const registry = new ConnectionRegistry(opts.connectionStore ?? new MemoryConnectionStore(), instanceId, opts.leaseMs, limits.maxConnectionMs, logger, onCommand)
  const started = registry.start()
  started.catch((err: unknown) => { logger.error({ event: 'gw.websocket_registry_error', apiId, error: err instanceof Error ? err.message : String(err) }) })
  const protocols = new WeakMap<IncomingMessage, string>()
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: limits.maxMessageBytes,
    // §14.3: the subprotocol is the one `$connect` answered with, none otherwise (ws would pick the client's first).
    handleProtocols: (_offered, req) => protocols.get(req) ?? false
  })

  function factsOf(ctx: GatewayContext<object>, pending: PendingConnect): ConnectionFacts {
    const ua = ctx.headers['user-agent']
    return {
      connectionId: pending.id,
      connectedAt: pending.connectedAt,
      apiId,
      stage: ctx.stage as string,
      domainName: pending.domainName,
      sourceIp: ctx.sourceIp,
      userAgent: typeof ua === 'string' ? ua : null,
      authorizer: ctx.authorizer,
      identity: ctx.identity,
      apiKey: ctx.apiKey?.value ?? (typeof ctx.headers['x-api-key'] === 'string' ? ctx.headers['x-api-key'] : undefined)
    }
  }

  function callOf(
    ctx: GatewayContext<object> | undefined,
    facts: ConnectionFacts,
    routeKey: string,
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
    messageId: string | null,
    requestId: string,
    body: Buffer,
    parsed: unknown,
    event: () => Record<string, unknown>,
    stage?: StageRuntime
  ): IntegrationCall {
    return {
      event,
      body,
      parsed,
      rawHeaders: ctx?.source.rawHeaders ?? [],
      headers: ctx?.headers ?? {},
      sourceIp: facts.sourceIp,
      requestId,
      requestTimeEpoch: Date.now(),
      apiId,
      stage: facts.stage,
      stageVariables: ctx?.stageVariables ?? stage?.variables ?? null,
      routeKey,
      authorizer: facts.authorizer,
      contextExtras: { connectionId: facts.connectionId, connectedAt: facts.connectedAt, eventType, messageId, routeKey, domainName: facts.domainName }
    }
  }

  /**
   * One MESSAGE's call (§14.6): the Lambda event is made afresh for the handler (no JSON copy), and the
   * `$context` extras and headers of MOCK / HTTP integrations are built only when such an integration reads them.
   */
  class MessageCall implements IntegrationCall {
    readonly body: Buffer
    readonly parsed: unknown
    readonly requestTimeEpoch: number
    readonly routeKey: string
    readonly #conn: Connection
    readonly #binary: boolean
    readonly #text: string | undefined
    #requestId: string | undefined
    #messageId: string | undefined

    constructor(conn: Connection, routeKey: string, requestTimeEpoch: number, body: Buffer, binary: boolean, text: string | undefined, parsed: unknown) {
      this.#conn = conn
      this.body = body
      this.#binary = binary
      this.#text = text
      this.parsed = parsed
      this.requestTimeEpoch = requestTimeEpoch
      this.routeKey = routeKey
      this.#requestId = undefined
      this.#messageId = undefined
    }

    // Random ids on first use: a constant MOCK answer reads neither.
    get requestId(): string {
      return (this.#requestId ??= shortRequestId())
    }
    get messageId(): string {
      return (this.#messageId ??= randomShortId())
    }

    get rawHeaders(): readonly string[] {
      return []
    }
    get headers(): IncomingMessage['headers'] {
      return {}
    }
    get sourceIp(): string {
      return this.#conn.facts.sourceIp
    }
    get apiId(): string {
      return apiId
    }
    get stage(): string {
      return this.#conn.stage.name
    }
    get stageVariables(): Record<string, string> | null {
      return this.#conn.stage.variables
    }
    get authorizer(): Record<string, unknown> | undefined {
      return this.#conn.facts.authorizer
    }
    get contextExtras(): Record<string, unknown> {
      const f = this.#conn.facts
      return { connectionId: f.connectionId, connectedAt: f.connectedAt, eventType: 'MESSAGE', messageId: this.messageId, routeKey: this.routeKey, domainName: f.domainName }
    }

    event(): FreshEvent {
      return new FreshEvent(messageEvent(this.#conn.facts, { eventType: 'MESSAGE', routeKey: this.routeKey, requestId: this.requestId, requestTimeEpoch: this.requestTimeEpoch, messageId: this.messageId }, this.body, this.#binary, this.#text))
    }
  }

  function observe(outcome: IntegrationOutcome, integration: RouteIntegration, startedAt: number, stage: string, routeKey: string): void {
    if (integration.type !== 'MOCK' && websocketMetricChannel.hasSubscribers) publishMetric('IntegrationLatency', apiId, stage, routeKey, performance.now() - startedAt)
    if (outcome.kind === 'error') publishMetric('ExecutionError', apiId, stage, routeKey)
    else if (outcome.status >= 400) publishMetric('IntegrationError', apiId, stage, routeKey)
  }

  function send(conn: Connection, data: string | Buffer, binary: boolean): boolean {
    const ws = conn.ws
    if (ws.readyState !== WebSocket.OPEN || conn.closing) return false
    // A client that does not read: drop it rather than queue without bound (§14.4 backpressure, [I]).
    if (ws.bufferedAmount > limits.maxBufferedBytes) {
      conn.closing = true
      ws.terminate()
      return false
    }
    ws.send(data, { binary })
    conn.lastActiveAt = Date.now()
    publishMetric('MessageCount', apiId, conn.stage.name, '$default')
    return true
  }

  function closeConnection(conn: Connection, code: number, reason: string): void {
    if (conn.closing) return
    conn.closing = true
    conn.ws.close(code, reason)
  }

  function recordOf(conn: Connection): ConnectionRecord {
    const f = conn.facts
    return { i: instanceId, s: conn.stage.name, c: f.connectedAt, a: conn.lastActiveAt, ip: f.sourceIp, ua: f.userAgent }
  }

  async function connect(stage: StageRuntime, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const connectedAt = Date.now()
    const host = typeof req.headers.host === 'string' ? req.headers.host : ''
    const pending: PendingConnect = { id: newConnectionId(), connectedAt, domainName: host.replace(/:\d+$/, ''), protocol: undefined }
    const ctx = new GatewayContext<Record<PropertyKey, unknown>>(nodeRequestSource(req), { flavour: 'REST', sourceIp: req.socket.remoteAddress ?? '', requestTimeEpoch: connectedAt })
    ctx.apiId = apiId
    ctx.stage = stage.name
    ctx.stageVariables = stage.variables
    ctx.method = '$connect'
    ctx.path = ''
    ctx.routeKey = '$connect'
    ctx.resourcePath = '$connect'
    ctx.state[PENDING] = pending
    ctx.state[CONTEXT_EXTRAS] = { connectionId: pending.id, connectedAt, eventType: 'CONNECT', messageId: null, routeKey: '$connect' }
    try {
      await stage.connect(ctx, () => Promise.resolve())
    } catch (err) {
      if (err instanceof GatewayError) reject(ctx, err.type)
      else {
        logger.error({ event: 'gw.websocket_connect_error', apiId, error: err instanceof Error ? err.message : String(err) })
        reject(ctx, 'DEFAULT_5XX')
      }
    }
    if (socket.destroyed) return
    if (ctx.status < 200 || ctx.status > 299) {
      if (ctx.status >= 400 && ctx.status < 500) publishMetric('ClientError', apiId, stage.name, '$connect')
      return refuse(socket, ctx)
    }
    if (pending.protocol !== undefined) protocols.set(req, pending.protocol)
    const facts = factsOf(ctx, pending)
    wss.handleUpgrade(req, socket, head, (ws) => {
      const now = Date.now()
      const conn: Connection = { ws, stage, facts, lastActiveAt: now, touchedAt: now, closing: false }
      local.set(pending.id, conn)
      registry.put(pending.id, recordOf(conn))
      // §14.4: 32 KB frames; runs before ws sees the bytes, so an oversized frame's message is never routed.
      socket.prependListener('data', frameGuard(limits.maxFrameBytes, () => { closeConnection(conn, 1009, 'Frame size exceeded') }))
      ws.on('message', (data, isBinary) => { onMessage(conn, data as Buffer, isBinary) })
      ws.on('close', (code, reason) => { onClose(conn, code, reason.toString()) })
      // ws closes the connection itself after a protocol error (1009 for a message over maxPayload, 1002 …).
      ws.on('error', () => { conn.closing = true })
    })
  }

  function onMessage(conn: Connection, data: Buffer, isBinary: boolean): void {
    if (conn.closing) return
    const now = Date.now()
    conn.lastActiveAt = now
    if (now - conn.touchedAt > REFRESH_MS) {
      conn.touchedAt = now
      registry.put(conn.facts.connectionId, recordOf(conn))
    }
    const stage = conn.stage
    publishMetric('MessageCount', apiId, stage.name, '$default')
    const text = isBinary ? undefined : data.toString('utf8')
    let parsed: unknown = undefined
    if (routeSelection.readsBody) {
      if (text === undefined) parsed = NOT_JSON
      else {
        try {
          parsed = JSON.parse(text)
        } catch {
          parsed = NOT_JSON
        }
      }
    }
    // §14.2: non-JSON messages and keys no route has go to $default; exact string comparison.
    const route = parsed === NOT_JSON ? stage.fallback : (stage.routes.get(routeSelection.evaluate({ body: parsed, stageVariables: stage.variables })) ?? stage.fallback)
    if (route === undefined) {
      publishMetric('ClientError', apiId, stage.name, '$default')
      send(conn, errorFrame('Forbidden', conn.facts.connectionId, shortRequestId()), false)
      return
    }
    const call = new MessageCall(conn, route.key, now, data, isBinary, text, parsed === NOT_JSON ? undefined : parsed)
    if (route.throttle !== null) void throttled(conn, route, call)
    else runRoute(conn, route, call)
  }

  /** §14.4 route throttling first (its store may answer later), then the route. */
  async function throttled(conn: Connection, route: StageRoute, call: MessageCall): Promise<void> {
    const ctx = new GatewayContext({ method: 'POST', url: '/', headers: {}, rawHeaders: [], remoteAddress: conn.facts.sourceIp, protocol: 'http', readBody: () => Promise.resolve(call.body), stream: () => null, hasBody: false, signal: new AbortController().signal }, { flavour: 'HTTP' })
    let passed = false
    await (route.throttle as Middleware<object>)(ctx, () => {
      passed = true
      return Promise.resolve()
    })
    if (!passed) {
      publishMetric('ClientError', apiId, conn.stage.name, route.key)
      send(conn, errorFrame('Too Many Requests', conn.facts.connectionId, call.requestId), false)
      return
    }
    runRoute(conn, route, call)
  }

  /** Runs the route's integration; an outcome known at once (a constant MOCK) is answered in the same turn. */
  function runRoute(conn: Connection, route: StageRoute, call: MessageCall): void {
    const integration = route.integration
    if (integration === undefined) return
    const startedAt = performance.now()
    const outcome = integration.invoke(call)
    if (outcome instanceof Promise) void outcome.then((o) => { answer(conn, route, integration, call, startedAt, o) })
    else answer(conn, route, integration, call, startedAt, outcome)
  }

  function answer(conn: Connection, route: StageRoute, integration: RouteIntegration, call: MessageCall, startedAt: number, outcome: IntegrationOutcome): void {
    observe(outcome, integration, startedAt, conn.stage.name, route.key)
    if (outcome.kind === 'error') {
      logger.error({ event: 'gw.websocket_integration_error', apiId, routeKey: route.key, connectionId: conn.facts.connectionId, reason: outcome.reason })
      send(conn, errorFrame('Internal server error', conn.facts.connectionId, call.requestId), false)
      return
    }
    // §14.2: only a two-way route answers; §14.4: a base64 Lambda body goes out as a binary frame.
    if (route.twoWay && outcome.body !== null) send(conn, outcome.body, typeof outcome.body !== 'string')
  }

  function onClose(conn: Connection, code: number, reason: string): void {
    conn.closing = true
    const id = conn.facts.connectionId
    local.delete(id)
    registry.remove(id)
    const route = conn.stage.disconnect
    if (route?.integration === undefined) return
    const integration = route.integration
    const requestId = shortRequestId()
    const requestTimeEpoch = Date.now()
    const startedAt = performance.now()
    // §14.5: best effort, after the socket closed; nothing can be sent back.
    void Promise.resolve(
      integration.invoke(
        callOf(undefined, conn.facts, '$disconnect', 'DISCONNECT', null, requestId, Buffer.alloc(0), undefined, () =>
          disconnectEvent(conn.facts, { eventType: 'DISCONNECT', routeKey: '$disconnect', requestId, requestTimeEpoch, messageId: null, disconnectStatusCode: code, disconnectReason: reason === '' ? defaultReason(code) : reason }),
        conn.stage)
      )
    ).then((outcome) => {
        observe(outcome, integration, startedAt, conn.stage.name, '$disconnect')
        if (outcome.kind === 'error') logger.error({ event: 'gw.websocket_integration_error', apiId, routeKey: '$disconnect', connectionId: id, reason: outcome.reason })
      })
  }

  function onCommand(command: RemoteCommand): void {
    const conn = local.get(command.id)
    if (conn === undefined) return
    if (command.op === 'post') {
      const data = Buffer.from(command.data, 'base64')
      send(conn, command.binary ? data : data.toString('utf8'), command.binary)
    } else closeConnection(conn, 1000, 'Connection deleted')
  }

  // §14.4: idle and maximum-age limits, one sweep for all connections (not a timer per connection).
  const sweepMs = Math.max(10, Math.min(1000, Math.floor(Math.min(limits.idleTimeoutMs, limits.maxConnectionMs) / 4)))
  const sweeper = setInterval(() => {
    const now = Date.now()
    for (const conn of local.values()) {
      if (now - conn.lastActiveAt > limits.idleTimeoutMs || now - conn.facts.connectedAt > limits.maxConnectionMs) closeConnection(conn, 1001, 'Going away')
    }
  }, sweepMs)
  sweeper.unref()

  // ---- @connections (§14.7) ----
  const signed = opts.iam === undefined ? undefined : iamAuthorizer({ credentials: opts.iam.credentials, arn, action: 'execute-api:ManageConnections' })

  async function post(connectionId: string, data: Buffer): Promise<void> {
    if (data.length > limits.maxMessageBytes) throw WebSocketPayloadTooLarge()
    const binary = !isUtf8(data)
    const conn = local.get(connectionId)
    if (conn !== undefined) {
      if (!send(conn, binary ? data : data.toString('utf8'), binary)) throw WebSocketGone()
      return
    }
    const record = await registry.lookupRemote(connectionId)
    if (record === undefined) throw WebSocketGone()
    await registry.send(record.i, { op: 'post', id: connectionId, data: data.toString('base64'), binary })
  }

  async function describe(connectionId: string): Promise<ConnectionDescription> {
    const conn = local.get(connectionId)
    if (conn !== undefined && !conn.closing) return { connectedAt: isoSeconds(conn.facts.connectedAt), identity: { sourceIp: conn.facts.sourceIp, userAgent: conn.facts.userAgent }, lastActiveAt: isoSeconds(conn.lastActiveAt) }
    if (conn !== undefined) throw WebSocketGone()
    const record = await registry.lookupRemote(connectionId)
    if (record === undefined) throw WebSocketGone()
    return { connectedAt: isoSeconds(record.c), identity: { sourceIp: record.ip, userAgent: record.ua }, lastActiveAt: isoSeconds(record.a) }
  }

  async function remove(connectionId: string): Promise<void> {
    const conn = local.get(connectionId)
    if (conn !== undefined) {
      if (conn.closing) throw WebSocketGone()
      closeConnection(conn, 1000, 'Connection deleted')
      return
    }
    const record = await registry.lookupRemote(connectionId)
    if (record === undefined) throw WebSocketGone()
    await registry.send(record.i, { op: 'delete', id: connectionId })
  }

  async function manage(req: IncomingMessage, res: ServerResponse, stage: StageRuntime, rawId: string): Promise<void> {
    const method = req.method ?? 'GET'
    let id: string
    try {
      id = decodeURIComponent(rawId)
    } catch {
      return writeJson(res, 410, '{}', 'GoneException')
    }
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') return writeJson(res, 403, '{"message":"Forbidden"}', 'ForbiddenException')
    if (method === 'POST' && Number(req.headers['content-length'] ?? 0) > limits.maxMessageBytes) {
      res.setHeader('connection', 'close')
      return writeJson(res, 413, '{}', 'PayloadTooLargeException')
    }
    const ctx = new GatewayContext(nodeRequestSource(req, undefined, res), { flavour: 'REST', sourceIp: req.socket.remoteAddress ?? '', bodyLimit: limits.maxMessageBytes })
    ctx.apiId = apiId
    ctx.stage = stage.name
    ctx.path = `/@connections/${id}`
    let body: Buffer
    try {
      if (signed !== undefined) {
        let passed = false
        await signed(ctx, () => {
          passed = true
          return Promise.resolve()
        })
        if (!passed) {
          const headers: Record<string, string> = {}
          for (const [k, v] of Object.entries(ctx.responseHeaders)) headers[k] = Array.isArray(v) ? v.join(', ') : v
          const text = typeof ctx.body === 'string' ? ctx.body : '{"message":"Forbidden"}'
          res.writeHead(ctx.status, { ...headers, 'content-length': String(Buffer.byteLength(text)) }).end(text)
          return
        }
      } else if (!opts.unsignedConnectionsApi) return writeJson(res, 403, '{"message":"Missing Authentication Token"}', 'MissingAuthenticationTokenException')
      body = await ctx.readBody()
    } catch (err) {
      if (err instanceof GatewayError && err.type === 'REQUEST_TOO_LARGE') {
        res.setHeader('connection', 'close')
        return writeJson(res, 413, '{}', 'PayloadTooLargeException')
      }
      throw err
    }
    try {
      if (method === 'POST') {
        await post(id, body)
        res.writeHead(200, { 'content-length': '0', 'x-amzn-requestid': shortRequestId() }).end()
      } else if (method === 'GET') {
        writeJson(res, 200, JSON.stringify(await describe(id)))
      } else {
        await remove(id)
        res.writeHead(204, { 'x-amzn-requestid': shortRequestId() }).end()
      }
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (code === 'GW_WEBSOCKET_GONE') return writeJson(res, 410, '{}', 'GoneException')
      if (code === 'GW_WEBSOCKET_PAYLOAD_TOO_LARGE') return writeJson(res, 413, '{}', 'PayloadTooLargeException')
      throw err
    }
  }

  const self: WebSocketApi = {
    apiId,
    name: api.name,
    stageNames: [...stages.keys()],
    get connectionCount() {
      return local.size
    },
    handleUpgrade(req, socket, head, path = pathOf(req.url)) {
      const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
      const stage = stages.get(trimmed.slice(1))
      if (stage === undefined || trimmed.indexOf('/', 1) !== -1) return false
      socket.on('error', () => socket.destroy())
      connect(stage, req, socket, head).catch((err: unknown) => {
        logger.error({ event: 'gw.websocket_connect_error', apiId, error: err instanceof Error ? err.message : String(err) })
        socket.destroy()
      })
      return true
    },
    handleRequest(req, res, path = pathOf(req.url)) {
      const m = CONNECTIONS_PATH.exec(path)
      if (m === null) return false
      const stage = stages.get(m[1] as string)
      if (stage === undefined) return false
      manage(req, res, stage, m[2] as string).catch((err: unknown) => {
        logger.error({ event: 'gw.websocket_connections_error', apiId, error: err instanceof Error ? err.message : String(err) })
        if (!res.headersSent) writeJson(res, 500, '{"message":"Internal server error"}', 'InternalServerErrorException')
        else res.destroy()
      })
      return true
    },
    postToConnection: (connectionId, data) => post(connectionId, typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
    getConnection: describe,
    deleteConnection: remove,
    ready: () => started,
    async close() {
      liveApis.delete(self)
      clearInterval(sweeper)
      const closing = [...local.values()].map(
        (conn) =>
          new Promise<void>((done) => {
            conn.ws.once('close', () => done())
            closeConnection(conn, 1001, 'Going away')
            setTimeout(() => {
              conn.ws.terminate()
              done()
            }, 1000).unref()
          })
      )
      await Promise.all(closing)
      await registry.stop()
      await Promise.all([...integrations.values()].map((i) => i.close()))
      await invoker.close()
      wss.close()
    }
  }
  liveApis.add(self)
  return self
}

/**
 * PostToConnection (§14.7) from an in-process Lambda, without HTTP or an API
 * handle: the connection is looked up in every WebSocket API of this process
 * (and, through their registries, on other instances).
 * @throws GwError GW_WEBSOCKET_GONE when no API knows the connection; GW_WEBSOCKET_PAYLOAD_TOO_LARGE over 128 KB
 * @example
 * export const handler = async (event) => { await postToConnection(event.requestContext.connectionId, 'hello'); return { statusCode: 200 } }
 */
export async function postToConnection(connectionId: string, data: string | Uint8Array): Promise<void> {
  let gone: unknown = WebSocketGone()
  for (const api of liveApis) {
    try {
      await api.postToConnection(connectionId, data)
      return
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'GW_WEBSOCKET_GONE') throw err
      gone = err
    }
  }
  throw gone
}

/** GetConnection (§14.7) across every WebSocket API of this process. @throws GwError GW_WEBSOCKET_GONE */
export async function getConnection(connectionId: string): Promise<ConnectionDescription> {
  for (const api of liveApis) {
    try {
      return await api.getConnection(connectionId)
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'GW_WEBSOCKET_GONE') throw err
    }
  }
  throw WebSocketGone()
}

/** DeleteConnection (§14.7) across every WebSocket API of this process. @throws GwError GW_WEBSOCKET_GONE */
export async function deleteConnection(connectionId: string): Promise<void> {
  for (const api of liveApis) {
    try {
      await api.deleteConnection(connectionId)
      return
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'GW_WEBSOCKET_GONE') throw err
    }
  }
  throw WebSocketGone()
}
