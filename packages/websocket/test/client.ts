import { onTestFinished } from 'vitest'
import WebSocket from 'ws'

/** A connected `ws` client whose messages queue up for `next()` (binary frames as `binary:{base64}`). */
export interface Client {
  readonly ws: WebSocket
  next(timeoutMs?: number): Promise<string>
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>
}

/**
 * Opens a real `ws` client (terminated after the test); rejects with `Unexpected server response: N` when the
 * upgrade is refused. The one test client of @gw/websocket's, gw serve's and examples/chat's tests.
 */
export function open(url: string, options: WebSocket.ClientOptions = {}, protocols?: string | string[]): Promise<Client> {
  const ws = new WebSocket(url, protocols, options)
  const queue: string[] = []
  const waiting: ((m: string) => void)[] = []
  ws.on('message', (data, binary) => {
    const text = binary ? `binary:${(data as Buffer).toString('base64')}` : (data as Buffer).toString('utf8')
    const w = waiting.shift()
    if (w !== undefined) w(text)
    else queue.push(text)
  })
  const closed = new Promise<{ code: number; reason: string }>((ok) => ws.on('close', (code, reason) => ok({ code, reason: reason.toString() })))
  onTestFinished(() => {
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate()
  })
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        closed,
        next: (timeoutMs = 5000) =>
          queue.length > 0
            ? Promise.resolve(queue.shift() as string)
            : new Promise((ok, fail) => {
                const waiter = (m: string): void => {
                  clearTimeout(t)
                  ok(m)
                }
                const t = setTimeout(() => {
                  waiting.splice(waiting.indexOf(waiter), 1)
                  fail(new Error('no message'))
                }, timeoutMs)
                waiting.push(waiter)
              })
      })
    )
    ws.once('error', reject)
  })
}
