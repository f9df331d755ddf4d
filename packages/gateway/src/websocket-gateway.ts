import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { reject, type ConnectionStore, type Logger, type Middleware, type RateLimitStore } from '@gw/core'
import type { IntegrationOptions } from '@gw/integrations'
import type { UsagePlans } from '@gw/usage-plans'
import { attachWebSocketApis, createWebSocketApi, type WebSocketApi, type WebSocketApiDefinitionInput, type WebSocketLimits } from '@gw/websocket'
import { credentialsProvider, type IamCredentialsTable } from './iam-credentials.js'
import type { CredentialsProvider } from '@gw/authorizers'

/** `options.websocket` of `createGateway()`: what WebSocket APIs need beyond the shared options (§14). */
export interface GatewayWebSocketOptions {
  /** Connection registry and bus; `RedisConnectionStore` lets any instance reach any connection (§14.7). @default in-process memory */
  connectionStore?: ConnectionStore
  /** This instance's id in the registry. @default random */
  instanceId?: string
  /** Lease of this instance in the registry (ms): after a crash its connections answer 410 everywhere within it. @default 15000 */
  leaseMs?: number
  /** §14.4 limits (frames, messages, idle, maximum age, send buffer, new connections). @default AWS's */
  limits?: WebSocketLimits
  /** `@connections` without SigV4 (local development only). @default false */
  unsignedConnectionsApi?: boolean
}

/** What the WebSocket APIs of one gateway share with its HTTP side. */
export interface WebSocketDeps {
  readonly integrations: Omit<IntegrationOptions, 'flavour' | 'binaryMediaTypes' | 'methodResponses' | 'logger'>
  readonly usagePlans: UsagePlans | undefined
  readonly rateLimitStore: RateLimitStore | undefined
  readonly logger: Logger
  readonly iam: { credentials: CredentialsProvider | IamCredentialsTable; region?: string; accountId?: string } | undefined
  readonly websocket: GatewayWebSocketOptions | undefined
}

/** True for an apigatewayv2 WebSocket API definition (`protocolType: WEBSOCKET`, §14.1). */
export function isWebSocketDefinition(definition: unknown): definition is WebSocketApiDefinitionInput {
  return typeof definition === 'object' && definition !== null && (definition as { protocolType?: unknown }).protocolType === 'WEBSOCKET'
}

/** Builds the WebSocket APIs of a gateway with its shared options. */
export function buildWebSocketApis(definitions: readonly WebSocketApiDefinitionInput[], deps: WebSocketDeps): WebSocketApi[] {
  const built: WebSocketApi[] = []
  try {
    for (const def of definitions) {
      const ws = deps.websocket ?? {}
      built.push(
        createWebSocketApi(def, {
          integrations: deps.integrations,
          logger: deps.logger,
          ...(deps.usagePlans === undefined ? {} : { usagePlans: deps.usagePlans }),
          ...(deps.rateLimitStore === undefined ? {} : { rateLimitStore: deps.rateLimitStore }),
          ...(deps.iam === undefined
            ? {}
            : { iam: { credentials: credentialsProvider(deps.iam.credentials), ...(deps.iam.region === undefined ? {} : { region: deps.iam.region }), ...(deps.iam.accountId === undefined ? {} : { accountId: deps.iam.accountId }) } }),
          ...(ws.connectionStore === undefined ? {} : { connectionStore: ws.connectionStore }),
          ...(ws.instanceId === undefined ? {} : { instanceId: ws.instanceId }),
          ...(ws.leaseMs === undefined ? {} : { leaseMs: ws.leaseMs }),
          ...(ws.limits === undefined ? {} : { limits: ws.limits }),
          ...(ws.unsignedConnectionsApi === undefined ? {} : { unsignedConnectionsApi: ws.unsignedConnectionsApi })
        })
      )
    }
  } catch (err) {
    void Promise.all(built.map((a) => a.close()))
    throw err
  }
  return built
}

/**
 * Serves WebSocket APIs on a gateway's server: upgrades by stage path, and
 * `@connections` before the HTTP handler. With no WebSocket API nothing is
 * installed: HTTP requests keep their listener untouched (no per-request cost).
 */
export function mountWebSocketApis(server: Server, apis: readonly WebSocketApi[]): void {
  if (apis.length === 0) return
  // One API is served at the root (`/{stage}`); several at `/{apiId}/{stage}`.
  const intercept = attachWebSocketApis(server, apis.map((api) => (apis.length === 1 ? { api } : { api, prefix: `/${api.apiId}` })))
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[]
  server.removeAllListeners('request')
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (intercept(req, res)) return
    for (const l of listeners) l(req, res)
  })
}

/** The HTTP handler of a WebSocket-only gateway: plain HTTP requests meet the 403 of an unknown resource. */
export const websocketOnlyHandler: Middleware<object> = (ctx) => reject(ctx, 'MISSING_AUTHENTICATION_TOKEN')
