import { z } from 'zod'
import { routeSettingsSchema, stageVariablesSchema } from '@gw/core'
import { compileSelectionExpression } from './selection-expression.js'

/*
 * A WebSocket API in the `apigatewayv2` shape (aws-semantics §14.1): the Api
 * object with its routes, integrations, authorizers and stages, field names
 * as AWS spells them. Validated once, at construction.
 */

/** The reserved route keys (§14.2): chosen by event type, never by the route selection expression. */
export const RESERVED_ROUTE_KEYS = ['$connect', '$disconnect', '$default'] as const

const expression = (what: string) =>
  z.string().min(1).superRefine((value, issue) => {
    const compiled = compileSelectionExpression(value)
    if (typeof compiled === 'string') issue.addIssue({ code: 'custom', message: `${what}: ${compiled} (§14.2)` })
  })

/** An `IntegrationResponse` (§14.1, §4.10): chosen by `integrationResponseKey` (`/2\d\d/`-style pattern or `$default`). */
export const webSocketIntegrationResponseSchema = z
  .object({
    integrationResponseKey: z.string().regex(/^\$default$|^\/.+\/$/, 'an integrationResponseKey is $default or a /pattern/ such as /2\\d\\d/ (§4.10)'),
    templateSelectionExpression: expression('templateSelectionExpression').optional(),
    /** Template selection key → VTL template (§4.10). */
    responseTemplates: z.record(z.string(), z.string()).optional(),
    contentHandlingStrategy: z.enum(['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT']).optional()
  })
  .strict()

/** An `Integration` of a WebSocket API (§14.1). */
export const webSocketIntegrationSchema = z
  .object({
    integrationId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'integration ids are letters, digits, _ and -'),
    integrationType: z.enum(['AWS_PROXY', 'HTTP', 'HTTP_PROXY', 'MOCK']),
    /** Lambda function ARN / name or `arn:aws:apigateway:…/functions/{fn}/invocations` (AWS_PROXY); URL (HTTP, HTTP_PROXY). `${stageVariables.x}` allowed (§6.3). */
    integrationUri: z.string().min(1).optional(),
    /** HTTP method of HTTP / HTTP_PROXY integrations. @default 'POST' */
    integrationMethod: z.string().regex(/^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/, 'an HTTP method').default('POST'),
    templateSelectionExpression: expression('templateSelectionExpression').optional(),
    /** Template selection key → VTL template (§4.10). */
    requestTemplates: z.record(z.string(), z.string()).optional(),
    passthroughBehavior: z.enum(['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER']).default('WHEN_NO_MATCH'),
    contentHandlingStrategy: z.enum(['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT']).optional(),
    /** 50 ms – 29 s (§15). @default 29000 */
    timeoutInMillis: z.number().int().min(50).max(29_000).default(29_000),
    integrationResponses: z.array(webSocketIntegrationResponseSchema).default([])
  })
  .strict()
  .superRefine((i, issue) => {
    if (i.integrationType !== 'MOCK' && i.integrationUri === undefined) issue.addIssue({ code: 'custom', path: ['integrationUri'], message: `${i.integrationType} integrations need an integrationUri (§14.1)` })
  })

/** A `Route` of a WebSocket API (§14.1, §14.2). */
export const webSocketRouteSchema = z
  .object({
    /** `$connect`, `$disconnect`, `$default`, or a custom key (must not start with `$`, §14.2). */
    routeKey: z
      .string()
      .min(1)
      .refine((k) => !k.startsWith('$') || (RESERVED_ROUTE_KEYS as readonly string[]).includes(k), 'custom route keys must not start with $ ($connect, $disconnect and $default are reserved, §14.2)'),
    /** `integrations/{integrationId}`; absent = no integration (only `$connect` / `$disconnect` may omit it usefully). */
    target: z.string().regex(/^integrations\/[A-Za-z0-9_-]{1,64}$/, 'target looks like integrations/{integrationId}').optional(),
    /** `$connect` only (§14.3): `NONE`, `AWS_IAM` or `CUSTOM` (Lambda REQUEST authorizer). */
    authorizationType: z.enum(['NONE', 'AWS_IAM', 'CUSTOM']).default('NONE'),
    authorizerId: z.string().optional(),
    /** `$connect` only: an API key chosen by `apiKeySelectionExpression` is required (§8.1, §14.2). */
    apiKeyRequired: z.boolean().default(false),
    /** `$default` makes the route two-way: the integration's answer is sent back (§14.2). */
    routeResponseSelectionExpression: z.literal('$default').optional(),
    modelSelectionExpression: z.string().optional(),
    requestModels: z.record(z.string(), z.string()).optional(),
    requestParameters: z.record(z.string(), z.object({ required: z.boolean() }).strict()).optional()
  })
  .strict()

