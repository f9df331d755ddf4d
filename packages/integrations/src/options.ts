import { z } from 'zod'
import { linearRegexProblem, type Logger } from '@gw/core'
import type { LambdaResolver } from './lambda-resolver.js'

const contentHandling = z.enum(['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'])

/** One integration response (§4.8): chosen when `selectionPattern` matches the whole selection value. */
export const integrationResponseSchema = z
  .object({
    statusCode: z.string().regex(/^[1-5]\d\d$/, 'a status code such as "200"'),
    selectionPattern: z.string().optional(),
    responseParameters: z.record(z.string(), z.string()).optional(),
    responseTemplates: z.record(z.string(), z.string()).optional(),
    contentHandling: contentHandling.optional()
  })
  .strict()

/**
 * An API Gateway `Integration` (§3): the AWS shape. `integrationResponses` is
 * keyed by status code (AWS API); `responses` (OpenAPI
 * `x-amazon-apigateway-integration.responses`, keyed by selection pattern or
 * `default`) is accepted too, as @gw/gateway definitions carry it.
 */
export const integrationSchema = z
  .object({
    type: z.enum(['MOCK', 'HTTP', 'HTTP_PROXY', 'AWS', 'AWS_PROXY']),
    httpMethod: z.string().regex(/^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY)$/i, 'an HTTP method or ANY').optional(),
    uri: z.string().optional(),
    requestParameters: z.record(z.string(), z.string()).optional(),
    requestTemplates: z.record(z.string(), z.string()).optional(),
    passthroughBehavior: z.enum(['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER']).default('WHEN_NO_MATCH'),
    contentHandling: contentHandling.optional(),
    timeoutInMillis: z.number().int().min(50).max(300_000).optional(),
    integrationResponses: z.record(z.string(), integrationResponseSchema).optional(),
    responses: z.record(z.string(), integrationResponseSchema).optional(),
    /** HTTP API response mappings: status → `overwrite:header.x` … (§3.7). */
    responseParameters: z.record(z.string(), z.record(z.string(), z.string())).optional(),
    payloadFormatVersion: z.enum(['1.0', '2.0']).optional(),
    credentials: z.string().optional(),
    connectionType: z.enum(['INTERNET', 'VPC_LINK']).optional(),
    connectionId: z.string().optional(),
    tlsConfig: z.object({ insecureSkipVerification: z.boolean().optional(), serverNameToVerify: z.string().optional() }).strict().optional(),
    cacheKeyParameters: z.array(z.string()).optional(),
    cacheNamespace: z.string().optional(),
    integrationSubtype: z.string().optional()
  })
  .strict()
  .superRefine((v, issue) => {
    if (v.type !== 'MOCK' && (v.uri === undefined || v.uri === '')) issue.addIssue({ code: 'custom', path: ['uri'], message: `${v.type} integrations need a uri (§3)` })
    // Selection patterns compile on the linear-time engine (§4.8): refused here, never at request time.
    for (const field of ['integrationResponses', 'responses'] as const) {
      for (const [key, r] of Object.entries(v[field] ?? {})) {
        const pattern = r.selectionPattern ?? (field === 'responses' && key !== 'default' ? key : undefined)
        const problem = pattern === undefined || pattern === '' ? undefined : linearRegexProblem(pattern)
        if (problem !== undefined) issue.addIssue({ code: 'custom', path: [field, key, 'selectionPattern'], message: problem })
      }
    }
  })

/** An integration definition as written (AWS field names). */
export type IntegrationDefinition = z.input<typeof integrationSchema>
/** A validated integration definition. */
export type ParsedIntegration = z.output<typeof integrationSchema>
/** One integration response (§4.8). */
export type IntegrationResponseDefinition = z.output<typeof integrationResponseSchema>

/** Static AWS credentials for SigV4 (§3.6, §2 remote Invoke). */
export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string | undefined
}

const credentialsSchema = z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1), sessionToken: z.string().optional() }).strict()

/** Options of `createIntegration()`, validated once. */
export const integrationOptionsSchema = z
  .object({
    flavour: z.enum(['REST', 'HTTP']).default('REST'),
    binaryMediaTypes: z.array(z.string()).default([]),
    lambda: z.custom<LambdaResolver>((v) => typeof v === 'function' || (typeof v === 'object' && v !== null), 'a LambdaResolver').optional(),
    aws: z
      .object({
        endpoint: z.url().optional(),
        region: z.string().min(1).default('us-east-1'),
        credentials: credentialsSchema.optional()
      })
      .strict()
      .optional(),
    accountId: z.string().regex(/^\d{12}$/).default('123456789012'),
    logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null, 'a Logger').optional(),
    methodResponses: z.array(z.string().regex(/^[1-5]\d\d$/)).optional(),
    /** The integration serves an HTTP API's `$default` route: HTTP_PROXY appends the request's full path to the URI's (§1.3). */
    defaultRoute: z.boolean().default(false),
    connections: z.number().int().positive().default(128),
    keepAliveTimeout: z.number().int().positive().default(4_000)
  })
  .strict()

/** aws4's credentials shape, without `undefined` members. */
export function signingCredentials(c: AwsCredentials | undefined): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined {
  if (c === undefined) return undefined
  return c.sessionToken === undefined ? { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } : { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken }
}

/** Options as written. */
export type IntegrationOptions = z.input<typeof integrationOptionsSchema>
/** Validated options. */
export type ParsedIntegrationOptions = z.output<typeof integrationOptionsSchema>
