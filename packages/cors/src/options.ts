import { z } from 'zod'

/** `Access-Control-Allow-Origin` entries that are patterns rather than origins (aws-semantics §11.2). */
export const ORIGIN_PATTERNS = ['*', 'https://*', 'http://*'] as const

/**
 * A configured origin: `scheme://host[:port]` exactly as a browser serializes it (lower-case scheme and host,
 * no path, no trailing slash), or the literal `null`. Anything else could never equal an `Origin` header.
 */
const ORIGIN = /^(?:null|[a-z][a-z0-9+.-]*:\/\/(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?)$/
/** An HTTP token (method or header name, RFC 9110 §5.6.2). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

const originEntry = z.string().refine((v) => (ORIGIN_PATTERNS as readonly string[]).includes(v) || ORIGIN.test(v), {
  message: 'an origin is "*", "https://*", "http://*" or scheme://host[:port] in lower case with no path or trailing slash (e.g. "https://example.com"); other wildcards are not supported (§11.2)'
})
const token = z.string().regex(TOKEN, 'a method or header name (an HTTP token), or "*"')

/**
 * The fields of an HTTP API `corsConfiguration` / `x-amazon-apigateway-cors` (aws-semantics §11.2), AWS's names.
 * Validated once; `allowCredentials` with a `*` origin is refused (a browser rejects that answer anyway).
 */
export const corsConfigurationSchema = z
  .object({
    /** Origins allowed: exact `scheme://host[:port]`, or `*`, `https://*`, `http://*`. */
    allowOrigins: z.array(originEntry).optional(),
    /** `Access-Control-Allow-Methods` of preflights (`GET`, `POST`, `*`). */
    allowMethods: z.array(token).optional(),
    /** `Access-Control-Allow-Headers` of preflights (`authorization`, `*`). */
    allowHeaders: z.array(token).optional(),
    /** `Access-Control-Expose-Headers` of actual responses (`date`, `x-api-id`, `*`). */
    exposeHeaders: z.array(token).optional(),
    /** `Access-Control-Max-Age` of preflights, seconds; -1 disables caching (AWS accepts -1..86400). */
    maxAge: z.number().int().min(-1).max(86400).optional(),
    /** `Access-Control-Allow-Credentials: true`. Cannot be combined with a `*` origin. */
    allowCredentials: z.boolean().optional()
  })
  .strict()
  .superRefine((c, issue) => {
    if (c.allowCredentials === true && c.allowOrigins?.includes('*') === true)
      issue.addIssue({
        code: 'custom',
        path: ['allowCredentials'],
        message: 'allowCredentials cannot be combined with allowOrigins "*" (browsers refuse credentials with a wildcard origin): list the origins, or use "https://*" (§11.2)'
      })
  })

/** A `corsConfiguration` as written (every field optional). */
export type CorsConfiguration = z.input<typeof corsConfigurationSchema>
/** A validated `corsConfiguration`. */
export type ParsedCorsConfiguration = z.output<typeof corsConfigurationSchema>
