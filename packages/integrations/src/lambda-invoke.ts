import { pathToFileURL } from 'node:url'
import { isAbsolute, resolve } from 'node:path'
import { randomUUID } from 'node:crypto'
import aws4 from 'aws4'
import { Agent } from 'undici'
import type { LambdaCallback, LambdaContext, LambdaHandler, LambdaResolver } from './lambda-resolver.js'
import { signingCredentials, type AwsCredentials } from './options.js'
import { FreshEvent } from './fresh-event.js'

/** The outcome of one invocation, in the Invoke API's terms. */
export type InvokeResult =
  | { kind: 'ok'; payload: string; functionError: string | undefined }
  | { kind: 'timeout' }
  | { kind: 'failed'; reason: string }

/** Invokes one function synchronously (`RequestResponse`); `event` may arrive as a `FreshEvent` (no copy needed). */
export type Invoker = (functionArn: string, event: unknown, timeoutMs: number) => Promise<InvokeResult>

const FUNCTION_ARN = /^arn:aws[\w-]*:lambda:([\w-]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/

/** `arn:aws:lambda:…:function:name[:alias]` → candidate keys, most specific first. */
function candidates(fn: string): string[] {
  const m = FUNCTION_ARN.exec(fn)
  if (m === null) return [fn]
  const name = m[3] as string
  return m[4] === undefined ? [fn, name] : [fn, `${name}:${m[4]}`, name]
}

async function loadModuleHandler(spec: string): Promise<LambdaHandler> {
  const hash = spec.lastIndexOf('#')
  const file = hash === -1 ? spec : spec.slice(0, hash)
  const name = hash === -1 ? 'handler' : spec.slice(hash + 1)
  const url = pathToFileURL(isAbsolute(file) ? file : resolve(process.cwd(), file)).href
  const mod = (await import(url)) as Record<string, unknown>
  const fn = mod[name] ?? (mod['default'] as Record<string, unknown> | undefined)?.[name]
  if (typeof fn !== 'function') throw new TypeError(`${spec}: export "${name}" is not a function`)
  return fn as LambdaHandler
}

/**
 * Runs a handler in any of its styles (async, callback, plain return) and
 * calls `done` once with the outcome: `error` set for a throw, a rejection or
 * `callback(error)`.
 */
function runHandler(handler: LambdaHandler, event: unknown, context: LambdaContext, done: (error: Error | undefined, result: unknown) => void): void {
  let settled = false
  const callback: LambdaCallback = (error, result) => {
    if (settled) return
    settled = true
    if (error !== undefined && error !== null) done(error instanceof Error ? error : new Error(typeof error === 'string' ? error : JSON.stringify(error)), undefined)
    else done(undefined, result)
  }
  try {
    const out = handler(event, context, callback)
    if (out !== null && typeof out === 'object' && typeof (out as Promise<unknown>).then === 'function') {
      ;(out as Promise<unknown>).then(
        (v) => { callback(null, v) },
        (e: unknown) => { callback(e ?? new Error('handler rejected')) }
      )
    } else if (handler.length < 3) callback(null, out)
  } catch (err) {
    callback(err)
  }
}

function errorPayload(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err))
  return JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') })
}

/** The names an invocation's context shows (§2: `context.functionName`, …). */
interface ContextNames {
  readonly name: string
  readonly invokedFunctionArn: string
  readonly logGroupName: string
}

/** `functionArn` → its context names, remembered for the ARN last seen (one function per invoker in practice). */
function contextNames(region: string): (functionArn: string) => ContextNames {
  let lastArn: string | undefined
  let last: ContextNames | undefined
  return (functionArn) => {
    if (functionArn === lastArn && last !== undefined) return last
    const name = FUNCTION_ARN.exec(functionArn)?.[3] ?? functionArn
    last = { name, invokedFunctionArn: functionArn.startsWith('arn:') ? functionArn : `arn:aws:lambda:${region}:123456789012:function:${name}`, logGroupName: `/aws/lambda/${name}` }
    lastArn = functionArn
    return last
  }
}

