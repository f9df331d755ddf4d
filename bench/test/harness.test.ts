// The harness's own logic that a benchmark result depends on: the answer check of the stack suite (a stack that
// answers differently must not be timed) and `--compare` (ratio changes between two result files).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM module of the harness, no types
import { checkAnswers } from '../harness/lib/check.mjs'

const harness = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../harness')
const PAYLOAD = { hello: 'world', id: 42, tags: ['a', 'b'], ok: true }

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${String(port)}/api/hello`, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

const headers = { origin: 'http://client.example.test', 'x-api-key': 'k'.repeat(30), authorization: 'Bearer t' }

/** A stack that does what the stack suite asks: CORS, 403 without the key, 401 without the token. */
const goodStack = (req: IncomingMessage, res: ServerResponse): void => {
  res.setHeader('access-control-allow-origin', '*')
  if (req.headers['x-api-key'] !== headers['x-api-key']) return void res.writeHead(403).end('{"message":"Forbidden"}')
  if (req.headers.authorization !== headers.authorization) return void res.writeHead(401).end('{"message":"Unauthorized"}')
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(PAYLOAD))
}

describe('stack suite answer check', () => {
  const servers: { close: () => Promise<void> }[] = []
  afterAll(async () => {
    for (const s of servers) await s.close()
  })

  it('accepts a stack that answers like the others', async () => {
    const s = await serve(goodStack)
    servers.push(s)
    expect(await checkAnswers({ url: s.url, headers })).toBeNull()
  })

  it('refuses a stack that does not check the token', async () => {
    const s = await serve((req, res) => {
      res.setHeader('access-control-allow-origin', '*')
      if (req.headers['x-api-key'] !== headers['x-api-key']) return void res.writeHead(403).end()
      res.writeHead(200).end(JSON.stringify(PAYLOAD))
    })
    servers.push(s)
    expect(await checkAnswers({ url: s.url, headers })).toMatch(/without a token: status 200 \(want 401\)/)
  })

  it('refuses a wrong body and missing CORS headers', async () => {
    const wrongBody = await serve((_req, res) => res.writeHead(200).end('{"hello":"world"}'))
    const noCors = await serve((_req, res) => res.writeHead(200).end(JSON.stringify(PAYLOAD)))
    servers.push(wrongBody, noCors)
    expect(await checkAnswers({ url: wrongBody.url, headers })).toMatch(/^body /)
    expect(await checkAnswers({ url: noCors.url, headers })).toMatch(/access-control-allow-origin/)
  })
})

describe('--compare', () => {
  it('prints each row\'s ratio in both runs and the change', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gw-compare-'))
    try {
      const run = (ratio: number, micro: number): string =>
        JSON.stringify({
          date: '2026-01-01T00:00:00.000Z',
          tool: 'wrk',
          suites: {
            mw: [
              { name: 'bare', ratio: 1, rps: 10_000 },
              { name: 'gw-serve-mock', ratio, rps: 10_000 * ratio }
            ],
            micro: { results: [{ group: 'router', name: 'ours', ratio: micro, median: 1e6 }] }
          }
        })
      writeFileSync(path.join(dir, 'a.json'), run(0.4, 2))
      writeFileSync(path.join(dir, 'b.json'), run(0.6, 1.5))
      const out = execFileSync(process.execPath, [path.join(harness, 'compare.mjs'), path.join(dir, 'a.json'), path.join(dir, 'b.json')], { encoding: 'utf8' })
      expect(out).toMatch(/\| gw-serve-mock\s+\| 0\.40\s+\| 0\.60\s+\| \+50\.0%/)
      expect(out).toMatch(/\| router \/ ours\s+\| 2\.00\s+\| 1\.50\s+\| -25\.0%/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
