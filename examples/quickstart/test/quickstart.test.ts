import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'

const SERVER = fileURLToPath(new URL('../server.mjs', import.meta.url))
const CLI_DIST = fileURLToPath(new URL('../../../packages/cli/dist/index.js', import.meta.url))

/** Turns one printed `curl ...` line into a fetch (the curl-equivalent request). */
function curlToFetch(line: string): { url: string; init: RequestInit } {
  const url = /(http:\/\/\S+)/.exec(line)?.[1] ?? ''
  const headers: Record<string, string> = {}
  for (const m of line.matchAll(/-H '([^:]+): ([^']*)'/g)) headers[m[1] ?? ''] = m[2] ?? ''
  const method = /-X (\w+)/.exec(line)?.[1] ?? 'GET'
  const body = /-d '([^']*)'/.exec(line)?.[1]
  return { url, init: { method, headers, ...(body === undefined ? {} : { body }) } }
}

describe('examples/quickstart (pnpm start runs server.mjs)', () => {
  it('starts upstream + gateway, prints the URL and curl commands that work', async () => {
    if (!existsSync(CLI_DIST)) throw new Error('build @gw/cli first (pnpm build)')
    const child = spawn(process.execPath, [SERVER], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    const started = Date.now()
    while (!out.includes('403') && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 50))
    const url = /listening: (http:\/\/\S+)/.exec(out)?.[1]
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dev$/)
    const curls = out.split('\n').filter((l) => l.trim().startsWith('curl'))
    expect(curls).toHaveLength(7)

    // the last two name the API's own host name (§1.1), which curl resolves to 127.0.0.1 (*.localhost, --resolve)
    for (const line of curls.slice(5)) {
      const target = new URL(/(http:\/\/\S+\/hello)/.exec(line)?.[1] ?? '')
      expect(target.hostname).toMatch(/^[a-z0-9]{10}\.execute-api\.localhost$/)
      const status = await new Promise<number | undefined>((resolve, reject) => {
        request({ host: '127.0.0.1', port: target.port, path: target.pathname, headers: { host: target.host } }, (res) => {
          res.resume()
          resolve(res.statusCode)
        }).on('error', reject).end()
      })
      expect(status).toBe(200)
    }

    const results = []
    for (const line of curls.slice(0, 5)) {
      const { url: target, init } = curlToFetch(line)
      const res = await fetch(target, init)
      results.push({ status: res.status, body: await res.json() })
    }
    expect(results).toEqual([
      { status: 200, body: { message: 'Hello from gw', stage: 'dev', greeting: 'hello-dev' } },
      { status: 200, body: { from: 'upstream', method: 'GET', url: '/pets?type=cat' } },
      { status: 201, body: { id: 'order-1', item: 'book', stage: 'dev' } },
      { status: 200, body: { premium: true, stage: 'dev' } },
      { status: 403, body: { message: 'Forbidden' } }
    ])

    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
