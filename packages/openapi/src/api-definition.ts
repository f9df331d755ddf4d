import type { GatewayResponseCustomization, GatewayResponseType } from '@gw/core'

/**
 * The API described by an OpenAPI file, in API Gateway's own object shapes (RestApi, Method, Integration,
 * Authorizer, §16.1): what `importOpenApi()` returns and `exportOpenApi()` takes. Field names are AWS's.
 */
export interface ApiDefinition {
  /** `REST` for REST APIs, `HTTP` for HTTP APIs (§16.2 HTTP-only extensions or `protocol` option). */
  protocol: 'REST' | 'HTTP'
  /** `info.title`. */
  name: string
  /** `info.version`. */
  version?: string
  /** `info.description`. */
  description?: string
  /** Swagger 2 `basePath` / OAS 3 `servers[0].url` path; how it counts is the `basepath` import option (§16.1). */
  basePath?: string
  /** `x-amazon-apigateway-api-key-source` (§9.2). */
  apiKeySource?: 'HEADER' | 'AUTHORIZER'
  /** `x-amazon-apigateway-binary-media-types` (§17.1). */
  binaryMediaTypes?: string[]
  /** `x-amazon-apigateway-minimum-compression-size`, 0–10485760 (§17.5). */
  minimumCompressionSize?: number
  /** `x-amazon-apigateway-policy` (§10.9), as written. */
  policy?: unknown
  /** `x-amazon-apigateway-endpoint-configuration`. */
  endpointConfiguration?: EndpointConfiguration
  /** `x-amazon-apigateway-gateway-responses` (§12.2). */
  gatewayResponses?: Partial<Record<GatewayResponseType, GatewayResponseCustomization>>
  /** `x-amazon-apigateway-request-validators` (§5). */
  requestValidators?: Record<string, RequestValidator>
  /** Root `x-amazon-apigateway-request-validator`: the default validator of every method (§5). */
  requestValidator?: string
  /** `x-amazon-apigateway-cors` (HTTP API, §11.2). */
  cors?: CorsConfiguration
  /** `x-amazon-apigateway-importexport-version` (HTTP API). */
  importExportVersion?: string
  /** Models by name (JSON Schema draft 4, §5.2); refs between models are canonical `#/definitions/X` whatever the dialect. */
  models: Record<string, unknown>
  /** Authorizers by security-scheme name (§10). */
  authorizers: Record<string, AuthorizerDefinition>
  /** Methods (REST) or routes (HTTP API), in file order. */
  routes: RouteDefinition[]
}

/** `x-amazon-apigateway-endpoint-configuration`. */
export interface EndpointConfiguration {
  types?: string[]
  disableExecuteApiEndpoint?: boolean
  vpcEndpointIds?: string[]
}

/** One entry of `x-amazon-apigateway-request-validators`. */
export interface RequestValidator {
  validateRequestBody: boolean
  validateRequestParameters: boolean
}

/** `x-amazon-apigateway-cors` (§11.2). */
export interface CorsConfiguration {
  allowOrigins?: string[]
  allowCredentials?: boolean
  exposeHeaders?: string[]
  maxAge?: number
  allowMethods?: string[]
  allowHeaders?: string[]
}

/** Authorization types of a method (§10). */
export type AuthorizationType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'COGNITO_USER_POOLS' | 'JWT'

/** An authorizer from a security scheme with `x-amazon-apigateway-authorizer` (§10, §16.2). */
export interface AuthorizerDefinition {
  type: 'TOKEN' | 'REQUEST' | 'COGNITO_USER_POOLS' | 'JWT'
  /** `x-amazon-apigateway-authtype` label (`custom`, `oauth2`, `cognito_user_pools`). */
  authType?: string
  authorizerUri?: string
  authorizerCredentials?: string
  identitySource?: string
  identityValidationExpression?: string
  authorizerResultTtlInSeconds?: number
  authorizerPayloadFormatVersion?: string
  enableSimpleResponses?: boolean
  jwtConfiguration?: { issuer?: string; audience?: string[] }
  providerARNs?: string[]
  /** The scheme's header name when it is a header `apiKey` scheme (kept for export). */
  headerName?: string
}

/** A method (REST) or route (HTTP API). */
export interface RouteDefinition {
  /** `GET`, `POST`, … or `ANY` (`x-amazon-apigateway-any-method`). */
  method: string
  /** Resource path (`/pets/{petId}`, `/{proxy+}`) or `/$default`. */
  path: string
  /** `operationId`. */
  operationName?: string
  apiKeyRequired: boolean
  authorizationType: AuthorizationType
  /** Name of the authorizer (security scheme). */
  authorizer?: string
  authorizationScopes?: string[]
  /** `method.request.{path|querystring|header}.{name}` → required (§3.7). */
  requestParameters: Record<string, boolean>
  /** content type → model name. */
  requestModels: Record<string, string>
  /** Operation `x-amazon-apigateway-request-validator`. */
  requestValidator?: string
  /** status → method response. */
  methodResponses: Record<string, MethodResponse>
  integration?: IntegrationDefinition
  /** HTTP API `isDefaultRoute`. */
  isDefaultRoute?: boolean
}

/** A method response: declared headers and models. */
export interface MethodResponse {
  /** `method.response.header.{Name}` → required. */
  responseParameters: Record<string, boolean>
  /** content type → model name. */
  responseModels: Record<string, string>
}

/** `x-amazon-apigateway-integration` (§16.2), type upper-cased as the AWS API stores it. */
export interface IntegrationDefinition {
  type: 'AWS' | 'AWS_PROXY' | 'HTTP' | 'HTTP_PROXY' | 'MOCK'
  uri?: string
  httpMethod?: string
  credentials?: string
  requestParameters?: Record<string, string>
  requestTemplates?: Record<string, string>
  passthroughBehavior?: 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER'
  contentHandling?: 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT'
  timeoutInMillis?: number
  cacheNamespace?: string
  cacheKeyParameters?: string[]
  connectionType?: 'INTERNET' | 'VPC_LINK'
  connectionId?: string
  tlsConfig?: { insecureSkipVerification?: boolean; serverNameToVerify?: string }
  /** HTTP API payload format (`1.0` | `2.0`). */
  payloadFormatVersion?: string
  integrationSubtype?: string
  /** Selection pattern (status regex, or `default`) → integration response (§4.8). */
  responses?: Record<string, IntegrationResponse>
}

/** One entry of the integration's `responses`. */
export interface IntegrationResponse {
  statusCode: string
  responseParameters?: Record<string, string>
  responseTemplates?: Record<string, string>
  contentHandling?: 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT'
}

/** A non-fatal finding of an import: an unsupported or ignored part, with its JSON pointer. */
export interface ImportWarning {
  /** JSON pointer into the document (`#/paths/~1pets/get/x-amazon-apigateway-documentation`). */
  pointer: string
  /** 1-based line when known. */
  line?: number
  message: string
}
