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

/**
 * A wrk `-s` script that sends `method` with `headers`, always in one order: `Host`, then `headers` as listed (written
 * once per spec into a temp dir). wrk's own `wrk.format()` walks its header table with Lua's `pairs()`, whose order
 * changes from one wrk process to the next, so each measured slice sent the same headers in another order. node:http
 * builds `req.headers` in arrival order, so every new order is a new hidden class: a server whose JavaScript reads
 * headers deoptimized its hot path at the first request of each slice and ended up polymorphic on the headers
 * object, where a real client sends its headers in one order. The request is still formatted once per wrk thread
 * (no per-request Lua: the script defines no `request` function).
 */
export function wrkScript (method, headers) {
  const dir = mkdtempSync(join(os.tmpdir(), 'gw-wrk-'))
  const file = join(dir, 'request.lua')
  const lines = [
    `wrk.method = ${lua(method)}`,
    `local fixed = { ${Object.entries(headers || {}).map(([k, v]) => `{ ${lua(k)}, ${lua(v)} }`).join(', ')} }`,
    '-- called once by wrk.init(), after it set wrk.headers.Host',
    'function wrk.format (m, path)',
    '  local lines = { string.format("%s %s HTTP/1.1", m or wrk.method, path or wrk.path), "Host: " .. wrk.headers["Host"] }',
    '  for _, h in ipairs(fixed) do lines[#lines + 1] = h[1] .. ": " .. h[2] end',
    '  lines[#lines + 1] = ""',
    '  lines[#lines + 1] = ""',
    '  return table.concat(lines, "\\r\\n")',
    'end'
  ]
  writeFileSync(file, lines.join('\n') + '\n')
  return file
}
