import { z } from 'zod'
import { arnOptionsSchema, compilePolicy, type CredentialsProvider, type IamCredentials } from '@gw/authorizers'

/** An AWS access key id: 16-128 word characters (IAM AccessKey.AccessKeyId). */
export const ACCESS_KEY_ID_PATTERN = /^\w{16,128}$/
/** An IAM or STS principal ARN; its fifth field is the principal's account. */
export const PRINCIPAL_ARN_PATTERN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:.+$/

/** A static table of IAM credentials: access key id → `IamCredentials` (what `gw serve` builds from its config). */
export type IamCredentialsTable = Readonly<Record<string, IamCredentials>>

const credentialsSchema = z
  .object({
    secretAccessKey: z.string().min(1),
    sessionToken: z.string().min(1).optional(),
    expiration: z.union([z.date(), z.number()]).optional(),
    principal: z
      .object({
        arn: z.string().regex(PRINCIPAL_ARN_PATTERN, 'an IAM principal ARN such as arn:aws:iam::123456789012:user/alice'),
        accountId: z.string().regex(/^\d{12}$/, '12 digits'),
        userId: z.string().min(1).optional(),
        orgId: z.string().min(1).optional(),
        tags: z.record(z.string(), z.string()).optional()
      })
      .strict(),
    policy: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional()
  })
  .strict()
  .superRefine((c, issue) => {
    // Compiled here so a bad identity policy is refused at construction instead of silently denying (§10.8).
    if (c.policy === undefined) return
    const r = compilePolicy(c.policy)
    if (!r.ok) issue.addIssue({ code: 'custom', path: ['policy'], message: r.reason })
  })

/** zod schema of `options.iam` of `createGateway()`: a provider function or a static table, and the API's region / account. */
export const iamOptionsSchema = arnOptionsSchema
  .unwrap()
  .pick({ region: true, accountId: true })
  .partial()
  .extend({
    credentials: z.union([
      z.custom<CredentialsProvider>((v) => typeof v === 'function', 'a function (accessKeyId, { sessionToken }) => IamCredentials | undefined'),
      z.record(z.string().regex(ACCESS_KEY_ID_PATTERN, 'an access key id (16-128 letters and digits)'), credentialsSchema)
    ], { error: 'a function (accessKeyId, { sessionToken }) => IamCredentials | undefined, or a table { [accessKeyId]: IamCredentials }' })
  })
  .strict()

/** The provider for `options.iam.credentials`: a function as given, or a lookup in a validated static table (a `Map`, so `__proto__` or `toString` are no keys). */
export function credentialsProvider(credentials: CredentialsProvider | IamCredentialsTable): CredentialsProvider {
  if (typeof credentials === 'function') return credentials
  const table = new Map<string, IamCredentials>(Object.entries(credentials))
  return (accessKeyId) => table.get(accessKeyId)
}
