/**
 * README examples are tests (#14): every ```ts / ```js block of the root README and of every packages/* README
 * (found at run time, so new packages are covered the day they land) runs here against real servers, and the
 * answers it documents are checked.
 *
 * The convention (also in CONTRIBUTING.md):
 *
 * 1. A block runs as an ES module, as written, with `@gw/*` imports resolved to the packages' sources. Top-level
 *    `await` is fine. Every `listen(...)` it makes (node:http, Express, Koa, Fastify, @hono/node-server,
 *    `gw.listen()`) is moved to 127.0.0.1 on a free port, so `listen(3000)` is fine as written.
 * 2. A block documents its answers in `//` comments, one or more clauses separated by `; `:
 *        // GET /prod/pets → 200 []; GET /prod/nope → 403 {"message":"Missing Authentication Token"}
 *        // GET / [authorization: allow] [x-api-key: k] → 200 ok
 *        // POST /pets [content-type: application/json] {"name":"rex"} → 201
 *    `METHOD /path`, optional `[name: value]` request headers, an optional JSON request body, `→`, the exact
 *    status, and optionally text the response body must contain. Clauses run in order against the server the
 *    block started last. A block that leaves a server listening must document at least one answer.
 * 3. Stand-ins for outside services: `https://issuer.example` / `https://issuer.example.com` are replaced by a
 *    local OpenID issuer (discovery + JWKS) and `$JWT` in a header value by a token it signed (RS256,
 *    `sub: alice`, `aud: my-api`, `scope: read`, valid 1 h); `http://upstream.example` is replaced by a local
 *    upstream answering 200 `{"upstream":"<METHOD> <path>"}`.
 * 4. A block that cannot run (a shell command in a ts/js fence, a true fragment) starts with the line
 *    `// not run: <why>`; it is listed as skipped with its reason.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { createServer, type Server as HttpServer } from 'node:http'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const scratch = path.join(root, 'test', '.readme-blocks')

/** One fenced block: where it is, its language and source. */
interface Block {
  readonly file: string
  readonly line: number
  readonly lang: 'ts' | 'js'
  readonly source: string
}

/** One documented answer. */
interface Clause {
  readonly method: string
  readonly target: string
  readonly headers: Record<string, string>
  readonly body: string | undefined
  readonly status: number
  readonly contains: string | undefined
}

function readmes(): string[] {
  const files = ['README.md']
  for (const name of readdirSync(path.join(root, 'packages')).sort()) {
    if (existsSync(path.join(root, 'packages', name, 'README.md'))) files.push(`packages/${name}/README.md`)
  }
  return files
}

const FENCE = /^```(ts|typescript|js|javascript)\s*$/

function extractBlocks(file: string, text: string): Block[] {
  const blocks: Block[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] as string)
    if (open === null) continue
    const start = i + 1
    let end = start
    while (end < lines.length && !(lines[end] as string).startsWith('```')) end++
    const lang = open[1] === 'js' || open[1] === 'javascript' ? 'js' : 'ts'
    blocks.push({ file, line: start, lang, source: lines.slice(start, end).join('\n') })
    i = end
  }
  return blocks
}

const NOT_RUN = /^\s*\/\/ not run: (\S.*)$/

/** The `// not run: <why>` reason on the block's first line, if any. */
function notRunReason(block: Block): string | undefined {
  const first = block.source.split('\n').find((l) => l.trim() !== '')
  return first === undefined ? undefined : NOT_RUN.exec(first)?.[1]
}

const METHOD = '(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)'
const CLAUSE = new RegExp(
  `\\b(${METHOD})\\s+(\\/\\S*)((?:\\s+\\[[^\\]]+\\])*)(?:\\s+(\\{.*?\\}))?\\s+→\\s+(\\d{3})(?:\\s+(.*?))?\\s*(?=;\\s+${METHOD}\\s+\\/|$)`,
  'g'
)
const COMMENT = /(?:^|\s)\/\/\s?(.*)$/

function parseClauses(source: string): Clause[] {
  const clauses: Clause[] = []
  for (const line of source.split('\n')) {
    const comment = COMMENT.exec(line)?.[1]
    if (comment === undefined) continue
    for (const m of comment.matchAll(CLAUSE)) {
      const headers: Record<string, string> = {}
      for (const h of (m[3] ?? '').matchAll(/\[([^:\]]+):\s*([^\]]*)\]/g)) headers[(h[1] as string).trim().toLowerCase()] = (h[2] as string).trim()
      const contains = m[6]?.trim()
      clauses.push({ method: m[1] as string, target: m[2] as string, headers, body: m[4], status: Number(m[5]), contains: contains === '' ? undefined : contains })
    }
  }
  return clauses
}

// ---- stand-ins for outside services ----

interface StandIns {
  readonly issuer: string
  readonly upstream: string
  readonly jwt: string
  close(): Promise<void>
}

