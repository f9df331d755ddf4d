// Request specs (method + headers) per suite or request kind. wrk gets a generated Lua script for them (it has no
// method flag), autocannon gets them as options; `check.mjs` asks each target once with the same spec before timing.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import os from 'node:os'

const ORIGIN = 'http://client.example.test'

/** The cors suite's two request kinds: a browser's preflight and the actual GET that follows it. */
export const CORS_KINDS = {
  preflight: { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'content-type,authorization' } },
  actual: { method: 'GET', headers: { origin: ORIGIN } }
}

const lua = (s) => '"' + String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"'

/** A wrk `-s` script that sends `method` with `headers` (written once per spec into a temp dir). */
export function wrkScript (method, headers) {
  const dir = mkdtempSync(join(os.tmpdir(), 'gw-wrk-'))
  const file = join(dir, 'request.lua')
  const lines = [`wrk.method = ${lua(method)}`]
  for (const [k, v] of Object.entries(headers || {})) lines.push(`wrk.headers[${lua(k)}] = ${lua(v)}`)
  writeFileSync(file, lines.join('\n') + '\n')
  return file
}
