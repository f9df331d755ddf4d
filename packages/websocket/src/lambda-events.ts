import { formatRequestTime } from '@gw/core'

/** What every event of one connection shares (§14.6 `requestContext`). */
export interface ConnectionFacts {
  readonly connectionId: string
  readonly connectedAt: number
  readonly apiId: string
  readonly stage: string
  readonly domainName: string
  readonly sourceIp: string
  readonly userAgent: string | null
  /** `requestContext.authorizer` when a `$connect` authorizer ran (§14.3). */
  readonly authorizer: Record<string, unknown> | undefined
  /** `$context.identity.*` set by IAM on `$connect` (§10.8). */
  readonly identity: Record<string, string | null> | undefined
  readonly apiKey: string | undefined
}

/** The event kinds of §14.6. */
export type EventType = 'CONNECT' | 'MESSAGE' | 'DISCONNECT'

/** One event's own values. */
export interface EventFacts {
  readonly eventType: EventType
  readonly routeKey: string
  readonly requestId: string
  readonly requestTimeEpoch: number
  readonly messageId: string | null
  readonly disconnectStatusCode?: number
  readonly disconnectReason?: string
}

/** `requestContext.identity` of §14.6 (IAM fields when `$connect` was signed), a new object each time. */
function identity(c: ConnectionFacts): Record<string, unknown> {
  const id: Record<string, unknown> = {
    accountId: null,
    apiKey: c.apiKey ?? null,
    apiKeyId: null,
    caller: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: c.sourceIp,
    user: null,
    userAgent: c.userAgent,
    userArn: null,
    accessKey: null
  }
  return c.identity === undefined ? id : Object.assign(id, c.identity)
}

/**
 * The connection's authorizer context (§14.3) as a new object: the event
 * owns it, so a handler that changes it changes no other event. Its values are
 * strings and numbers (§10.4 stringifies the context), copied flat; anything
 * nested is deep-copied through JSON.
 */
function authorizerCopy(a: Record<string, unknown>): Record<string, unknown> {
  for (const k in a) {
    const v = a[k]
    if (v !== null && typeof v === 'object') return JSON.parse(JSON.stringify(a)) as Record<string, unknown>
  }
  return { ...a }
}

/**
 * `requestContext` of a WebSocket Lambda proxy event (§14.6), field for
 * field: CONNECT and DISCONNECT carry `disconnectStatusCode` /
 * `disconnectReason` (null on CONNECT), MESSAGE does not; `requestId` equals
 * `extendedRequestId`; `authorizer` only after a `$connect` authorizer.
 */
export function requestContext(c: ConnectionFacts, e: EventFacts): Record<string, unknown> {
  const rc: Record<string, unknown> = {
    routeKey: e.routeKey,
    eventType: e.eventType,
    messageId: e.messageId,
    messageDirection: 'IN'
  }
  if (e.eventType !== 'MESSAGE') {
    rc.disconnectStatusCode = e.disconnectStatusCode ?? null
    rc.disconnectReason = e.disconnectReason ?? null
  }
  rc.extendedRequestId = e.requestId
  rc.requestTime = formatRequestTime(e.requestTimeEpoch)
  rc.requestTimeEpoch = e.requestTimeEpoch
  rc.connectedAt = c.connectedAt
  rc.connectionId = c.connectionId
  rc.stage = c.stage
  rc.domainName = c.domainName
  rc.apiId = c.apiId
  rc.requestId = e.requestId
  rc.identity = identity(c)
  if (c.authorizer !== undefined) rc.authorizer = authorizerCopy(c.authorizer)
  return rc
}

/** Client-cased single- and multi-value maps of `[name, value, …]` (§14.6: headers keep their casing). */
export function headerMaps(raw: readonly string[]): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const headers: Record<string, string> = {}
  const multiValueHeaders: Record<string, string[]> = {}
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    const value = raw[i + 1] as string
    headers[name] = Object.prototype.hasOwnProperty.call(headers, name) ? `${headers[name] as string},${value}` : value
    ;(multiValueHeaders[name] ??= []).push(value)
  }
  return { headers, multiValueHeaders }
}

/** The `$connect` event (§14.3, §14.6): headers, query string, `isBase64Encoded: false`. */
export function connectEvent(c: ConnectionFacts, e: EventFacts, rawHeaders: readonly string[], query: Readonly<Record<string, string[]>>): Record<string, unknown> {
  const { headers, multiValueHeaders } = headerMaps(rawHeaders)
  const event: Record<string, unknown> = { headers, multiValueHeaders }
  const names = Object.keys(query)
  if (names.length !== 0) {
    const single: Record<string, string> = {}
    const multi: Record<string, string[]> = {}
    for (const name of names) {
      const values = query[name] as string[]
      single[name] = values[values.length - 1] as string
      multi[name] = [...values]
    }
    event.queryStringParameters = single
    event.multiValueQueryStringParameters = multi
  }
  event.requestContext = requestContext(c, e)
  event.isBase64Encoded = false
  return event
}

/**
 * A MESSAGE event (§14.6): the body as text, or base64 with `isBase64Encoded:
 * true` for a binary frame (§14.4). One object literal per message, made
 * afresh (no part shared with the connection or another event), so an
 * in-process handler can take it without a copy (`FreshEvent`); the field
 * order is `requestContext()`'s.
 */
export function messageEvent(c: ConnectionFacts, e: EventFacts, data: Buffer, binary: boolean, text: string | undefined): Record<string, unknown> {
  const rc: Record<string, unknown> = {
    routeKey: e.routeKey,
    eventType: 'MESSAGE',
    messageId: e.messageId,
    messageDirection: 'IN',
    extendedRequestId: e.requestId,
    requestTime: formatRequestTime(e.requestTimeEpoch),
    requestTimeEpoch: e.requestTimeEpoch,
    connectedAt: c.connectedAt,
    connectionId: c.connectionId,
    stage: c.stage,
    domainName: c.domainName,
    apiId: c.apiId,
    requestId: e.requestId,
    identity: identity(c)
  }
  if (c.authorizer !== undefined) rc.authorizer = authorizerCopy(c.authorizer)
  return { requestContext: rc, body: binary ? data.toString('base64') : (text ?? data.toString('utf8')), isBase64Encoded: binary }
}

/** The `$disconnect` event (§14.5): the small fixed header set, the close code and reason. */
export function disconnectEvent(c: ConnectionFacts, e: EventFacts): Record<string, unknown> {
  const headers: Record<string, string> = { Host: c.domainName, 'x-api-key': c.apiKey ?? '', 'x-restapi': c.apiId }
  if (c.apiKey === undefined) delete headers['x-api-key']
  const multiValueHeaders: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(headers)) multiValueHeaders[k] = [v]
  return { headers, multiValueHeaders, requestContext: requestContext(c, e), isBase64Encoded: false }
}