async function listenLocal(server: HttpServer): Promise<string> {
  await new Promise<void>((resolve) => originalListen.call(server, 0, '127.0.0.1', () => resolve()))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function startStandIns(): Promise<StandIns> {
  const { publicKey, privateKey } = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'readme', alg: 'RS256', use: 'sig' }
  let issuer = ''
  const idp = createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/.well-known/jwks.json` }))
    else if (req.url === '/.well-known/jwks.json') res.end(JSON.stringify({ keys: [jwk] }))
    else res.writeHead(404).end('{}')
  })
  issuer = await listenLocal(idp)
  const jwt = await new SignJWT({ scope: 'read' })
    .setProtectedHeader({ alg: 'RS256', kid: 'readme' })
    .setIssuer(issuer)
    .setAudience('my-api')
    .setSubject('alice')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey)
  const up = createServer((req, res) => {
    req.resume()
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ upstream: `${req.method ?? ''} ${req.url ?? ''}` }))
  })
  const upstream = await listenLocal(up)
  const close = async (): Promise<void> => {
    for (const s of [idp, up]) {
      s.closeAllConnections()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    }
  }
  return { issuer, upstream, jwt, close }
}

function withStandIns(source: string, s: StandIns): string {
  return source
    .replaceAll('https://issuer.example.com', s.issuer)
    .replaceAll('https://issuer.example', s.issuer)
    .replaceAll('http://upstream.example', s.upstream)
}

// ---- every listen() of a block moves to 127.0.0.1:0 ----

type Listen = (this: net.Server, ...args: unknown[]) => net.Server
// eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be called with .call/.apply on each server
const originalListen = net.Server.prototype.listen as Listen
let captured: net.Server[] | undefined

function moveToFreePort(args: unknown[]): unknown[] {
  const [first] = args
  const callbacks = args.filter((a) => typeof a === 'function')
  if (typeof first === 'object' && first !== null && ('port' in first || !('fd' in first || 'path' in first || '_handle' in first))) {
    return [{ ...first, port: 0, host: '127.0.0.1' }, ...callbacks]
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first)) || first === undefined || typeof first === 'function') {
    return [0, '127.0.0.1', ...callbacks]
  }
  return args
}

function patchListen(): void {
  ;(net.Server.prototype as { listen: Listen }).listen = function listen(this: net.Server, ...args: unknown[]) {
    if (captured === undefined) return originalListen.apply(this, args)
    captured.push(this)
    return originalListen.apply(this, moveToFreePort(args))
  }
}

function unpatchListen(): void {
  ;(net.Server.prototype as { listen: Listen }).listen = originalListen
}

async function listening(server: net.Server, ms: number): Promise<boolean> {
  if (server.listening) return true
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(server.listening), ms)
    server.once('listening', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

async function closeAll(servers: readonly net.Server[]): Promise<void> {
  for (const s of servers) {
    if (!s.listening) continue
    ;(s as Partial<HttpServer>).closeAllConnections?.()
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }
}

async function ask(base: string, clause: Clause, s: StandIns): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(clause.headers)) headers[k] = v.replaceAll('$JWT', s.jwt)
  const init: RequestInit = { method: clause.method, headers, signal: AbortSignal.timeout(15_000) }
  if (clause.body !== undefined) init.body = clause.body
  const res = await fetch(base + clause.target, init)
  return { status: res.status, body: await res.text() }
}

async function runBlock(block: Block, s: StandIns): Promise<void> {
  const clauses = parseClauses(block.source)
  const name = `${block.file.replace(/[^A-Za-z0-9]+/g, '-')}-${block.line}.${block.lang}`
  const file = path.join(scratch, name)
  writeFileSync(file, withStandIns(block.source, s))
  const servers: net.Server[] = []
  captured = servers
  try {
    await import(/* @vite-ignore */ pathToFileURL(file).href)
  } finally {
    captured = undefined
  }
  try {
    for (const server of servers) await listening(server, 5_000)
    const open = servers.filter((x) => x.listening)
    if (open.length === 0) {
      expect(clauses, `${block.file}:${block.line} documents answers but starts no server`).toEqual([])
      return
    }
    expect(clauses.length, `${block.file}:${block.line} leaves a server listening: document at least one answer (// GET / → 200 ...)`).toBeGreaterThan(0)
    const base = `http://127.0.0.1:${(open[open.length - 1]?.address() as AddressInfo).port}`
    for (const clause of clauses) {
      const res = await ask(base, clause, s)
      const what = `${block.file}:${block.line} ${clause.method} ${clause.target} → ${res.status} ${res.body.slice(0, 300)}`
      expect(res.status, what).toBe(clause.status)
      if (clause.contains !== undefined) expect(res.body, what).toContain(clause.contains)
    }
  } finally {
    await closeAll(servers)
    rmSync(file, { force: true })
  }
}

// ---- the tests ----

const blocks = readmes().flatMap((file) => extractBlocks(file, readFileSync(path.join(root, file), 'utf8')))
let standIns: StandIns

beforeAll(async () => {
  mkdirSync(scratch, { recursive: true })
  patchListen()
  standIns = await startStandIns()
})
afterAll(async () => {
  unpatchListen()
  await standIns.close()
  rmSync(scratch, { recursive: true, force: true })
})

describe('README examples run as written', () => {
  it('finds the blocks of the root README and of every package README', () => {
    expect(blocks.some((b) => b.file === 'README.md')).toBe(true)
    expect(new Set(blocks.map((b) => b.file)).size).toBeGreaterThan(10)
  })

  it('parses the answer convention', () => {
    expect(parseClauses('x() // GET /a [x-api-key: k1] [authorization: Bearer $JWT] → 200 {"ok":true}; POST /b {"n":1} → 201; GET /c → 403 Forbidden')).toEqual([
      { method: 'GET', target: '/a', headers: { 'x-api-key': 'k1', authorization: 'Bearer $JWT' }, body: undefined, status: 200, contains: '{"ok":true}' },
      { method: 'POST', target: '/b', headers: {}, body: '{"n":1}', status: 201, contains: undefined },
      { method: 'GET', target: '/c', headers: {}, body: undefined, status: 403, contains: 'Forbidden' }
    ])
    expect(parseClauses("fetch('http://upstream.example/x') // prose only, 429 {\"message\":\"Too Many Requests\"}")).toEqual([])
  })

  for (const block of blocks) {
    const reason = notRunReason(block)
    if (reason !== undefined) it.skip(`${block.file}:${block.line} (not run: ${reason})`, () => {})
    else it(`${block.file}:${block.line}`, () => runBlock(block, standIns))
  }
})
