// The harness's own logic that a benchmark result depends on: the answer check of the stack suite (a stack that
// answers differently must not be timed) and `--compare` (ratio changes between two result files).
import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM module of the harness, no types
import { carriesCredentials, checkAnswers, checkCors } from '../harness/lib/check.mjs'
// @ts-expect-error plain ESM module of the harness, no types
import { CORS_KINDS, wrkScript } from '../harness/lib/requests.mjs'

const harness = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../harness')
const PAYLOAD = { hello: 'world', id: 42, tags: ['a', 'b'], ok: true }

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${String(port)}/api/hello`, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

const headers = { origin: 'http://client.example.test', 'x-api-key': 'k'.repeat(30), authorization: 'Bearer t' }
const execFileAsync = promisify(execFile)
const hasWrk = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' })
    return true
  } catch (err) {
    // wrk --version exits 1 after printing its version: only a missing binary throws ENOENT
    return (err as NodeJS.ErrnoException).code !== 'ENOENT'
  }
})()

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

  it('checks the credentials only of a target that guards its route (every target gets the same request)', async () => {
    // a MOCK row or the bare baseline gets the key and the token too, and ignores them
    const open = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(PAYLOAD)))
    servers.push(open)
    expect(await checkAnswers({ url: open.url, headers, guarded: false })).toBeNull()
    expect(await checkAnswers({ url: open.url, headers, guarded: true })).toMatch(/access-control-allow-origin/)
    expect(carriesCredentials(headers)).toBe(true)
    expect(carriesCredentials({ Authorization: 'Bearer x' })).toBe(false)
    expect(carriesCredentials({ Authorization: 'Bearer x', 'X-Api-Key': 'k' })).toBe(true)
  })

  it('refuses a wrong body and missing CORS headers', async () => {
    const wrongBody = await serve((_req, res) => res.writeHead(200).end('{"hello":"world"}'))
    const noCors = await serve((_req, res) => res.writeHead(200).end(JSON.stringify(PAYLOAD)))
    servers.push(wrongBody, noCors)
    expect(await checkAnswers({ url: wrongBody.url, headers })).toMatch(/^body /)
    expect(await checkAnswers({ url: noCors.url, headers })).toMatch(/access-control-allow-origin/)
  })
})

/** A CORS row that answers both request kinds of the cors suite correctly. */
const goodCors = (req: IncomingMessage, res: ServerResponse): void => {
  res.setHeader('access-control-allow-origin', String(req.headers.origin))
  if (req.method === 'OPTIONS') return void res.writeHead(204, { 'access-control-allow-methods': 'GET,POST' }).end()
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(PAYLOAD))
}

describe('cors suite answer check and request specs', () => {
  const servers: { close: () => Promise<void> }[] = []
  afterAll(async () => {
    for (const s of servers) await s.close()
  })
  const ask = async (url: string, kind: 'preflight' | 'actual', baseline = false): Promise<string | null> =>
    (await checkCors({ url, method: CORS_KINDS[kind].method, headers: CORS_KINDS[kind].headers, kind, baseline })) as string | null

  it('accepts a row that answers the preflight and the actual request', async () => {
    const s = await serve(goodCors)
    servers.push(s)
    expect(await ask(s.url, 'preflight')).toBeNull()
    expect(await ask(s.url, 'actual')).toBeNull()
  })

  it('refuses a preflight without CORS headers, and an actual answer without allow-origin', async () => {
    const plain = await serve((req, res) => res.writeHead(req.method === 'OPTIONS' ? 204 : 200).end(req.method === 'OPTIONS' ? '' : JSON.stringify(PAYLOAD)))
    servers.push(plain)
    expect(await ask(plain.url, 'preflight')).toMatch(/access-control-allow-methods/)
    expect(await ask(plain.url, 'actual')).toMatch(/access-control-allow-origin null/)
    // the baseline only answers the JSON, whatever the method
    expect(await ask(plain.url, 'preflight', true)).toMatch(/status 204 \(want 200\)/)
  })

  it('writes a wrk script carrying the method and every header, in the order given', () => {
    const file = wrkScript('OPTIONS', CORS_KINDS.preflight.headers)
    const text = readFileSync(file, 'utf8')
    rmSync(path.dirname(file), { recursive: true, force: true })
    expect(text).toContain('wrk.method = "OPTIONS"')
    expect(text).toContain('local fixed = { { "origin", "http://client.example.test" }, { "access-control-request-method", "GET" }, { "access-control-request-headers", "content-type,authorization" } }')
    // formatted once by wrk.init(): a `request` function would make wrk call Lua for every request
    expect(text).toContain('function wrk.format (m, path)')
    expect(text).not.toMatch(/function request/)
  })

  // wrk's own format walks a Lua table with pairs(): another header order in each wrk process, so each slice was a
  // new hidden class for node's req.headers (a deopt of every server's header-reading code at the start of a slice).
  it.runIf(hasWrk)('sends Host, then the headers in the order given, in every wrk run (needs wrk on PATH)', async () => {
    const orders = new Set<string>()
    const server = await serve((req, res) => {
      orders.add(req.rawHeaders.filter((_, i) => i % 2 === 0).join(','))
      res.writeHead(200).end('{}')
    })
    servers.push(server)
    const file = wrkScript('GET', headers)
    try {
      // asynchronously: this process's event loop serves wrk's requests meanwhile
      for (let run = 0; run < 5; run++) await execFileAsync('wrk', ['-t', '1', '-c', '2', '-d', '1s', '-s', file, server.url])
    } finally {
      rmSync(path.dirname(file), { recursive: true, force: true })
    }
    expect([...orders]).toEqual(['Host,origin,x-api-key,authorization'])
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

describe('interleaved slices: idle targets', () => {
  // A candidate that burns about half a core in the background, answering like bare: while the baseline's slices
  // run, its CPU shows up as the baseline row's idleTargets, unless --isolate froze it.
  const burner = `import http from 'node:http'
