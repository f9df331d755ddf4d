/** The `context` argument of an in-process handler (Node.js Lambda runtime shape). */
export interface LambdaContext {
  readonly awsRequestId: string
  readonly functionName: string
  readonly functionVersion: string
  readonly invokedFunctionArn: string
  readonly memoryLimitInMB: string
  readonly logGroupName: string
  readonly logStreamName: string
  callbackWaitsForEmptyEventLoop: boolean
  /** Milliseconds left before the integration times out. */
  getRemainingTimeInMillis(): number
}

/** Callback of callback-style handlers: `callback(error)` or `callback(null, result)`. */
export type LambdaCallback = (error?: unknown, result?: unknown) => void

/** An in-process Lambda handler: async (returns a promise) or callback style (three parameters). */
export type LambdaHandler = (event: unknown, context: LambdaContext, callback: LambdaCallback) => unknown

/**
 * Where a function name or ARN (after `${stageVariables.x}` substitution) is
 * found: a map or a function returning a handler, a `'./module.js#export'`
 * path (imported once, relative paths from `process.cwd()`), or `undefined`
 * to call the remote Invoke API (`options.aws.endpoint`).
 */
export type LambdaResolver =
  | Readonly<Record<string, LambdaHandler | string>>
  | ((functionName: string) => LambdaHandler | string | undefined)
