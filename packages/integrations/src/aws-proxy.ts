import { reject, substituteStageVariables, type GatewayContext, type Logger } from '@gw/core'
import type { ParsedIntegration, ParsedIntegrationOptions } from './options.js'
import { compileBinaryMatcher, firstAccept } from './binary.js'
import { eventV1, eventV2, type EventSettings } from './lambda-event.js'
import { parseProxyResponseV1, parseProxyResponseV2 } from './lambda-response.js'
import { inProcessInvoker, remoteInvoker, type Invoker } from './lambda-invoke.js'
import type { IntegrationMiddleware } from './http-proxy.js'
import { traceId } from './trace-id.js'

const INVOCATION_URI = /^arn:aws[\w-]*:apigateway:[\w-]+:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/

/** The function ARN or name of a Lambda integration URI (§2), or the URI itself when it is a bare name/ARN. */
export function functionOfUri(uri: string): string {
  return INVOCATION_URI.exec(uri)?.[1] ?? uri
}

/** Builds the invoker for one function name: in-process first, else the remote Invoke API. */
export function compileInvoker(options: ParsedIntegrationOptions): { forFunction: (fn: string) => Invoker | undefined; close: () => Promise<void> } {
  const region = options.aws?.region ?? 'us-east-1'
  const local = options.lambda === undefined ? undefined : inProcessInvoker(options.lambda, region)
  const endpoint = options.aws?.endpoint
  const remote = endpoint === undefined ? undefined : remoteInvoker(endpoint, region, options.aws?.credentials)
  return {
    forFunction: (fn) => local?.(fn) ?? remote,
    close: () => remote?.close() ?? Promise.resolve()
  }
}

function log(logger: Logger | undefined, ctx: GatewayContext<object>, msg: string, extra?: unknown): void {
  logger?.error({ event: 'gw.integration_error', msg, requestId: ctx.requestId, ...(extra === undefined ? {} : { detail: extra }) })
}

/**
 * AWS_PROXY (Lambda proxy, §2): builds the 1.0 or 2.0 event, invokes the
 * function synchronously and maps its answer (§2.3, §2.4). Failures: function
 * error or malformed response → 502 `Internal server error` (REST) / 500
 * `Internal Server Error` (HTTP API); invocation failure or non-POST method →
 * 500; timeout → 504 (REST) / 503 (HTTP API).
 */
export function lambdaProxyIntegration(def: ParsedIntegration, options: ParsedIntegrationOptions): IntegrationMiddleware {
  const fnTemplate = functionOfUri(def.uri as string)
  const dynamic = fnTemplate.includes('${stageVariables.')
  const invoker = compileInvoker(options)
  const staticInvoke = dynamic ? undefined : invoker.forFunction(fnTemplate)
  const postOnly = def.httpMethod === undefined || def.httpMethod.toUpperCase() === 'POST'
  const http = options.flavour === 'HTTP'
  const v2 = http && def.payloadFormatVersion !== '1.0'
  const timeout = def.timeoutInMillis ?? (http ? 30_000 : 29_000)
  const isBinary = compileBinaryMatcher(options.binaryMediaTypes)
  const accountId = options.accountId
  const logger = options.logger

  async function lambdaProxy(ctx: GatewayContext<object>): Promise<void> {
    if (!postOnly) {
      log(logger, ctx, 'Execution failed due to configuration error: integration httpMethod must be POST for Lambda (§2)')
      return reject(ctx, 'INTEGRATION_FAILURE', { status: 500 })
    }
    const fn = dynamic ? substituteStageVariables(fnTemplate, ctx.stageVariables) : fnTemplate
    const invoke = dynamic ? invoker.forFunction(fn) : staticInvoke
    if (invoke === undefined) {
      log(logger, ctx, `Execution failed due to configuration error: no handler for Lambda function ${fn}`)
      return reject(ctx, 'INTEGRATION_FAILURE', { status: 500 })
    }
    const raw = ctx.source.hasBody ? await ctx.readBody() : null
    const settings: EventSettings = { accountId, isBinary, traceId: traceId(ctx.requestTimeEpoch) }
    const event = v2 ? eventV2(ctx, raw, settings) : eventV1(ctx, raw, settings)
    const result = await invoke(fn, event, timeout)
    if (result.kind === 'timeout') return reject(ctx, 'INTEGRATION_TIMEOUT')
    if (result.kind === 'failed') {
      log(logger, ctx, 'Execution failed due to configuration error: Lambda invocation failed', result.reason)
      return reject(ctx, 'INTEGRATION_FAILURE', { status: 500 })
    }
    if (result.functionError !== undefined) {
      log(logger, ctx, 'Lambda execution failed with status 200 due to customer function error', result.payload.slice(0, 1000))
      return reject(ctx, 'INTEGRATION_FAILURE', { status: 502 })
    }
    const decode = http || (isBinary(firstAccept(ctx.headers.accept)) && ctx.headers.accept !== undefined)
    const response = v2 ? parseProxyResponseV2(result.payload) : parseProxyResponseV1(result.payload, decode)
    if (response === null) {
      log(logger, ctx, 'Execution failed due to configuration error: Malformed Lambda proxy response')
      return reject(ctx, 'INTEGRATION_FAILURE', { status: 502 })
    }
    ctx.status = response.status
    ctx.responseHeaders = response.headers
    ctx.body = response.body
  }
  return Object.assign(lambdaProxy, { close: invoker.close })
}
