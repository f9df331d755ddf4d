import { describe, expect, it } from 'vitest'
import { mockIntegration, open, serveApi } from './support.js'

const echoApi = {
  protocolType: 'WEBSOCKET' as const,
  name: 'limits',
  routeSelectionExpression: '$request.body.action',
  routes: [{ routeKey: '$default', target: 'integrations/size', routeResponseSelectionExpression: '$default' as const }],
  integrations: [mockIntegration('size', 'ok')],
  stages: { dev: {} }
}

describe('limits (§14.4)', () => {
  it('a 40 KB frame closes the connection with 1009', async () => {
    const { wsOrigin } = await serveApi(echoApi)
    const c = await open(`${wsOrigin}/dev`)
    c.ws.send('x'.repeat(40 * 1024))
    expect((await c.closed).code).toBe(1009)
  })

  it('a 130 KB message in 26 KB frames closes with 1009; 100 KB in 25 KB frames is routed', async () => {
    const { wsOrigin } = await serveApi(echoApi)
    const ok = await open(`${wsOrigin}/dev`)
    for (let i = 0; i < 4; i++) ok.ws.send('y'.repeat(25 * 1024), { fin: i === 3 })
    expect(await ok.next()).toBe('ok')
    const c = await open(`${wsOrigin}/dev`)
    for (let i = 0; i < 5; i++) c.ws.send('z'.repeat(26 * 1024), { fin: i === 4 })
    expect((await c.closed).code).toBe(1009)
  })

  it('an idle connection is closed with 1001 (shortened idle timeout); traffic keeps it open', async () => {
    const { wsOrigin, api } = await serveApi(echoApi, { limits: { idleTimeoutMs: 400 } })
    const idle = await open(`${wsOrigin}/dev`)
    const busy = await open(`${wsOrigin}/dev`)
    const started = Date.now()
    const timer = setInterval(() => busy.ws.send('{}'), 100)
    const closed = await idle.closed
    clearInterval(timer)
    expect(closed.code).toBe(1001)
    expect(Date.now() - started).toBeGreaterThanOrEqual(350)
    expect(busy.ws.readyState).toBe(1)
    await expect.poll(() => api.connectionCount).toBe(1)
  })

  it('maximum connection age closes with 1001', async () => {
    const { wsOrigin } = await serveApi(echoApi, { limits: { maxConnectionMs: 300 } })
    const c = await open(`${wsOrigin}/dev`)
    const timer = setInterval(() => c.ws.send('{}'), 50)
    const closed = await c.closed
    clearInterval(timer)
    expect(closed.code).toBe(1001)
  })

  it('a client that does not read is dropped once its send buffer passes maxBufferedBytes', async () => {
    const { wsOrigin, api } = await serveApi(
      { ...echoApi, routes: [{ routeKey: '$default', target: 'integrations/who', routeResponseSelectionExpression: '$default' }], integrations: [mockIntegration('who', '$context.connectionId')] },
      { limits: { maxBufferedBytes: 64 * 1024 } }
    )
    const c = await open(`${wsOrigin}/dev`)
    c.ws.send('{}')
    const id = await c.next()
    // stop reading: the kernel buffers fill, then ws's queue grows past the bound
    ;(c.ws as unknown as { _socket: { pause(): void } })._socket.pause()
    const chunk = 'p'.repeat(100 * 1024)
    let sent = 0
    let gone = false
    while (!gone && sent < 2000) {
      try {
        await api.postToConnection(id, chunk)
        sent++
      } catch (err) {
        expect((err as { code?: string }).code).toBe('GW_WEBSOCKET_GONE')
        gone = true
      }
    }
    expect(gone).toBe(true)
    // bounded: what was accepted before the drop is a few socket buffers, not the 200 MB asked for
    expect(sent * chunk.length).toBeLessThan(64 * 1024 * 1024)
    await expect.poll(() => api.connectionCount).toBe(0)
  })
})
