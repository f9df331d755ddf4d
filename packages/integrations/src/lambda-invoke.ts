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
  | {
      kind: 'ok'
      payload: string
      functionError: string | undefined
      /**
       * `JSON.parse(payload)`, when the invoker has it without parsing: an in-process handler's answer that is a
       * plain object of strings, finite numbers, booleans and nulls, copied (a new object the reader owns).
       */
      value?: Readonly<Record<string, unknown>>
    }
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

/**
 * A handler's answer that JSON copies exactly by value: a plain object whose own enumerable values are strings,
 * finite numbers, booleans, null or undefined (and no `toJSON`). Returns the copy `JSON.parse(JSON.stringify(v))`
 * would give (keys in the same order, undefined ones left out), made without serialising; `undefined` for anything
 * else (nested objects, arrays, NaN, BigInt, class instances), which takes the JSON round trip.
 */
function flatCopy(v: unknown): Record<string, unknown> | undefined {
  if (v === null || typeof v !== 'object') return undefined
  const proto: unknown = Object.getPrototypeOf(v)
  if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function') return undefined
  const copy: Record<string, unknown> = {}
  for (const key of Object.keys(v)) {
    if (key === '__proto__') return undefined // an own key JSON.parse keeps, an assignment would not
    const x = (v as Record<string, unknown>)[key]
    if (typeof x === 'string' || typeof x === 'boolean' || x === null || (typeof x === 'number' && Number.isFinite(x))) copy[key] = x === 0 ? 0 : x // JSON writes -0 as 0
    else if (x !== undefined) return undefined
  }
  return copy
}

/** A handler's flat answer (see `flatCopy`): `value` at once, `payload` written only when someone reads it. */
class FlatAnswer {
  readonly kind = 'ok'
  readonly functionError = undefined
  readonly value: Readonly<Record<string, unknown>>
  #payload: string | undefined

  constructor(value: Record<string, unknown>) {
    this.value = value
    this.#payload = undefined
  }

  get payload(): string {
    return (this.#payload ??= JSON.stringify(this.value))
  }
}

/** An in-flight invocation of `invokeHandler` in its timeout queue: a node of a doubly linked list. */
interface Pending {
  /** `performance.now()` at which it times out. */
  readonly expiresAt: number
  readonly timeout: () => void
  prev: Pending | undefined
  next: Pending | undefined
}

/**
 * The in-flight invocations of one timeout length, in start order (which is deadline order): one timer for all
 * of them, armed for the oldest, instead of a setTimeout / clearTimeout pair per invocation; a linked list, so
 * adding and removing is a few field writes. The timer is ref'd while an invocation is pending (as each
 * invocation's own timer was) and unref'd when none is.
 */
class TimeoutQueue {
  readonly #ms: number
  #head: Pending | undefined = undefined
  #tail: Pending | undefined = undefined
  #timer: NodeJS.Timeout | undefined = undefined

  constructor(ms: number) {
    this.#ms = ms
  }

  add(p: Pending): void {
    const tail = this.#tail
    if (tail === undefined) {
      this.#head = p
      if (this.#timer === undefined) this.#timer = setTimeout(this.#expire, this.#ms)
      else this.#timer.ref()
    } else {
      tail.next = p
      p.prev = tail
    }
    this.#tail = p
  }

  delete(p: Pending): void {
    const { prev, next } = p
    if (prev === undefined) this.#head = next
    else prev.next = next
    if (next === undefined) this.#tail = prev
    else next.prev = prev
    p.prev = p.next = undefined
    if (this.#head === undefined) this.#timer?.unref()
  }

  readonly #expire = (): void => {
    this.#timer = undefined
    const now = performance.now()
    let p: Pending | undefined
    while ((p = this.#head) !== undefined) {
      // (within a millisecond: the timer's clock is the event loop's, read at the start of its turn)
      if (p.expiresAt - now >= 1) {
        this.#timer = setTimeout(this.#expire, Math.ceil(p.expiresAt - now))
        return
      }
      this.delete(p)
      p.timeout()
    }
  }
}

/** One invocation: a single promise, settled by the handler or by the timeout, whichever comes first. */
function invokeHandler(handler: LambdaHandler, names: ContextNames, event: unknown, timeoutMs: number, timeouts: TimeoutQueue): Promise<InvokeResult> {
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
    const pending: Pending = {
      expiresAt: performance.now() + timeoutMs,
      timeout: () => {
        finished = true
        resolvePromise({ kind: 'timeout' })
      },
      prev: undefined,
      next: undefined
    }
    timeouts.add(pending)
    runHandler(handler, copy, context, (error, result) => {
      if (finished) return
      finished = true
      timeouts.delete(pending)
      if (error === undefined) {
        const flat = flatCopy(result)
        if (flat !== undefined) return resolvePromise(new FlatAnswer(flat))
      }
      try {
        resolvePromise(error === undefined ? { kind: 'ok', payload: result === undefined ? 'null' : JSON.stringify(result), functionError: undefined } : { kind: 'ok', payload: errorPayload(error), functionError: 'Unhandled' })
      } catch (err) {
        rejectPromise(err instanceof Error ? err : new Error(String(err)))
      }
    })
  })
}

/** The timeout queue of each timeout length an invoker has used. */
function timeoutQueues(): (ms: number) => TimeoutQueue {
  const queues = new Map<number, TimeoutQueue>()
  return (ms) => {
    let q = queues.get(ms)
    if (q === undefined) queues.set(ms, (q = new TimeoutQueue(ms)))
    return q
  }
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
    const queueOf = timeoutQueues()
    if (typeof found === 'function') return (functionArn, event, timeoutMs) => invokeHandler(found, namesOf(functionArn), event, timeoutMs, queueOf(timeoutMs))
    return async (functionArn, event, timeoutMs) => {
      let handler: LambdaHandler
      try {
        let p = cache.get(found)
        if (p === undefined) cache.set(found, (p = loadModuleHandler(found)))
        handler = await p
      } catch (err) {
        return { kind: 'failed', reason: err instanceof Error ? err.message : String(err) }
      }
      return invokeHandler(handler, namesOf(functionArn), event, timeoutMs, queueOf(timeoutMs))
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
