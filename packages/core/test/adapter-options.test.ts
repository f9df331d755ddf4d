import { describe, expect, it } from 'vitest'
import { GwError, toFetchHandler, toNodeHandler, type Middleware } from '@gw/core'
import { expressAdapter } from '@gw/express'
import { koaAdapter } from '@gw/koa'
import { gw } from '@gw/hono'

// Every adapter validates its options once, at construction, through core's compileAdapterOptions (DEVELOPERS.md:
// typed options validated with readable errors). Behaviour over sockets runs in conformance.test.ts.
type Build = (pipeline: Middleware<object>, options: Record<string, unknown>) => unknown

const ADAPTERS: readonly [name: string, build: Build, arity: number][] = [
  ['toNodeHandler', (p, o) => toNodeHandler(p, o), 2],
  ['toFetchHandler', (p, o) => toFetchHandler(p, o), 2], // (request, env): Hono and workers pass env
  ['expressAdapter', (p, o) => expressAdapter(p, o), 3],
  ['koaAdapter', (p, o) => koaAdapter(p, o), 2],
  ['gw (hono)', (p, o) => gw(p, o), 2]
]

const BAD: readonly [what: string, options: Record<string, unknown>, names: string][] = [
  ['negative bodyLimit', { bodyLimit: -1 }, 'bodyLimit'],
  ['unknown option', { fallthru: true }, 'fallthru'],
  ['trustProxy of the wrong type', { trustProxy: 'yes' }, 'trustProxy']
]

describe.each(ADAPTERS)('%s construction', (name, build, arity) => {
  it.each(BAD)('refuses %s with GW_CONFIG_INVALID naming the field', (_what, options, field) => {
    let thrown: unknown
    try {
      build(() => {}, options)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(GwError)
    expect((thrown as GwError).code).toBe('GW_CONFIG_INVALID')
    expect((thrown as Error).message).toContain(field)
    expect((thrown as Error).message).toContain(name)
  })

  it(`returns a handler of the host's shape (${arity} parameters)`, () => {
    expect((build(() => {}, {}) as (...args: unknown[]) => unknown).length).toBe(arity)
  })
})

describe.each(ADAPTERS.filter(([name]) => name === 'expressAdapter' || name === 'koaAdapter' || name === 'gw (hono)'))('%s fallthrough option', (_name, build) => {
  it('refuses a fallthrough that is not a boolean', () => {
    expect(() => build(() => {}, { fallthrough: 'yes' })).toThrow(/fallthrough/)
  })
})

describe('gw (hono) own options', () => {
  it('refuses a clientAddress that is not a function, and a missing pipeline', () => {
    expect(() => gw(() => {}, { clientAddress: 'x' } as never)).toThrow(/clientAddress/)
    expect(() => gw(undefined as never)).toThrow(/pipeline/)
  })
})
