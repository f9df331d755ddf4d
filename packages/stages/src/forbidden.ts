import { reject, type ApiFlavour, type GatewayContext } from '@gw/core'

const FORBIDDEN_HEADERS = { 'x-amzn-errortype': 'ForbiddenException' }

/**
 * 403 `{"message":"Forbidden"}`: what AWS answers on a disabled execute-api
 * endpoint (§1.1), an unmapped custom-domain base path and a private API
 * reached from outside its VPC endpoints [I]. HTTP APIs render the §12.3
 * catalogue's 403 row; REST the DEFAULT_4XX shape an unknown stage gets (§0.1).
 */
export function rejectForbidden(ctx: GatewayContext<object>, flavour: ApiFlavour): void {
  ctx.flavour = flavour
  ctx.noRoute = true
  if (flavour === 'HTTP') reject(ctx, 'ACCESS_DENIED')
  else reject(ctx, 'DEFAULT_4XX', { status: 403, message: 'Forbidden', headers: FORBIDDEN_HEADERS })
}
