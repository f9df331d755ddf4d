import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { EMPTY_SHA256, compilePolicy, verifySigV4, type CompiledPolicy, type IamCredentials } from '@gw/authorizers'
import type { GatewayIamOptions } from '@gw/gateway'

/** An AWS-shaped refusal of a management call: 403, `x-amzn-ErrorType`, `{"message": ...}`. */
export interface CallerRefusal {
  readonly ok: false
  readonly errorType: string
  readonly message: string
}

/** Who called: the admin token, or the IAM principal whose SigV4 signature was verified. */
export type CallerOutcome = { readonly ok: true; readonly caller: string } | CallerRefusal

/** What a caller check needs of one request (its body already read, so the payload hash can be checked). */
export interface CallerRequest {
  readonly req: IncomingMessage
  readonly method: string
  /** Raw path and query as on the wire. */
  readonly path: string
  readonly query: string
  readonly body: Buffer
  /** The path below the management prefix (`/apikeys`): the resource of the `apigateway:{METHOD}` action. */
  readonly resourcePath: string
}

const FORBIDDEN: CallerRefusal = { ok: false, errorType: 'ForbiddenException', message: 'Forbidden' }

/**
 * Who may call the management API: `Authorization: Bearer <admin token>` (compared in constant time), or an AWS
 * SigV4 signature for the service `apigateway` in the `iam` region (§10.8: same canonical request, skew and
 * signature checks as AWS_IAM routes) by one of the config's `iam.credentials`, whose identity policy must allow
 * `apigateway:{METHOD}` on `arn:aws:apigateway:{region}::{path}`, as the API Gateway control plane requires. So
 * `@aws-sdk/client-api-gateway` and `aws apigateway --endpoint-url` work with the config's access keys unchanged.
 */
export class CallerAuth {
  readonly #token: Buffer
  readonly #iam: GatewayIamOptions | undefined
  readonly #policies = new Map<string, CompiledPolicy | null>()
  readonly #now: () => number

  constructor(token: string, iam: GatewayIamOptions | undefined, now: () => number = Date.now) {
    this.#token = Buffer.from(token)
    this.#iam = iam
    this.#now = now
  }

  /** Decides one request (its body already read: SigV4 signs the payload hash). */
  check(request: CallerRequest): CallerOutcome {
    const auth = request.req.headers.authorization ?? ''
    if (auth.startsWith('Bearer ')) {
      const given = Buffer.from(auth.slice(7))
      return given.length === this.#token.length && timingSafeEqual(given, this.#token) ? { ok: true, caller: 'admin token' } : FORBIDDEN
    }
    return this.#sigv4(request)
  }

  #sigv4(request: CallerRequest): CallerOutcome {
    const payloadHash = request.body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(request.body).digest('hex')
    const req = { method: request.method, path: request.path, query: request.query, rawHeaders: request.req.rawHeaders, payloadHash }
    const iam = this.#iam
    const region = iam?.region ?? 'us-east-1'
    const table = iam === undefined || typeof iam.credentials === 'function' ? undefined : (iam.credentials)
    const known = (id: string): IamCredentials | undefined => (table !== undefined && Object.hasOwn(table, id) ? table[id] : undefined)
    // No signature and no bearer token: 403 Missing Authentication Token, as AWS's control plane answers (§10.8).
    const outcome = verifySigV4(req, { region, service: 'apigateway', now: this.#now(), secretFor: (id) => known(id)?.secretAccessKey })
    if (!outcome.ok) return { ok: false, errorType: outcome.errorType, message: outcome.message }
    const creds = known(outcome.parsed.accessKeyId)
    // Temporary credentials must come with their session token (§10.8).
    if (creds === undefined || (creds.sessionToken ?? undefined) !== outcome.parsed.securityToken) {
      return { ok: false, errorType: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }
    }
    const action = `apigateway:${request.method}`
    const resource = `arn:aws:apigateway:${region}::${request.resourcePath}`
    const policy = this.#policy(outcome.parsed.accessKeyId, creds.policy)
    const sourceIp = request.req.socket.remoteAddress ?? ''
    const decision = policy === null ? 'None' : policy.evaluate({ action, resource, principal: creds.principal, condition: (key) => (key === 'aws:sourceip' ? sourceIp : undefined) })
    if (decision !== 'Allow') {
      return {
        ok: false,
        errorType: 'AccessDeniedException',
        message: `User: ${creds.principal.arn} is not authorized to perform: ${action} on resource: ${resource}${decision === 'Deny' ? ' with an explicit deny' : ''}`
      }
    }
    return { ok: true, caller: creds.principal.arn }
  }

  #policy(accessKeyId: string, policy: unknown): CompiledPolicy | null {
    let compiled = this.#policies.get(accessKeyId)
    if (compiled === undefined) {
      const r = policy === undefined ? undefined : compilePolicy(policy)
      compiled = r?.ok === true ? r.policy : null
      this.#policies.set(accessKeyId, compiled)
    }
    return compiled
  }
}



