import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import type { ApiFlavour, GatewayResponseType } from './gateway-response-types.js'
import type { CompiledGatewayResponses } from './gateway-responses.js'
import type { PhaseTimes } from './channels.js'
import { parseQuery, type QueryParameters } from './query.js'
import type { RequestSource } from './request-source.js'
import { restRequestId, shortRequestId } from './request-id.js'
import { BodyConsumed } from './errors.js'
import { NullProto } from './null-proto.js'
import { epochMsAt, monotonicMs } from './clock.js'

/** Default payload limit of REST and HTTP APIs: 10 MB (aws-semantics §15). */
export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024

/** What a response body may be. Anything else is serialized by `ctx.json()` first. */
export type ResponseBody = string | Uint8Array | Readable | ReadableStream<Uint8Array> | null

/** Response headers: lower-case names to a value or several (`set-cookie`). Prototype-less. */
export type ResponseHeaders = Record<string, string | string[]>

/** The API key that authenticated a request (§9.2): its id and its value. */
export interface ApiKeyIdentity {
  readonly id: string
  readonly value: string
  /** Usage plan that admitted it, when known. */
  readonly usagePlanId?: string
}

/**
 * What the request was rejected with, for `$context.error.*` (§12.2) and
 * access logs. `message` null renders as JSON null.
 */
export interface GatewayErrorInfo {
  readonly type: GatewayResponseType
  readonly message: string | null
  readonly validationErrorString?: string
}

/** Per-context settings an adapter or gateway fixes before the pipeline runs. */
export interface ContextSettings {
  /** Which error catalogue renders rejections. @default 'REST' */
  flavour?: ApiFlavour
  /** Request body limit in bytes. @default 10 MB (§15) */
  bodyLimit?: number
  /** Client IP as decided by `trustProxy` (defaults to the socket address). */
  sourceIp?: string
  /** Milliseconds since epoch of arrival. @default epochMs() (the wall clock, as Date.now()) */
  requestTimeEpoch?: number
}

/**
 * The one object that flows through every middleware, for every adapter.
 * Fields are declared in one order and all initialised in the constructor so
 * every context has the same hidden class; request-derived values that cost
 * something (query, request ids, body) are computed on first use.
 */
export class GatewayContext<S extends object = Record<string, unknown>> {
  // ---- request side (from the adapter) ----
  /** The adapter's view of the request. */
  readonly source: RequestSource
  /** Method used for routing (upper-case); the router applies `X-HTTP-Method-Override` (§1.2). */
  method: string
  /** Raw path as received, not decoded, no query. */
  readonly rawPath: string
  /** Raw query string without `?`, not decoded (HTTP API `rawQueryString`). */
  readonly rawQuery: string
  /** Lower-cased request headers. */
  readonly headers: IncomingHttpHeaders
  /** Client IP (`$context.identity.sourceIp`): the socket's unless `trustProxy` admitted `X-Forwarded-For`. */
  readonly sourceIp: string
  /** Arrival time, ms since epoch (`$context.requestTimeEpoch`). */
  readonly requestTimeEpoch: number
  /**
   * Arrival time on the monotonic clock (`monotonicMs()`), for durations: `Latency` is measured from it (§13.1).
   * The same reading gives `requestTimeEpoch`, so a request reads the clock once on arrival.
   */
  readonly arrivedAtMs: number
  /** Error catalogue for rejections: REST (§12.1) or HTTP API (§12.3). */
  flavour: ApiFlavour
  /** Body limit in bytes (§15). */
  bodyLimit: number

  // ---- route side (set by stages, router, authorizers, usage plans) ----
  /** Path the router matches: the raw path without stage or base path. */
  path: string
  /** `$context.apiId`. */
  apiId: string | undefined
  /** `$context.stage`. */
  stage: string | undefined
  /** `$context.deploymentId`. */
  deploymentId: string | undefined
  /** Effective stage variables (canary overrides merged), `null` when none (§2.1). */
  stageVariables: Record<string, string> | null
  /** `$context.isCanaryRequest` (§6.4). */
  isCanaryRequest: boolean
  /** Matched resource template (`/pets/{id}`), `$context.resourcePath`. */
  resourcePath: string | undefined
  /** `$context.resourceId`. */
  resourceId: string | undefined
  /** HTTP API route key (`GET /pets/{id}` or `$default`). */
  routeKey: string | undefined
  /** Path parameters of the matched route, `null` when the route has none. */
  pathParameters: Record<string, string> | null
  /** Set by a router when nothing matched: adapters may then fall through to the host framework. */
  noRoute: boolean
  /** API key that authenticated the request (§9.2). */
  apiKey: ApiKeyIdentity | undefined
  /** Authorizer output for `requestContext.authorizer` / `$context.authorizer.*` (§10). */
  authorizer: Record<string, unknown> | undefined
  /** Caller identity fields of `$context.identity.*` set by IAM/Cognito auth (§10.8). */
  identity: Record<string, string | null> | undefined
  /** Compiled customized gateway responses of the API (§12.2), if any. */
  gatewayResponses: CompiledGatewayResponses | undefined

