import { describe, expect, it } from 'vitest'
import { GwError } from '@gw/core'
import { expressAdapter } from '@gw/express'

// Behaviour over sockets (conformance, bad input, fallthrough) runs in packages/core/test for all adapters.
describe('@gw/express construction', () => {
  it.each([
    ['fallthrough not a boolean', { fallthrough: 'yes' as unknown as boolean }, 'fallthrough'],
    ['negative bodyLimit', { bodyLimit: -1 }, 'bodyLimit'],
    ['unknown option', { fallthru: true } as never, 'fallthru']
  ])('refuses %s with GW_CONFIG_INVALID', (_name, options, path) => {
    expect(() => expressAdapter(() => {}, options)).toThrow(GwError)
    expect(() => expressAdapter(() => {}, options)).toThrow(path)
  })

  it('returns an Express-shaped middleware (req, res, next)', () => {
    expect(expressAdapter(() => {}).length).toBe(3)
  })
})
