import { describe, expect, it } from 'vitest'
import { GwError } from '@gw/core'
import { koaAdapter } from '@gw/koa'

// Behaviour over sockets (conformance, bad input, fallthrough) runs in packages/core/test for all adapters.
describe('@gw/koa construction', () => {
  it.each([
    ['fallthrough not a boolean', { fallthrough: 'yes' as unknown as boolean }, 'fallthrough'],
    ['negative bodyLimit', { bodyLimit: -1 }, 'bodyLimit'],
    ['unknown option', { fallthru: true } as never, 'fallthru']
  ])('refuses %s with GW_CONFIG_INVALID', (_name, options, path) => {
    expect(() => koaAdapter(() => {}, options)).toThrow(GwError)
    expect(() => koaAdapter(() => {}, options)).toThrow(path)
  })

  it('returns a Koa-shaped middleware (ctx, next)', () => {
    expect(koaAdapter(() => {}).length).toBe(2)
  })
})
