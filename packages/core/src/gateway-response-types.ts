/**
 * The catalogue of API Gateway gateway-response types (aws-semantics §12.1)
 * and the HTTP API catalogue (§12.3). Statuses, bodies and
 * `x-amzn-ErrorType` values are AWS's and must not change.
 */

/** Every REST gateway-response type of aws-semantics §12.1. */
export type GatewayResponseType =
  | 'ACCESS_DENIED'
  | 'API_CONFIGURATION_ERROR'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'AUTHORIZER_FAILURE'
  | 'BAD_REQUEST_PARAMETERS'
  | 'BAD_REQUEST_BODY'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX'
  | 'EXPIRED_TOKEN'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'INVALID_API_KEY'
  | 'INVALID_SIGNATURE'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'QUOTA_EXCEEDED'
  | 'REQUEST_TOO_LARGE'
  | 'RESOURCE_NOT_FOUND'
  | 'THROTTLED'
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'WAF_FILTERED'

/** Which error catalogue a pipeline renders: REST (§12.1, customizable) or HTTP API (§12.3, fixed). */
export type ApiFlavour = 'REST' | 'HTTP'

/** Built-in definition of one response type. */
export interface GatewayResponseTypeInfo {
  /** Default status; `null` for DEFAULT_4XX / DEFAULT_5XX (§12.1). */
  readonly status: number | null
  /** `x-amzn-ErrorType` header value; `null` where AWS sends none. */
  readonly errorType: string | null
  /** Default `$context.error.message`; `null` renders as JSON null (AUTHORIZER_CONFIGURATION_ERROR). */
  readonly message: string | null
  /** Body key: `message`, or `Message` for ACCESS_DENIED (§12.1, §10.4). */
  readonly bodyKey: 'message' | 'Message'
  /** Whether PutGatewayResponse may customize it (REQUEST_TOO_LARGE may not, §12.1). */
  readonly customizable: boolean
}

const t = (
  status: number | null,
  errorType: string | null,
  message: string | null,
  bodyKey: 'message' | 'Message' = 'message',
  customizable = true
): GatewayResponseTypeInfo => Object.freeze({ status, errorType, message, bodyKey, customizable })

/** aws-semantics §12.1, row by row. */
export const GATEWAY_RESPONSE_TYPES: Readonly<Record<GatewayResponseType, GatewayResponseTypeInfo>> = Object.freeze({
  ACCESS_DENIED: t(403, 'AccessDeniedException', 'User is not authorized to access this resource', 'Message'),
  API_CONFIGURATION_ERROR: t(500, 'InternalServerErrorException', 'Internal server error'),
  AUTHORIZER_CONFIGURATION_ERROR: t(500, 'AuthorizerConfigurationException', null),
  AUTHORIZER_FAILURE: t(500, 'AuthorizerFailureException', 'Internal server error'),
  BAD_REQUEST_PARAMETERS: t(400, 'BadRequestException', 'Missing required request parameters: []'),
  BAD_REQUEST_BODY: t(400, 'BadRequestException', 'Invalid request body'),
  DEFAULT_4XX: t(null, null, null),
  DEFAULT_5XX: t(null, null, 'Internal server error'),
  EXPIRED_TOKEN: t(403, 'ExpiredTokenException', 'The security token included in the request is expired'),
  INTEGRATION_FAILURE: t(504, 'InternalServerErrorException', 'Internal server error'),
  INTEGRATION_TIMEOUT: t(504, 'InternalServerErrorException', 'Endpoint request timed out'),
  INVALID_API_KEY: t(403, 'ForbiddenException', 'Forbidden'),
  INVALID_SIGNATURE: t(403, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.'),
  MISSING_AUTHENTICATION_TOKEN: t(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'),
  QUOTA_EXCEEDED: t(429, 'LimitExceededException', 'Limit Exceeded'),
  REQUEST_TOO_LARGE: t(413, 'RequestTooLargeException', 'Request Too Long', 'message', false),
  RESOURCE_NOT_FOUND: t(404, 'ResourceNotFoundException', 'Not Found'),
  THROTTLED: t(429, 'TooManyRequestsException', 'Too Many Requests'),
  UNAUTHORIZED: t(401, 'UnauthorizedException', 'Unauthorized'),
  UNSUPPORTED_MEDIA_TYPE: t(415, 'BadRequestException', 'Unsupported Media Type'),
  WAF_FILTERED: t(403, 'WafFilteredException', 'Forbidden')
})

/** One row of the HTTP API catalogue (§12.3): fixed status and message, no `x-amzn-ErrorType`. */
export interface HttpApiErrorInfo {
  readonly status: number
  readonly message: string
}

const h = (status: number, message: string): HttpApiErrorInfo => Object.freeze({ status, message })

/**
 * How each type renders on an HTTP API (aws-semantics §12.3: not customizable).
 * Types that HTTP APIs never raise map to the nearest row of the same class.
 */
export const HTTP_API_ERRORS: Readonly<Record<GatewayResponseType, HttpApiErrorInfo>> = Object.freeze({
  ACCESS_DENIED: h(403, 'Forbidden'),
  API_CONFIGURATION_ERROR: h(500, 'Internal Server Error'),
  AUTHORIZER_CONFIGURATION_ERROR: h(500, 'Internal Server Error'),
  AUTHORIZER_FAILURE: h(500, 'Internal Server Error'),
  BAD_REQUEST_PARAMETERS: h(400, 'Bad Request'),
  BAD_REQUEST_BODY: h(400, 'Bad Request'),
  DEFAULT_4XX: h(400, 'Bad Request'),
  DEFAULT_5XX: h(500, 'Internal Server Error'),
  EXPIRED_TOKEN: h(401, 'Unauthorized'),
  INTEGRATION_FAILURE: h(500, 'Internal Server Error'),
  INTEGRATION_TIMEOUT: h(503, 'Service Unavailable'),
  INVALID_API_KEY: h(403, 'Forbidden'),
  INVALID_SIGNATURE: h(403, 'Forbidden'),
  MISSING_AUTHENTICATION_TOKEN: h(404, 'Not Found'),
  QUOTA_EXCEEDED: h(429, 'Too Many Requests'),
  REQUEST_TOO_LARGE: h(413, 'Request Entity Too Large'),
  RESOURCE_NOT_FOUND: h(404, 'Not Found'),
  THROTTLED: h(429, 'Too Many Requests'),
  UNAUTHORIZED: h(401, 'Unauthorized'),
  UNSUPPORTED_MEDIA_TYPE: h(415, 'Unsupported Media Type'),
  WAF_FILTERED: h(403, 'Forbidden')
})

/** True when `value` names a type of §12.1. */
export function isGatewayResponseType(value: unknown): value is GatewayResponseType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(GATEWAY_RESPONSE_TYPES, value)
}
