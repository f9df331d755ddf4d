import { clientCertificate, domainNameOf, domainPrefixOf, formatRequestTime, isGatewayCredential, setOwn, type GatewayContext } from '@gw/core'
import { isHttpApiTextType } from './binary.js'

/**
 * §3.2: client headers discarded on arrival, never in proxy events.
 * Lower-case names.
 */
const DISCARDED = new Set([
  'connection', 'content-length', 'content-md5', 'expect', 'max-forwards', 'proxy-authenticate', 'server', 'te',
  'transfer-encoding', 'trailer', 'upgrade', 'www-authenticate', 'keep-alive'
])

/** What the event builders need besides ctx. */
export interface EventSettings {
  readonly accountId: string
  readonly isBinary: (contentType: string | undefined) => boolean
  readonly traceId: string
}

const IDENTITY_FIELDS = [
  'accessKey', 'accountId', 'caller', 'cognitoAuthenticationProvider', 'cognitoAuthenticationType', 'cognitoIdentityId',
  'cognitoIdentityPoolId', 'principalOrgId', 'sourceIp', 'user', 'userAgent', 'userArn'
] as const

function hostOf(ctx: GatewayContext<object>): string {
  return ctx.headers.host ?? ''
}

function bodyField(raw: Buffer | null, binary: boolean): { body: string | null; isBase64Encoded: boolean } {
  if (raw === null || raw.length === 0) return { body: null, isBase64Encoded: false }
  return binary ? { body: raw.toString('base64'), isBase64Encoded: true } : { body: raw.toString('utf8'), isBase64Encoded: false }
}

/**
 * Payload format 1.0 (§2.1): client header casing, last value in `headers`,
 * all in `multiValueHeaders`; `null` for absent query, path parameters,
 * stage variables, body; gateway headers `X-Forwarded-*`, `X-Amzn-Trace-Id`.
 */
export function eventV1(ctx: GatewayContext<object>, raw: Buffer | null, s: EventSettings): Record<string, unknown> {
  const headers = Object.create(null) as Record<string, string>
  const multi = Object.create(null) as Record<string, string[]>
  const add = (name: string, value: string): void => {
    headers[name] = value
    ;(multi[name] ??= []).push(value)
  }
  const rh = ctx.source.rawHeaders
  let xff: string | undefined
  for (let i = 0; i + 1 < rh.length; i += 2) {
    const name = rh[i] as string
    const lower = name.toLowerCase()
    if (DISCARDED.has(lower) || isGatewayCredential(lower, rh[i + 1] as string) || lower === 'x-forwarded-for' || lower === 'x-forwarded-port' || lower === 'x-forwarded-proto' || lower === 'x-amzn-trace-id') {
      if (lower === 'x-forwarded-for') xff = rh[i + 1]
      continue
    }
    add(name, rh[i + 1] as string)
  }
  const https = ctx.source.protocol === 'https'
  const host = hostOf(ctx)
  const colon = host.lastIndexOf(':')
  const port = colon > host.lastIndexOf(']') && colon !== -1 ? host.slice(colon + 1) : https ? '443' : '80'
  add('X-Amzn-Trace-Id', s.traceId)
  add('X-Forwarded-For', xff === undefined ? ctx.sourceIp : `${xff}, ${ctx.sourceIp}`)
  add('X-Forwarded-Port', port)
  add('X-Forwarded-Proto', https ? 'https' : 'http')

  const q = ctx.query
  let qs: Record<string, string> | null = null
  let mq: Record<string, string[]> | null = null
  for (const k in q) {
    const values = q[k] as string[]
    setOwn((qs ??= {}), k, values[values.length - 1] as string) // `__proto__` stays a key (issue #15 item 4)
    setOwn((mq ??= {}), k, values.slice())
  }
  const identity: Record<string, unknown> = {}
  for (const f of IDENTITY_FIELDS) identity[f] = null
  identity['sourceIp'] = ctx.sourceIp
  identity['userAgent'] = ctx.headers['user-agent'] ?? null
  if (ctx.identity !== undefined) Object.assign(identity, ctx.identity)
  // §2.1 identity.clientCert: only on a mutual-TLS custom domain
  const clientCert = clientCertificate(ctx)
  if (clientCert !== undefined) identity['clientCert'] = clientCert
  if (ctx.apiKey !== undefined) {
    identity['apiKey'] = ctx.apiKey.value
    identity['apiKeyId'] = ctx.apiKey.id
  }
  const stage = ctx.stage ?? '$default'
  const domainName = domainNameOf(ctx)
  const requestContext: Record<string, unknown> = {
    accountId: s.accountId,
    apiId: ctx.apiId ?? null,
    ...(ctx.authorizer === undefined ? {} : { authorizer: ctx.authorizer }),
    deploymentId: ctx.deploymentId ?? null,
    domainName,
    domainPrefix: domainPrefixOf(domainName),
    extendedRequestId: ctx.extendedRequestId,
    httpMethod: ctx.method,
    identity,
    path: stage === '$default' ? ctx.path : `/${stage}${ctx.path}`,
    protocol: 'HTTP/1.1',
    requestId: ctx.requestId,
    requestTime: formatRequestTime(ctx.requestTimeEpoch),
    requestTimeEpoch: ctx.requestTimeEpoch,
    resourceId: ctx.resourceId ?? null,
    resourcePath: ctx.resourcePath ?? ctx.path,
    stage
  }
  const sv = ctx.stageVariables
  const binary = ctx.flavour === 'HTTP' ? !isHttpApiTextType(ctx.headers['content-type']) : s.isBinary(ctx.headers['content-type'])
  const event: Record<string, unknown> = {}
  if (ctx.flavour === 'HTTP') event['version'] = '1.0'
  event['resource'] = ctx.resourcePath ?? ctx.path
  event['path'] = ctx.path
  event['httpMethod'] = ctx.method
  event['headers'] = headers
  event['multiValueHeaders'] = multi
  event['queryStringParameters'] = qs
  event['multiValueQueryStringParameters'] = mq
  event['pathParameters'] = ctx.pathParameters === null ? null : { ...ctx.pathParameters }
  event['stageVariables'] = sv === null || Object.keys(sv).length === 0 ? null : { ...sv }
  event['requestContext'] = requestContext
  const b = bodyField(raw, binary)
  event['body'] = b.body
  event['isBase64Encoded'] = b.isBase64Encoded
  return event
}