  // ---- response side ----
  /** Response status. */
  status: number
  /** Response headers (lower-case names). */
  responseHeaders: ResponseHeaders
  /** Response body. */
  body: ResponseBody
  /** What the request was rejected with, if it was (§12.2 `$context.error.*`). */
  error: GatewayErrorInfo | undefined
  /** Free room for extensions. */
  state: S
  /**
   * Where `observePhase()` writes the phase times of an observed request (§13.1): set by the publisher of
   * `requestEndChannel` (the gateway, `metrics()`) before the chain runs; `undefined` while nobody listens. A field
   * of its own, not a symbol key on `state`: read on every observed phase, it is one property load (issue #18).
   */
  phaseTimes: PhaseTimes | undefined

  #requestId: string | undefined
  #extendedRequestId: string | undefined
  #query: QueryParameters | undefined
  #body: Promise<Buffer> | undefined
  #streamed: boolean

  constructor(source: RequestSource, settings?: ContextSettings) {
    this.source = source
    this.method = source.method
    const url = source.url
    const q = url.indexOf('?')
    this.rawPath = q === -1 ? url : url.slice(0, q)
    this.rawQuery = q === -1 ? '' : url.slice(q + 1)
    this.headers = source.headers
    this.sourceIp = settings?.sourceIp ?? source.remoteAddress
    const now = monotonicMs()
    this.arrivedAtMs = now
    this.requestTimeEpoch = settings?.requestTimeEpoch ?? epochMsAt(now)
    this.flavour = settings?.flavour ?? 'REST'
    this.bodyLimit = settings?.bodyLimit ?? DEFAULT_BODY_LIMIT

    this.path = this.rawPath
    this.apiId = undefined
    this.stage = undefined
    this.deploymentId = undefined
    this.stageVariables = null
    this.isCanaryRequest = false
    this.resourcePath = undefined
    this.resourceId = undefined
    this.routeKey = undefined
    this.pathParameters = null
    this.noRoute = false
    this.apiKey = undefined
    this.authorizer = undefined
    this.identity = undefined
    this.gatewayResponses = undefined

    this.status = 200
    this.responseHeaders = new NullProto()
    this.body = null
    this.error = undefined
    this.state = new NullProto() as unknown as S
    this.phaseTimes = undefined

    this.#requestId = undefined
    this.#extendedRequestId = undefined
    this.#query = undefined
    this.#body = undefined
    this.#streamed = false
  }

  /**
   * `$context.requestId`: REST keeps a client UUID from `x-amzn-RequestId`,
   * else a fresh UUID; HTTP APIs use a 16-character id (§12.5).
   */
  get requestId(): string {
    return (this.#requestId ??= this.flavour === 'HTTP' ? shortRequestId() : restRequestId(this.headers['x-amzn-requestid']))
  }

  /** `$context.extendedRequestId` (`x-amz-apigw-id`); equals `requestId` on HTTP APIs (§13.3). */
  get extendedRequestId(): string {
    return (this.#extendedRequestId ??= this.flavour === 'HTTP' ? this.requestId : shortRequestId())
  }

  /** Decoded multi-value query parameters, parsed on first use (§1.1, §1.2). */
  get query(): QueryParameters {
    return (this.#query ??= parseQuery(this.rawQuery, this.flavour))
  }

  /** Aborted when the client disconnects. */
  get signal(): AbortSignal {
    return this.source.signal
  }

  /**
   * The request body, read once and cached, at most `bodyLimit` bytes; past
   * that it rejects with `GatewayError('REQUEST_TOO_LARGE')` (413, §15).
   * @throws GwError GW_CORE_BODY_CONSUMED when the body was already streamed
   */
  readBody(): Promise<Buffer> {
    if (this.#body !== undefined) return this.#body
    if (this.#streamed) return Promise.reject(BodyConsumed())
    return (this.#body = this.source.readBody(this.bodyLimit))
  }

  /**
   * The body as a stream (for proxies, which must not buffer, §3.4); `null`
   * when there is none. If `readBody()` ran first, the buffered copy is replayed.
   */
  bodyStream(): Readable | null {
    const buffered = this.#body
    if (buffered !== undefined) return Readable.from(replay(buffered))
    this.#streamed = true
    return this.source.stream(this.bodyLimit)
  }

  /** Sets a JSON response (`content-type: application/json`). */
  json(value: unknown, status?: number): void {
    if (status !== undefined) this.status = status
    this.responseHeaders['content-type'] = 'application/json'
    this.body = JSON.stringify(value)
  }
}

async function* replay(body: Promise<Buffer>): AsyncGenerator<Buffer> {
  const buf = await body
  if (buf.length > 0) yield buf
}
