import { afterEach, describe, expect, it } from 'vitest'
import { GwError, silentLogger } from '@gw/core'
import { expressAdapter } from '@gw/express'
import { startAdapter, type RunningAdapter } from '../../core/test/support/adapters.js'
import { echoPipeline, newProbe } from '../../core/test/support/echo-pipeline.js'
import { rawRequest } from '../../core/test/support/raw-http.js'

const started: RunningAdapter[] = []
afterEach(async () => {
  for (const a of started.splice(0)) await a.close()
})

const get = (path: string): string[] => [`GET ${path} HTTP/1.1`, 'Host: gw.test', 'Connection: close']

describe('@gw/express', () => {
  it.each([
    ['fallthrough: no route → Express route answers', true, '/host-route', 200, 'from express'],
    ['fallthrough: gateway routes still answered by gw', true, '/unicode', 200, 'héllo wörld ✓ 日本'],
    ['no fallthrough: no route → §12.1 403 Missing Authentication Token', false, '/host-route', 403, '{"message":"Missing Authentication Token"}']
  ])('%s', async (_name, fallthrough, path, status, body) => {
    const adapter = await startAdapter('express', echoPipeline(newProbe()), { fallthrough, logger: silentLogger })
    started.push(adapter)
    const res = await rawRequest(adapter.url, get(path))
    expect(res.status).toBe(status)
    expect(res.body.toString('utf8')).toBe(body)
  })

  it('refuses bad options at construction (GW_CONFIG_INVALID)', () => {
    expect(() => expressAdapter(() => {}, { fallthrough: 'yes' as unknown as boolean })).toThrow(GwError)
    expect(() => expressAdapter(() => {}, { bodyLimit: -1 })).toThrow(/bodyLimit/)
  })
})