/** One invocation: a single promise, settled by the handler or by the timeout, whichever comes first. */
function invokeHandler(handler: LambdaHandler, names: ContextNames, event: unknown, timeoutMs: number): Promise<InvokeResult> {
  return new Promise<InvokeResult>((resolvePromise, rejectPromise) => {
    const deadline = Date.now() + timeoutMs
    const context: LambdaContext = {
      awsRequestId: randomUUID(),
      functionName: names.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: names.invokedFunctionArn,
      memoryLimitInMB: '128',
      logGroupName: names.logGroupName,
      logStreamName: 'gw-in-process',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now())
    }
    // Handlers see a copy, as a remote function would: no shared references to gateway state.
    const copy = event instanceof FreshEvent ? event.event : (JSON.parse(JSON.stringify(event)) as unknown)
    let finished = false
    const timer = setTimeout(() => {
      finished = true
      resolvePromise({ kind: 'timeout' })
    }, timeoutMs)
    runHandler(handler, copy, context, (error, result) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      try {
        resolvePromise(error === undefined ? { kind: 'ok', payload: result === undefined ? 'null' : JSON.stringify(result), functionError: undefined } : { kind: 'ok', payload: errorPayload(error), functionError: 'Unhandled' })
      } catch (err) {
        rejectPromise(err instanceof Error ? err : new Error(String(err)))
      }
    })
  })
}

/** In-process invocation through a resolver, with the Lambda timeout of the integration. */
export function inProcessInvoker(resolver: LambdaResolver, region: string): (fn: string) => Invoker | undefined {
  const cache = new Map<string, Promise<LambdaHandler>>()
  const lookup = (fn: string): LambdaHandler | string | undefined => {
    for (const key of candidates(fn)) {
      const h = typeof resolver === 'function' ? resolver(key) : Object.hasOwn(resolver, key) ? resolver[key] : undefined
      if (h !== undefined) return h
    }
    return undefined
  }
  return (fnName) => {
    const found = lookup(fnName)
    if (found === undefined) return undefined
    const namesOf = contextNames(region)
    if (typeof found === 'function') return (functionArn, event, timeoutMs) => invokeHandler(found, namesOf(functionArn), event, timeoutMs)
    return async (functionArn, event, timeoutMs) => {
      let handler: LambdaHandler
      try {
        let p = cache.get(found)
        if (p === undefined) cache.set(found, (p = loadModuleHandler(found)))
        handler = await p
      } catch (err) {
        return { kind: 'failed', reason: err instanceof Error ? err.message : String(err) }
      }
      return invokeHandler(handler, namesOf(functionArn), event, timeoutMs)
    }
  }
}

/**
 * Remote invocation: `POST /2015-03-31/functions/{name}/invocations` signed
 * with SigV4 (aws4) to `endpoint` (AWS, LocalStack, a local double).
 * `X-Amz-Function-Error` marks a function error.
 */
export function remoteInvoker(endpoint: string, region: string, credentials: AwsCredentials | undefined): Invoker & { close(): Promise<void> } {
  const url = new URL(endpoint)
  const agent = new Agent({ keepAliveTimeout: 4_000 })
  const invoke = async (functionArn: string, event: unknown, timeoutMs: number): Promise<InvokeResult> => {
    const body = JSON.stringify(event instanceof FreshEvent ? event.event : event)
    const path = `${url.pathname.replace(/\/$/, '')}/2015-03-31/functions/${encodeURIComponent(functionArn)}/invocations`
    const signed = aws4.sign(
      { host: url.host, path, method: 'POST', service: 'lambda', region, body, headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' } },
      signingCredentials(credentials)
    )
    try {
      const res = await agent.request({
        origin: url.origin,
        path,
        method: 'POST',
        headers: signed.headers as Record<string, string>,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs
      })
      const payload = await res.body.text()
      if (res.statusCode < 200 || res.statusCode > 299) return { kind: 'failed', reason: `Invoke answered ${String(res.statusCode)}: ${payload.slice(0, 200)}` }
      const fe = res.headers['x-amz-function-error']
      return { kind: 'ok', payload, functionError: Array.isArray(fe) ? fe[0] : fe }
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return { kind: 'timeout' }
      return { kind: 'failed', reason: err instanceof Error ? err.message : String(err) }
    }
  }
  return Object.assign(invoke, { close: () => agent.close() })
}
