import { z } from 'zod'

/**
 * apigatewayv2 `RouteSettings` (aws-semantics §6.2) of HTTP and WebSocket API stages: route throttles (§8.1),
 * detailed metrics and logging (§13). One schema for both kinds of API and for `gw.config.yaml`, so their stages
 * accept the same fields; the descriptions end up in the config's JSON Schema (editor completion).
 */
export const routeSettingsSchema = z
  .object({
    throttlingBurstLimit: z.number().int().min(0).optional().describe('Bucket size of the route (§8.1).'),
    throttlingRateLimit: z.number().min(0).optional().describe('Steady-state requests per second of the route (§8.1).'),
    detailedMetricsEnabled: z.boolean().optional().describe('Per-route metrics (§13.1).'),
    loggingLevel: z.enum(['OFF', 'ERROR', 'INFO']).optional().describe('Execution log level (§6.2; WebSocket on AWS).'),
    dataTraceEnabled: z.boolean().optional().describe('Full request/response logging (§6.2; WebSocket on AWS).')
  })
  .strict()
