import type { GatewayContext } from '@gw/core'

/**
 * Standard response headers of gateway routes, in one place (§12.5): REST
 * `x-amzn-RequestId` and `x-amz-apigw-id`; HTTP APIs `apigw-requestid`.
 * Rejections rendered by core already carry them; this covers integration
 * responses.
 */
export function decorateResponse(ctx: GatewayContext<object>): void {
  const headers = ctx.responseHeaders
  if (ctx.flavour === 'HTTP') headers['apigw-requestid'] = ctx.requestId
  else {
    headers['x-amzn-requestid'] = ctx.requestId
    headers['x-amz-apigw-id'] = ctx.extendedRequestId
  }
}
