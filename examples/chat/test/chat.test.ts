import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { open } from '../../../packages/websocket/test/client.js'
import { serve } from '@gw/cli'
import { silentLogger } from '@gw/core'

describe('examples/chat', () => {
  it('a message reaches every member of the room (fan-out with postToConnection, §14.7)', async () => {
    const gw = await serve({ config: fileURLToPath(new URL('../gw.config.yaml', import.meta.url)), port: 0, logger: silentLogger })
    onTestFinished(() => gw.close())
    const url = gw.urls[0] as string
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/dev$/)
    const alice = await open(url)
    const bob = await open(url)
    alice.ws.send('{"action":"whoami"}')
    const me = JSON.parse(await alice.next()) as { connectionId: string; members: number }
    expect(me.members).toBe(2)
    alice.ws.send('{"action":"sendMessage","text":"hello"}')
    expect(JSON.parse(await alice.next())).toEqual({ from: me.connectionId, text: 'hello' })
    expect(JSON.parse(await bob.next())).toEqual({ from: me.connectionId, text: 'hello' })
  })
})
