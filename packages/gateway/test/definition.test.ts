import { describe, expect, it } from 'vitest'
import { apiDefinitionSchema } from '@gw/gateway'

describe('definition schema', () => {
  it('accepts a REST API with defaults filled', () => {
    const d = apiDefinitionSchema.parse({ protocol: 'REST', name: 'pets', resources: { '/pets/{id}': { resourceMethods: { GET: { integration: { type: 'MOCK' } } } } } })
    expect(d.protocol).toBe('REST')
    if (d.protocol !== 'REST') return
    expect(d.resources['/pets/{id}']?.resourceMethods.GET?.authorizationType).toBe('NONE')
  })
  it.each([
    ['§1.2 greedy not last', { protocol: 'REST', name: 'x', resources: { '/a/{p+}/b': {} } }, 'greedy'],
    ['§1.2 param not whole segment', { protocol: 'REST', name: 'x', resources: { '/res{id}': {} } }, 'resource path'],
    ['§6.3 bad variable value', { protocol: 'REST', name: 'x', stages: { prod: { variables: { a: 'b c' } } } }, 'stage variable values'],
    ['§1.3 trailing slash route key', { protocol: 'HTTP', name: 'x', routes: { 'GET /pets/': {} } }, 'route key']
  ])('rejects %s', (_name, input, message) => {
    const r = apiDefinitionSchema.safeParse(input)
    expect(r.success).toBe(false)
    expect(JSON.stringify(r.error?.issues)).toContain(message)
  })
})
