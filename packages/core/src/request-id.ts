import { randomFillSync, randomUUID } from 'node:crypto'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * `$context.requestId` of a REST API: the client's `x-amzn-RequestId` when it
 * is a UUID, a fresh UUID otherwise (aws-semantics §12.5).
 */
export function restRequestId(clientValue: string | string[] | undefined): string {
  return typeof clientValue === 'string' && UUID.test(clientValue) ? clientValue.toLowerCase() : randomUUID()
}

/** True when a client-supplied request id was not a UUID and was replaced (§12.5: `UUID_REPLACED_INVALID_REQUEST_ID`). */
export function isReplacedRequestId(clientValue: string | string[] | undefined): boolean {
  return clientValue !== undefined && !(typeof clientValue === 'string' && UUID.test(clientValue))
}

/** 11 random bytes = 15 base64 characters of entropy (the 16th is AWS's `=`). */
const ID_BYTES = 11
const POOL_IDS = 256
const pool = Buffer.allocUnsafe(ID_BYTES * POOL_IDS)
let poolOffset = pool.length

/**
 * A 16-character id ending in `=` as API Gateway uses for `$context.extendedRequestId`
 * (`x-amz-apigw-id`) and for HTTP API request ids (`apigw-requestid`, §12.5).
 */
export function shortRequestId(): string {
  // One system call per POOL_IDS ids instead of one per request (what randomUUID() does for UUIDs).
  if (poolOffset + ID_BYTES > pool.length) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const id = pool.toString('base64', poolOffset, poolOffset + ID_BYTES).slice(0, 15) + '='
  poolOffset += ID_BYTES
  return id
}

