import type { GatewayContext } from './context.js'
import type { ApiFlavour } from './gateway-response-types.js'
import { reject } from './gateway-responses.js'

/** REST: URL length limit of regional APIs, characters (aws-semantics §15). */
export const URL_LENGTH_LIMIT = 10_240
/** REST: total of all header values; HTTP API: request line plus header values, bytes (§15). */
export const HEADER_SIZE_LIMIT = 10_240

/** What the front door decided: 0 = let the request in, else the status it is answered with (§15). */
export type FrontDoorVerdict = 0 | 413 | 414 | 431

/** ` HTTP/1.1` plus the space after the method: what the request line adds to method and target. */
const REQUEST_LINE_EXTRA = 10

/**
 * The §15 limits, checked before any middleware runs (routing, authorizers and
 * integrations never see an oversized request): a declared `Content-Length`
 * above `bodyLimit` → 413 (the body is never read); REST: a URL over 10,240
 * characters → 414, header values totalling over 10,240 bytes → 431; HTTP API:
 * request line plus header values over 10,240 bytes → 431 (414 when the
 * request line alone is over). `headerValueBytes` is the sum of the lengths of
 * every header value as received (node and fetch hand them over as latin1, one
 * char per byte). Allocates nothing.
 */
export function frontDoorVerdict(flavour: ApiFlavour, method: string, url: string, headerValueBytes: number, declaredLength: number, bodyLimit: number): FrontDoorVerdict {
  if (declaredLength > bodyLimit) return 413
  if (flavour === 'HTTP') {
    const line = method.length + url.length + REQUEST_LINE_EXTRA
    if (line > HEADER_SIZE_LIMIT) return 414
    return line + headerValueBytes > HEADER_SIZE_LIMIT ? 431 : 0
  }
  if (url.length > URL_LENGTH_LIMIT) return 414
  return headerValueBytes > HEADER_SIZE_LIMIT ? 431 : 0
}

/** Sum of the value lengths of node's `rawHeaders` (`[name, value, …]`). */
export function rawHeaderValueBytes(rawHeaders: readonly string[]): number {
  let total = 0
  for (let i = 1; i < rawHeaders.length; i += 2) total += (rawHeaders[i] as string).length
  return total
}

/**
 * Renders a front-door refusal: 413 is REQUEST_TOO_LARGE (not customizable,
 * §12.1; HTTP APIs `{"message":"Request Entity Too Large"}`, §12.3). 414 and
 * 431 have no gateway-response type in AWS's catalogue: they are answered as a
 * DEFAULT_4XX with `x-amzn-ErrorType: BadRequestException` and the reason
 * phrase as message (`URI Too Long`, `Request Header Fields Too Large`), the
 * same body node's parser refusals get from `clientErrorResponse`.
 */
export function rejectAtFrontDoor(ctx: GatewayContext<object>, verdict: Exclude<FrontDoorVerdict, 0>): void {
  if (verdict === 413) return reject(ctx, 'REQUEST_TOO_LARGE')
  const message = verdict === 414 ? 'URI Too Long' : 'Request Header Fields Too Large'
  reject(ctx, 'DEFAULT_4XX', { status: verdict, message, headers: ctx.flavour === 'HTTP' ? NO_HEADERS : BAD_REQUEST })
  if (ctx.flavour === 'HTTP') {
    // §12.3's catalogue has no row for these: same body shape, the limit's own status.
    ctx.status = verdict
    ctx.body = `{"message":"${message}"}`
  }
}

const BAD_REQUEST = Object.freeze({ 'x-amzn-errortype': 'BadRequestException' })
const NO_HEADERS = Object.freeze({})
