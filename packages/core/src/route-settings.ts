import { z } from 'zod'

/**
 * apigatewayv2 `RouteSettings` (aws-semantics §6.2) of HTTP and WebSocket API stages: route throttles (§8.1),
 * detailed metrics and logging (§13). One schema for both kinds of API, so their stages accept the same fields.
 */
export const routeSettingsSchema = z
  .object({
    throttlingBurstLimit: z.number().int().min(0).optional(),
    throttlingRateLimit: z.number().min(0).optional(),
    detailedMetricsEnabled: z.boolean().optional(),
    /** `apigatewayv2` RouteSettings `LoggingLevel` (§6.2; WebSocket on AWS), for access/execution logging. */
    loggingLevel: z.enum(['OFF', 'ERROR', 'INFO']).optional(),
    /** `apigatewayv2` RouteSettings `DataTraceEnabled` (§6.2). */
    dataTraceEnabled: z.boolean().optional()
  })
  .strict()
