import { constants, brotliCompressSync, gzipSync } from 'node:zlib'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { GwError, parseOptions } from '@gw/core'
import { z } from 'zod'

/**
 * The console's Content-Security-Policy: only this origin's scripts, styles and API calls; no inline script or
 * style, no plugins, no framing (`frame-ancestors 'none'`), no form posts or base rewrites.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json'
}

/** One file of the built console, with its compressed forms made once at start. */
interface Asset {
  readonly type: string
  readonly raw: Buffer
  readonly gzip: Buffer
  readonly br: Buffer
  /** Hashed names never change content: cached for a year; index.html is revalidated. */
  readonly immutable: boolean
}

const optionsSchema = z
  .object({
    /** Where the built files are (`dist/ui` of this package). */
    dir: z.string().min(1).optional(),
    /** Path below the management path. @default '/console' */
    prefix: z.string().regex(/^\/[A-Za-z0-9._~-]+$/, "one path segment such as '/console'").default('/console')
  })
  .strict()

/** Options of {@link consoleAssets}. */
export type ConsoleAssetsOptions = z.input<typeof optionsSchema>

/** What `mountManagementApi({ assets })` (@gw/cli) serves below the management path, without the admin token. */
export interface ConsoleAssets {
  /** `/console`. */
  readonly prefix: string
  /** Total bytes of all files, compressed with brotli (what a browser downloads once). */
  readonly compressedBytes: number
  /** Answers `GET {prefix}/…`; false for a path that names no file (the caller answers it). */
  serve(req: IncomingMessage, res: ServerResponse, subPath: string): boolean
}

/** Default location of the built UI: `dist/ui` next to this module (from `src/` in tests, `dist/` once built). */
const defaultDir = (): string => join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'ui')

/**
 * The admin console's static files (built by `scripts/build-ui.mjs` into hashed names), read and compressed once,
 * served with a strict Content-Security-Policy, `X-Content-Type-Options: nosniff`, `frame-ancestors 'none'`,
 * `Referrer-Policy: no-referrer`. The files hold no secret: the token is typed into the page and kept in
 * sessionStorage, and every call the page makes goes to the management API with it.
 * @throws GwError GW_CONFIG_INVALID on bad options; GW_CONSOLE_NOT_BUILT when the directory has no index.html
 * @example
 * mountManagementApi(runtime, { path: '/_gw', token, assets: consoleAssets() }) // GET /_gw/console/ → the console
 */
export function consoleAssets(options: ConsoleAssetsOptions = {}): ConsoleAssets {
  const opts = parseOptions(optionsSchema, options, 'consoleAssets')
  const dir = opts.dir ?? defaultDir()
  if (!existsSync(join(dir, 'index.html'))) throw new GwError('GW_CONSOLE_NOT_BUILT', `the console is not built: no index.html in ${dir} (run the @gw/console build)`, { status: 500 })
  const files = new Map<string, Asset>()
  let compressedBytes = 0
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)]
    if (type === undefined) continue
    const raw = readFileSync(join(dir, name))
    const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
    compressedBytes += br.length
    files.set(`/${name}`, { type, raw, gzip: gzipSync(raw, { level: 9 }), br, immutable: name !== 'index.html' })
  }
  const index = files.get('/index.html')
  return {
    prefix: opts.prefix,
    compressedBytes,
    serve(req, res, subPath) {
      // `/console` → `/console/` so the page's relative asset URLs resolve below it
      if (subPath === '') {
        res.statusCode = 308
        res.setHeader('location', `${(req.url ?? '').split('?')[0] ?? ''}/`)
        res.end()
        return true
      }
      const asset = subPath === '/' ? index : files.get(subPath)
      if (asset === undefined) return false
      const accepted = String(req.headers['accept-encoding'] ?? '')
      const encoding = /\bbr\b/.test(accepted) ? 'br' : /\bgzip\b/.test(accepted) ? 'gzip' : undefined
      const body = encoding === 'br' ? asset.br : encoding === 'gzip' ? asset.gzip : asset.raw
      res.statusCode = 200
      res.setHeader('content-type', asset.type)
      res.setHeader('content-security-policy', CONSOLE_CSP)
      res.setHeader('x-content-type-options', 'nosniff')
      res.setHeader('x-frame-options', 'DENY')
      res.setHeader('referrer-policy', 'no-referrer')
      res.setHeader('cross-origin-opener-policy', 'same-origin')
      res.setHeader('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      res.setHeader('vary', 'accept-encoding')
      if (encoding !== undefined) res.setHeader('content-encoding', encoding)
      res.setHeader('content-length', body.length)
      res.end(req.method === 'HEAD' ? undefined : body)
      return true
    }
  }
}
