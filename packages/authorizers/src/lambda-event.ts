import { clientCertificate, contextVariables, domainNameOf, domainPrefixOf, formatRequestTime, type GatewayContext } from '@gw/core'

/**
 * Lambda authorizer events (aws-semantics §10.2, §10.3, §10.5). Empty maps
 * are sent as `{}` in REST REQUEST events (§10.3).
 */

/** TOKEN event (§10.2). */
export function tokenEvent(token: string, methodArn: string): Record<string, unknown> {
  return { type: 'TOKEN', authorizationToken: token, methodArn }
}

/** REST REQUEST event (§10.3), plus `version`/`identitySource`/`authorizationToken` for HTTP API 1.0 (§10.5). */
export function requestEventV1(ctx: GatewayContext<object>, methodArn: string, identity: readonly string[] | undefined, accountId: string): Record<string, unknown> {
  const headers: Record<string, string> = {}
  const multiValueHeaders: Record<string, string[]> = {}
  const raw = ctx.source.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    const value = raw[i + 1] as string
    headers[name] = value
    ;(multiValueHeaders[name] ??= []).push(value)
  }
  const queryStringParameters: Record<string, string> = {}
  const multiValueQueryStringParameters: Record<string, string[]> = {}
  for (const [k, values] of Object.entries(ctx.query)) {
    if (values === undefined) continue
    queryStringParameters[k] = values[values.length - 1] ?? ''
    multiValueQueryStringParameters[k] = [...values]
  }
  const vars = contextVariables(ctx, { accountId })
  const event: Record<string, unknown> = {
    type: 'REQUEST',
    methodArn,
    resource: ctx.resourcePath ?? ctx.path,
    path: ctx.path,
    httpMethod: ctx.method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters: { ...ctx.pathParameters },
    stageVariables: { ...ctx.stageVariables },
    requestContext: {
      accountId: vars.accountId,
      apiId: vars.apiId,
      deploymentId: vars.deploymentId,
      domainName: vars.domainName,
      domainPrefix: vars.domainPrefix,
      extendedRequestId: vars.extendedRequestId,
      httpMethod: vars.httpMethod,
      identity: vars.identity,
      path: vars.path,
      protocol: vars.protocol,
      requestId: vars.requestId,
      requestTime: vars.requestTime,
      requestTimeEpoch: vars.requestTimeEpoch,
      resourceId: vars.resourceId,
      resourcePath: vars.resourcePath,
      stage: vars.stage
    }
  }
  if (identity !== undefined) {
    const joined = identity.join(',')
    event.version = '1.0'
    event.identitySource = joined
    event.authorizationToken = joined
  }
  return event
}

/** HTTP API payload 2.0 REQUEST event (§10.5, requestContext as §2.2). */
export function requestEventV2(ctx: GatewayContext<object>, routeArn: string, identity: readonly string[], accountId: string): Record<string, unknown> {
  const headers: Record<string, string> = {}
  let cookies: string[] | undefined
  for (const [name, value] of Object.entries(ctx.headers)) {
    if (value === undefined) continue
    if (name === 'cookie') {
      cookies = (Array.isArray(value) ? value.join('; ') : value).split('; ').filter((c) => c.length > 0)
      continue
    }
    headers[name] = Array.isArray(value) ? value.join(',') : value
  }
  const event: Record<string, unknown> = {
    version: '2.0',
    type: 'REQUEST',
    routeArn,
    identitySource: [...identity],
    routeKey: ctx.routeKey ?? '$default',
    rawPath: ctx.path,
    rawQueryString: ctx.rawQuery,
    headers
  }
  if (cookies !== undefined) event.cookies = cookies
  const entries = Object.entries(ctx.query)
  if (entries.length > 0) {
    const q: Record<string, string> = {}
    for (const [k, values] of entries) if (values !== undefined) q[k] = values.join(',')
    event.queryStringParameters = q
  }
  const ua = ctx.headers['user-agent']
  const clientCert = clientCertificate(ctx)
  event.requestContext = {
    accountId,
    apiId: ctx.apiId ?? '',
    // §2.2 authentication.clientCert on a mutual-TLS custom domain
    ...(clientCert === undefined ? {} : { authentication: { clientCert } }),
    domainName: domainNameOf(ctx),
    domainPrefix: domainPrefixOf(domainNameOf(ctx)),
    http: { method: ctx.method, path: ctx.path, protocol: 'HTTP/1.1', sourceIp: ctx.sourceIp, userAgent: typeof ua === 'string' ? ua : '' },
    requestId: ctx.requestId,
    routeKey: ctx.routeKey ?? '$default',
    stage: ctx.stage ?? '$default',
    time: formatRequestTime(ctx.requestTimeEpoch),
    timeEpoch: ctx.requestTimeEpoch
  }
  if (ctx.pathParameters !== null) event.pathParameters = { ...ctx.pathParameters }
  if (ctx.stageVariables !== null) event.stageVariables = { ...ctx.stageVariables }
  return event
}
