import type { PseudoParameters } from './intrinsics.js'

/** The Lambda proxy integration URI API Gateway stores for a function ARN (§2). */
export function lambdaInvocationUri(functionArn: string, pseudo: PseudoParameters): string {
  return `arn:aws:apigateway:${pseudo.region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`
}

/** A function's ARN in the local account and region. */
export function functionArn(name: string, pseudo: PseudoParameters): string {
  return `arn:aws:lambda:${pseudo.region}:${pseudo.accountId}:function:${name}`
}

/** One route an event adds. */
export interface RouteInput {
  path: string
  /** Lower-case method or `any`. */
  method: string
  /** Lambda proxy integration URI. */
  uri: string
  /** HTTP APIs: '1.0' or '2.0'. */
  payloadFormatVersion?: string
  /** A declared security scheme name, with scopes. */
  authorizer?: { name: string; scopes: string[] }
  /** `AWS_IAM` on the route. */
  iam?: boolean
  apiKeyRequired?: boolean
  /** `method.request.{header|querystring|path}.name` → required. */
  requestParameters?: Record<string, boolean>
  /** content type → JSON schema (REST request validation, §5). */
  requestSchemas?: Record<string, unknown>
}

const API_KEY_SCHEME = 'api_key'
const SIGV4_SCHEME = 'sigv4'

/**
 * An OpenAPI document being assembled with AWS's extensions, the way SAM's translator and the Serverless
 * Framework write them (REST: Swagger 2.0 like SAM's generated DefinitionBody; HTTP: OpenAPI 3.0.1 with
 * `x-amazon-apigateway-importexport-version`, which marks it as an HTTP API for the importer, §16.2).
 */
export class OpenApiDocument {
  readonly protocol: 'REST' | 'HTTP'
  readonly doc: Record<string, unknown>

  constructor(protocol: 'REST' | 'HTTP', title: string, body?: Record<string, unknown>) {
    this.protocol = protocol
    this.doc = body === undefined ? (protocol === 'REST' ? { swagger: '2.0', info: { title, version: '1.0' }, paths: {} } : { openapi: '3.0.1', info: { title, version: '1.0' }, paths: {} }) : structuredClone(body)
    const info = (this.doc.info ??= { version: '1.0' }) as Record<string, unknown>
    info.title ??= title
    this.doc.paths ??= {}
    if (protocol === 'HTTP') this.doc['x-amazon-apigateway-importexport-version'] ??= '1.0'
  }

  private get swagger(): boolean {
    return this.doc.swagger !== undefined
  }

  /** `securityDefinitions` (Swagger 2) or `components.securitySchemes` (OpenAPI 3). */
  schemes(): Record<string, unknown> {
    if (this.swagger) return (this.doc.securityDefinitions ??= {}) as Record<string, unknown>
    const components = (this.doc.components ??= {}) as Record<string, unknown>
    return (components.securitySchemes ??= {}) as Record<string, unknown>
  }

  /** Whether the document declares the scheme (a DefinitionBody may declare its own). */
  hasScheme(name: string): boolean {
    return Object.hasOwn(this.schemes(), name)
  }

  /** A Lambda TOKEN / REQUEST authorizer (REST, §10.2-10.3) or an HTTP API Lambda authorizer (§10.4). */
  lambdaAuthorizer(name: string, a: { type: 'token' | 'request'; uri: string; identitySource?: string; header?: string; ttl?: number; validationExpression?: string; payloadFormatVersion?: string; simpleResponses?: boolean }): void {
    const authorizer: Record<string, unknown> = { type: a.type, authorizerUri: a.uri }
    if (a.identitySource !== undefined && a.identitySource !== '') authorizer.identitySource = a.identitySource
    if (a.ttl !== undefined) authorizer.authorizerResultTtlInSeconds = a.ttl
    if (a.validationExpression !== undefined) authorizer.identityValidationExpression = a.validationExpression
    if (a.payloadFormatVersion !== undefined) authorizer.authorizerPayloadFormatVersion = a.payloadFormatVersion
    if (a.simpleResponses !== undefined) authorizer.enableSimpleResponses = a.simpleResponses
    this.schemes()[name] = {
      type: 'apiKey',
      name: a.header ?? (a.type === 'token' ? 'Authorization' : 'Unused'),
      in: 'header',
      ...(this.protocol === 'REST' ? { 'x-amazon-apigateway-authtype': 'custom' } : {}),
      'x-amazon-apigateway-authorizer': authorizer
    }
  }

