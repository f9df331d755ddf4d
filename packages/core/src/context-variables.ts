import { clientCertificate } from './client-cert.js'
import { domainNameOf, domainPrefixOf } from './domain-name.js'
import type { GatewayContext } from './context.js'

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const
const pad = (n: number): string => (n < 10 ? `0${n}` : String(n))

// The last second formatted: requests of one second share its text (access logs, Lambda events, WebSocket events).
let lastSecond = Number.NaN
let lastText = ''

/**
 * `$context.requestTime`: CLF `dd/MMM/yyyy:HH:mm:ss +0000`, UTC, English months (§13.3). Formatted once per
 * second of the clock, not once per request (a `Date` and seven string pieces per request showed in the
 * access-log profile, issue #18).
 */
export function formatRequestTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000)
  if (second === lastSecond) return lastText
  const d = new Date(epochMs)
  lastText = `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()] ?? 'Jan'}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  lastSecond = second
  return lastText
}

/** Values of `$context.*` that come from outside the request (the API owner's account, endpoint kind). */
export interface ContextVariableOptions {
  /** `$context.accountId`. @default '123456789012' */
  accountId?: string
}

/**
 * `ctx.state` key of extra `$context` variables a feature adds for its own
 * requests (WebSocket: `connectionId`, `eventType`, `messageId`, §4.10, §14.6);
 * they are merged over the request's own. Read only when `$context` is built.
 */
export const CONTEXT_EXTRAS: unique symbol = Symbol.for('gw.contextExtras')

/** A nested, JSON-like `$context` object. */
export type ContextVariables = Record<string, unknown>

/**
 * Builds the `$context` variables of aws-semantics §13.3 from a context, for
 * mapping templates, gateway-response templates, parameter mapping and access
 * logs. Computed on demand (not per request unless asked for).
 */
export function contextVariables(ctx: GatewayContext<object>, options?: ContextVariableOptions): ContextVariables {
  const domainName = domainNameOf(ctx)
  const error = ctx.error
  const stagePath = ctx.stage !== undefined && ctx.stage !== '$default' ? `/${ctx.stage}${ctx.path}` : ctx.path
  const userAgent = ctx.headers['user-agent']
  const extras = (ctx.state as { [CONTEXT_EXTRAS]?: Record<string, unknown> })[CONTEXT_EXTRAS]
  const clientCert = clientCertificate(ctx)
  const vars: ContextVariables = {
    accountId: options?.accountId ?? '123456789012',
    apiId: ctx.apiId ?? '',
    authorizer: ctx.authorizer ?? {},
    deploymentId: ctx.deploymentId ?? '',
    domainName,
    domainPrefix: domainPrefixOf(domainName),
    error: {
      message: error?.message ?? '',
      messageString: error === undefined ? '' : JSON.stringify(error.message),
      responseType: error?.type ?? '',
      validationErrorString: error?.validationErrorString ?? ''
    },
    extendedRequestId: ctx.extendedRequestId,
    httpMethod: ctx.method,
    identity: {
      accountId: null,
      apiKey: ctx.apiKey?.value ?? null,
      apiKeyId: ctx.apiKey?.id ?? null,
      caller: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: ctx.sourceIp,
      user: null,
      userAgent: typeof userAgent === 'string' ? userAgent : null,
      userArn: null,
      ...ctx.identity,
      // §13.3 identity.clientCert.*: only on a mutual-TLS custom domain
      ...(clientCert === undefined ? {} : { clientCert })
    },
    isCanaryRequest: ctx.isCanaryRequest,
    path: stagePath,
    protocol: 'HTTP/1.1',
    requestId: ctx.requestId,
    requestTime: formatRequestTime(ctx.requestTimeEpoch),
    requestTimeEpoch: ctx.requestTimeEpoch,
    resourceId: ctx.resourceId ?? '',
    resourcePath: ctx.resourcePath ?? '',
    routeKey: ctx.routeKey ?? '',
    stage: ctx.stage ?? ''
  }
  return extras === undefined ? vars : Object.assign(vars, extras)
}

/** Reads a dotted path (`identity.sourceIp`) out of a `$context` object; `undefined` when absent. */
export function lookupContextVariable(vars: ContextVariables, dotted: string): unknown {
  let cur: unknown = vars
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined
    cur = (cur as Record<string, unknown>)[part]
  }
  return cur
}