export const meta = { suite: 'mw', name: 'burner' }
export async function start ({ port, host = '127.0.0.1' }) {
  const timer = setInterval(() => { const t = Date.now(); while (Date.now() - t < 25); }, 50)
  const server = http.createServer((req, res) => res.end('{}'))
  await new Promise((resolve) => server.listen(port, host, resolve))
  return { close: () => { clearInterval(timer); return new Promise((resolve) => server.close(resolve)) } }
}
`
  const run = (dir: string, extra: string[]): { name: string; idleCpu: number }[] => {
    const out = path.join(dir, extra.length === 0 ? 'plain' : 'isolated')
    execFileSync(process.execPath, [path.join(harness, 'run.mjs'), '--suite', 'mw', '--candidate', path.join(dir, 'burner.mjs'), '--only', 'bare', '--rounds', '1', '--cycles', '2', '--warmup', '1', '--connections', '4', '--out', out, ...extra], { stdio: 'ignore', timeout: 120_000 })
    const file = readdirSync(out).find((f) => f.endsWith('.json')) as string
    return (JSON.parse(readFileSync(path.join(out, file), 'utf8')) as { suites: { mw: { name: string; idleCpu: number }[] } }).suites.mw
  }

  it('idleTargets shows what the other targets burn during a slice, and --isolate freezes them to nothing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gw-isolate-'))
    try {
      writeFileSync(path.join(dir, 'burner.mjs'), burner)
      const bareOf = (rows: { name: string; idleCpu: number }[]): number => (rows.find((r) => r.name === 'bare') as { idleCpu: number }).idleCpu
      expect(bareOf(run(dir, []))).toBeGreaterThan(4)
      expect(bareOf(run(dir, ['--isolate']))).toBeLessThan(2)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 240_000)
})