/** A Lambda REQUEST authorizer of a WebSocket API (§10.5, §14.3). */
export const webSocketAuthorizerSchema = z
  .object({
    authorizerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'authorizer ids are letters, digits, _ and -'),
    authorizerType: z.literal('REQUEST').default('REQUEST'),
    name: z.string().optional(),
    /** Function ARN / name or `arn:aws:apigateway:…/functions/{fn}/invocations`. */
    authorizerUri: z.string().min(1),
    /** `route.request.header.X`, `route.request.querystring.X`, `stageVariables.X`, `context.X` (§14.3). */
    identitySource: z.array(z.string().regex(/^(route\.request\.(header|querystring)\.[^.\s]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$/, 'route.request.header.X, route.request.querystring.X, stageVariables.X or context.X (§14.3)')).default([]),
    /** Result cache seconds (0 = off). @default 0 */
    authorizerResultTtlInSeconds: z.number().int().min(0).max(3600).default(0)
  })
  .strict()

/** A WebSocket `Stage` (§6.2): stage variables and route throttles (§8.1). */
export const webSocketStageSchema = z
  .object({
    description: z.string().optional(),
    stageVariables: stageVariablesSchema.default({}),
    defaultRouteSettings: routeSettingsSchema.optional(),
    /** Route key → settings (route-level throttles, §8.1). */
    routeSettings: z.record(z.string(), routeSettingsSchema).default({})
  })
  .strict()

/** A WebSocket API (`protocolType: WEBSOCKET`, §14.1). */
export const webSocketApiSchema = z
  .object({
    protocolType: z.literal('WEBSOCKET'),
    /** `$context.apiId`. @default the name's slug */
    apiId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    /** Evaluated per message (§14.2), e.g. `$request.body.action`. */
    routeSelectionExpression: expression('routeSelectionExpression'),
    /** `$request.header.x-api-key` or `$context.authorizer.usageIdentifierKey` (§14.2). @default '$request.header.x-api-key' */
    apiKeySelectionExpression: z.enum(['$request.header.x-api-key', '$context.authorizer.usageIdentifierKey']).default('$request.header.x-api-key'),
    routes: z.array(webSocketRouteSchema).max(300, 'at most 300 routes per API (§15)').default([]),
    integrations: z.array(webSocketIntegrationSchema).default([]),
    authorizers: z.array(webSocketAuthorizerSchema).max(10, 'at most 10 authorizers per API (§15)').default([]),
    /** Stage name → stage; served at `ws://host:port/{stage}`. */
    stages: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'stage names are letters, digits, - and _'), webSocketStageSchema).default({})
  })
  .strict()
  .superRefine((api, issue) => {
    const integrations = new Set(api.integrations.map((i) => i.integrationId))
    const authorizers = new Set(api.authorizers.map((a) => a.authorizerId))
    const seen = new Set<string>()
    api.routes.forEach((r, i) => {
      if (seen.has(r.routeKey)) issue.addIssue({ code: 'custom', path: ['routes', i, 'routeKey'], message: `duplicate route key "${r.routeKey}"` })
      seen.add(r.routeKey)
      const id = r.target?.slice('integrations/'.length)
      if (id !== undefined && !integrations.has(id)) issue.addIssue({ code: 'custom', path: ['routes', i, 'target'], message: `unknown integration "${id}"` })
      if (r.routeKey !== '$connect' && (r.authorizationType !== 'NONE' || r.apiKeyRequired))
        issue.addIssue({ code: 'custom', path: ['routes', i, 'authorizationType'], message: 'authorization and API keys are evaluated on $connect only and protect the whole API (§14.3)' })
      if (r.authorizationType === 'CUSTOM' && (r.authorizerId === undefined || !authorizers.has(r.authorizerId)))
        issue.addIssue({ code: 'custom', path: ['routes', i, 'authorizerId'], message: r.authorizerId === undefined ? 'authorizationType CUSTOM needs an authorizerId (§14.3)' : `unknown authorizer "${r.authorizerId}"` })
      if (r.routeKey === '$disconnect' && r.routeResponseSelectionExpression !== undefined)
        issue.addIssue({ code: 'custom', path: ['routes', i, 'routeResponseSelectionExpression'], message: '$disconnect cannot answer: the socket is closed (§14.5)' })
    })
  })

/** A WebSocket API as written (defaults optional). */
export type WebSocketApiDefinitionInput = z.input<typeof webSocketApiSchema>
/** A validated WebSocket API. */
export type WebSocketApiDefinition = z.output<typeof webSocketApiSchema>
/** A validated route. */
export type WebSocketRoute = z.output<typeof webSocketRouteSchema>
/** A validated integration. */
export type WebSocketIntegration = z.output<typeof webSocketIntegrationSchema>
/** An integration as written. */
export type WebSocketIntegrationInput = z.input<typeof webSocketIntegrationSchema>
/** A validated authorizer. */
export type WebSocketAuthorizer = z.output<typeof webSocketAuthorizerSchema>
/** A validated stage. */
export type WebSocketStage = z.output<typeof webSocketStageSchema>
