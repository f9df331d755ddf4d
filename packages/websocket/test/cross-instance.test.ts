import { randomBytes } from 'node:crypto'
import { describe, expect, it, onTestFinished } from 'vitest'
import { RedisConnectionStore } from '@gw/store-redis'
import { mockIntegration, open, serveApi } from './support.js'

const def = {
  protocolType: 'WEBSOCKET' as const,
  apiId: 'shared',
  name: 'shared',
  routeSelectionExpression: '$request.body.action',
  routes: [{ routeKey: 'whoami', target: 'integrations/who', routeResponseSelectionExpression: '$default' as const }],
  integrations: [mockIntegration('who', '$context.connectionId')],
  stages: { dev: {} }
}

/**
 * A store that answers before the API starts, as `gw serve` waits for it: an instance's first lease write sent
 * before its Redis connection was up failed, and the lease stayed missing until the next renewal (a live
 * connection then read as gone, 410).
 */
async function store(prefix: string): Promise<RedisConnectionStore> {
  const s = new RedisConnectionStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix })
  onTestFinished(() => s.close())
  await s.ready(10_000)
  return s
}

describe('@connections across instances through Redis (§14.7)', () => {
  it('a post to instance 2 reaches a client of instance 1; GET and DELETE too; a dead instance reads as gone within its lease', async () => {
    const prefix = `gwtest-${randomBytes(6).toString('hex')}`
    // Leases long enough that a loaded CI machine's event-loop lag never lets a live instance's lease lapse mid-test
    // (a 600 ms lease renewed every 200 ms did, answering 410 for a live connection).
    const one = await serveApi(def, { connectionStore: await store(prefix), leaseMs: 30_000, unsignedConnectionsApi: true })
    const two = await serveApi(def, { connectionStore: await store(prefix), leaseMs: 30_000, unsignedConnectionsApi: true })
    const client = await open(`${one.wsOrigin}/dev`, { headers: { 'User-Agent': 'wscat' } })
    client.ws.send('{"action":"whoami"}')
    const id = await client.next()
    const at = `${two.httpOrigin}/dev/@connections/${encodeURIComponent(id)}`

    const posted = await fetch(at, { method: 'POST', body: 'across' })
    expect(posted.status).toBe(200)
    expect(await client.next()).toBe('across')
    await two.api.postToConnection(id, 'in-process')
    expect(await client.next()).toBe('in-process')

    const got = await fetch(at)
    expect(got.status).toBe(200)
    expect(((await got.json()) as { identity: unknown }).identity).toEqual({ sourceIp: '127.0.0.1', userAgent: 'wscat' })

    const other = await open(`${one.wsOrigin}/dev`)
    other.ws.send('{"action":"whoami"}')
    const otherId = await other.next()
    expect((await fetch(`${two.httpOrigin}/dev/@connections/${encodeURIComponent(otherId)}`)).status).toBe(200)
    expect((await fetch(at, { method: 'DELETE' })).status).toBe(204)
    await client.closed
    await expect.poll(async () => (await fetch(at)).status).toBe(410)
  })

  it('a connection whose instance holds no lease (it was SIGKILLed and its lease ran out) reads as gone: 410 to GET and POST', async () => {
    const prefix = `gwtest-${randomBytes(6).toString('hex')}`
    const shared = await store(prefix)
    const live = await serveApi(def, { connectionStore: await store(prefix), leaseMs: 30_000, unsignedConnectionsApi: true })
    // The record a killed instance left behind: its lease key `@instance/ghost` is absent, as after `leaseMs` without renewal.
    await shared.add('ghostconn=', JSON.stringify({ i: 'ghost', s: 'dev', c: Date.now(), a: Date.now(), ip: '127.0.0.1', ua: 'wscat' }), 60_000)
    const at = `${live.httpOrigin}/dev/@connections/${encodeURIComponent('ghostconn=')}`
    expect((await fetch(at)).status).toBe(410)
    expect((await fetch(at, { method: 'POST', body: 'x' })).status).toBe(410)
    // and the stale record is swept, not left for the next reader
    await expect.poll(() => shared.get('ghostconn=')).toBeUndefined()
  })
})
