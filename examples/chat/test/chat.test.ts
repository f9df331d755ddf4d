import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import WebSocket from 'ws'
import { serve } from '@gw/cli'
import { silentLogger } from '@gw/core'

function join(url: string): Promise<{ ws: WebSocket; next: () => Promise<string> }> {
  const ws = new WebSocket(url)
  const queue: string[] = []
  const waiting: ((m: string) => void)[] = []
  ws.on('message', (d) => {
    const m = (d as Buffer).toString('utf8')
    const w = waiting.shift()
    if (w) w(m)
    else queue.push(m)
  })
  onTestFinished(() => ws.terminate())
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, next: () => (queue.length > 0 ? Promise.resolve(queue.shift() as string) : new Promise((ok) => waiting.push(ok))) }))
    ws.once('error', reject)
  })
}

describe('examples/chat', () => {
  it('a message reaches every member of the room (fan-out with postToConnection, §14.7)', async () => {
    const gw = await serve({ config: fileURLToPath(new URL('../gw.config.yaml', import.meta.url)), port: 0, logger: silentLogger })
    onTestFinished(() => gw.close())
    const url = gw.urls[0] as string
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/dev$/)
    const alice = await join(url)
    const bob = await join(url)
    alice.ws.send('{"action":"whoami"}')
    const me = JSON.parse(await alice.next()) as { connectionId: string; members: number }
    expect(me.members).toBe(2)
    alice.ws.send('{"action":"sendMessage","text":"hello"}')
    expect(JSON.parse(await alice.next())).toEqual({ from: me.connectionId, text: 'hello' })
    expect(JSON.parse(await bob.next())).toEqual({ from: me.connectionId, text: 'hello' })
  })
})
