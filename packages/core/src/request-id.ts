import { randomShortId, randomUuid } from './random-id.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * `$context.requestId` of a REST API: the client's `x-amzn-RequestId` when it
 * is a UUID, a fresh UUID otherwise (aws-semantics §12.5).
 */
export function restRequestId(clientValue: string | string[] | undefined): string {
  return typeof clientValue === 'string' && UUID.test(clientValue) ? clientValue.toLowerCase() : randomUuid()
}

/** True when a client-supplied request id was not a UUID and was replaced (§12.5: `UUID_REPLACED_INVALID_REQUEST_ID`). */
export function isReplacedRequestId(clientValue: string | string[] | undefined): boolean {
  return clientValue !== undefined && !(typeof clientValue === 'string' && UUID.test(clientValue))
}

/**
 * A 16-character id ending in `=` as API Gateway uses for `$context.extendedRequestId`
 * (`x-amz-apigw-id`) and for HTTP API request ids (`apigw-requestid`, §12.5).
 */
export function shortRequestId(): string {
  return randomShortId()
}
