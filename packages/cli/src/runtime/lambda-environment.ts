import { AsyncLocalStorage } from 'node:async_hooks'
import type { LambdaHandler } from '@gw/integrations'

/** The environment variables of the function whose code is running (AWS gives each function its own process). */
const current = new AsyncLocalStorage<Readonly<Record<string, string>>>()
let installed = false

/**
 * In-process Lambdas share one process, but on AWS each function sees only its own `Environment.Variables`. Once
 * a config gives a function variables, `process.env` becomes a view that reads the running function's variables
 * first (tracked with AsyncLocalStorage, so it holds across `await`), then the real environment. Writes go to the
 * real environment, as before.
 */
function install(): void {
  if (installed) return
  installed = true
  const real = process.env
  const own = (key: string | symbol): Readonly<Record<string, string>> | undefined => {
    const vars = typeof key === 'string' ? current.getStore() : undefined
    return vars !== undefined && Object.hasOwn(vars, key) ? vars : undefined
  }
  process.env = new Proxy(real, {
    get: (target, key): unknown => own(key)?.[key as string] ?? (Reflect.get(target, key) as unknown),
    has: (target, key) => own(key) !== undefined || Reflect.has(target, key),
    ownKeys: (target) => [...new Set([...Reflect.ownKeys(target), ...Object.keys(current.getStore() ?? {})])],
    getOwnPropertyDescriptor: (target, key) => {
      const vars = own(key)
      return vars === undefined ? Reflect.getOwnPropertyDescriptor(target, key) : { value: vars[key as string], writable: true, enumerable: true, configurable: true }
    }
  })
}

/**
 * Runs `fn` (a module import, at which top-level code reads the environment) with a function's variables.
 * @example
 * const module = await withLambdaEnvironment({ TABLE: 'orders' }, () => import(url))
 */
export function withLambdaEnvironment<T>(environment: Readonly<Record<string, string>>, fn: () => T): T {
  install()
  return current.run(Object.freeze({ ...environment }), fn)
}

/** The handler, each invocation running with the function's variables; keeps its arity (callback style or not). */
export function lambdaWithEnvironment(handler: LambdaHandler, environment: Readonly<Record<string, string>>): LambdaHandler {
  install()
  const vars = Object.freeze({ ...environment })
  if (handler.length >= 3) return (event, context, callback) => current.run(vars, () => handler(event, context, callback))
  return (event: unknown, context: Parameters<LambdaHandler>[1]) => current.run(vars, () => handler(event, context, () => {}))
}