/**
 * Payload format 2.0 (§2.2): lower-case headers joined with `,`, cookies
 * split out, query values joined with `,`, absent fields omitted.
 */
export function eventV2(ctx: GatewayContext<object>, raw: Buffer | null, s: EventSettings): Record<string, unknown> {
  const headers = Object.create(null) as Record<string, string>
  const cookies: string[] = []
  const rh = ctx.source.rawHeaders
  for (let i = 0; i + 1 < rh.length; i += 2) {
    const lower = (rh[i] as string).toLowerCase()
    const value = rh[i + 1] as string
    if (DISCARDED.has(lower) || isGatewayCredential(lower, value)) continue // §3.2, §10.8
    if (lower === 'cookie') {
      for (const c of value.split(';')) if (c.trim() !== '') cookies.push(c.trim())
      continue
    }
    const prev = headers[lower]
    headers[lower] = prev === undefined ? value : `${prev},${value}`
  }
  headers['x-amzn-trace-id'] = s.traceId
  headers['x-forwarded-for'] = headers['x-forwarded-for'] === undefined ? ctx.sourceIp : `${headers['x-forwarded-for']}, ${ctx.sourceIp}`
  headers['x-forwarded-proto'] = ctx.source.protocol
  const q = ctx.query
  let qs: Record<string, string> | undefined
  for (const k in q) setOwn((qs ??= {}), k, (q[k] as string[]).join(','))
  const domainName = domainNameOf(ctx)
  const routeKey = ctx.routeKey ?? '$default'
  const event: Record<string, unknown> = { version: '2.0', routeKey, rawPath: ctx.path, rawQueryString: ctx.rawQuery }
  if (cookies.length > 0) event['cookies'] = cookies
  event['headers'] = headers
  if (qs !== undefined) event['queryStringParameters'] = qs
  const requestContext: Record<string, unknown> = {
    accountId: s.accountId,
    apiId: ctx.apiId ?? '',
    ...authentication(ctx),
    ...(ctx.authorizer === undefined ? {} : { authorizer: ctx.authorizer }),
    domainName,
    domainPrefix: domainPrefixOf(domainName),
    http: { method: ctx.method, path: ctx.path, protocol: 'HTTP/1.1', sourceIp: ctx.sourceIp, userAgent: ctx.headers['user-agent'] ?? '' },
    requestId: ctx.requestId,
    routeKey,
    stage: ctx.stage ?? '$default',
    time: formatRequestTime(ctx.requestTimeEpoch),
    timeEpoch: ctx.requestTimeEpoch
  }
  if (ctx.pathParameters !== null) event['pathParameters'] = { ...ctx.pathParameters }
  event['requestContext'] = requestContext
  const sv = ctx.stageVariables
  if (sv !== null && Object.keys(sv).length > 0) event['stageVariables'] = { ...sv }
  const b = bodyField(raw, !isHttpApiTextType(ctx.headers['content-type']))
  if (b.body !== null) event['body'] = b.body
  event['isBase64Encoded'] = b.isBase64Encoded
  return event
}

/** §2.2 `requestContext.authentication`: `{ clientCert }` on a mutual-TLS custom domain, absent otherwise. */
function authentication(ctx: GatewayContext<object>): { authentication?: { clientCert: unknown } } {
  const clientCert = clientCertificate(ctx)
  return clientCert === undefined ? {} : { authentication: { clientCert } }
}