  /** A Cognito user pool authorizer (REST, §10.6). */
  cognitoAuthorizer(name: string, providerARNs: string[], header = 'Authorization'): void {
    this.schemes()[name] = { type: 'apiKey', name: header, in: 'header', 'x-amazon-apigateway-authtype': 'cognito_user_pools', 'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs } }
  }

  /** A JWT authorizer (HTTP, §10.5). */
  jwtAuthorizer(name: string, identitySource: string, issuer: string, audience: string[]): void {
    this.schemes()[name] = { type: 'oauth2', flows: {}, 'x-amazon-apigateway-authorizer': { type: 'jwt', identitySource, jwtConfiguration: { issuer, audience } } }
  }

  /** Adds (or replaces) one route's method with a Lambda proxy integration. */
  route(r: RouteInput): void {
    const paths = this.doc.paths as Record<string, Record<string, unknown>>
    // SAM writes the HTTP API catch-all as the path $default; the OpenAPI form is /$default (§16.2)
    const path = r.path === '$default' ? '/$default' : r.path
    const item = (paths[path] ??= {})
    const key = r.method === 'any' ? 'x-amazon-apigateway-any-method' : r.method
    const op: Record<string, unknown> = { responses: {} }
    const integration: Record<string, unknown> = { type: 'aws_proxy', httpMethod: 'POST', uri: r.uri }
    if (r.payloadFormatVersion !== undefined) integration.payloadFormatVersion = r.payloadFormatVersion
    op['x-amazon-apigateway-integration'] = integration
    const requirement: Record<string, string[]> = {}
    if (r.authorizer !== undefined) requirement[r.authorizer.name] = r.authorizer.scopes
    if (r.iam === true) {
      this.schemes()[SIGV4_SCHEME] ??= { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' }
      requirement[SIGV4_SCHEME] = []
    }
    if (r.apiKeyRequired === true) {
      this.schemes()[API_KEY_SCHEME] ??= { type: 'apiKey', name: 'x-api-key', in: 'header' }
      requirement[API_KEY_SCHEME] = []
    }
    if (Object.keys(requirement).length > 0) op.security = [requirement]
    const parameters: Record<string, unknown>[] = []
    for (const [source, required] of Object.entries(r.requestParameters ?? {})) {
      const m = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(source)
      if (m === null) continue
      const where = m[1] === 'querystring' ? 'query' : (m[1] as string)
      parameters.push(this.swagger ? { name: m[2], in: where, required: where === 'path' || required, type: 'string' } : { name: m[2], in: where, required: where === 'path' || required, schema: { type: 'string' } })
    }
    for (const m of r.path.matchAll(/\{([^}+]+)\+?\}/g)) {
      if (!parameters.some((p) => p.in === 'path' && p.name === m[1])) parameters.push(this.swagger ? { name: m[1], in: 'path', required: true, type: 'string' } : { name: m[1], in: 'path', required: true, schema: { type: 'string' } })
    }
    if (parameters.length > 0) op.parameters = parameters
    if (r.requestSchemas !== undefined && Object.keys(r.requestSchemas).length > 0) {
      if (this.swagger) {
        const [type, schema] = Object.entries(r.requestSchemas)[0] as [string, unknown]
        op.consumes = [type]
        op.parameters = [...parameters, { name: 'body', in: 'body', required: true, schema }]
      } else op.requestBody = { required: true, content: Object.fromEntries(Object.entries(r.requestSchemas).map(([type, schema]) => [type, { schema }])) }
    }
    if (this.protocol === 'REST' && (r.requestSchemas !== undefined || Object.keys(r.requestParameters ?? {}).length > 0)) {
      const validators = (this.doc['x-amazon-apigateway-request-validators'] ??= {}) as Record<string, unknown>
      validators.all ??= { validateRequestBody: true, validateRequestParameters: true }
      op['x-amazon-apigateway-request-validator'] = 'all'
    }
    item[key] = op
  }

  /** A root-level `x-amazon-apigateway-*` extension. */
  extension(name: string, value: unknown): void {
    this.doc[`x-amazon-apigateway-${name}`] = value
  }
}
