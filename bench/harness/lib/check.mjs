// The stack suite compares stacks that must give the same answers: before any timing, every target is asked
// once with the run's request and once without each credential it requires. A target that answers differently
// is skipped (reason under the table), so a row can never win by doing less.
import { isDeepStrictEqual } from 'node:util'
import { PAYLOAD } from '../targets/mw/_payload.mjs'

async function get (url, headers, method = 'GET') {
  const res = await fetch(url, { method, headers, signal: AbortSignal.timeout(10_000) })
  const text = await res.text()
  let body
  try { body = JSON.parse(text) } catch { body = text }
  return { status: res.status, body, acao: res.headers.get('access-control-allow-origin') }
}

/**
 * `null` when the target answers like the others, else what differs. Every target: 200 + the payload.
 * A target that guards its route (`guarded`: by default, when the request carries both `authorization` and
 * `x-api-key`; the harness passes it from the target's own headers, since every stack target gets the same request)
 * must also send CORS headers, answer 401 without the token and 403 without the key.
 */
export async function checkAnswers ({ url, headers, baseline = false, guarded }) {
  const ok = await get(url, headers)
  if (ok.status !== 200) return `status ${ok.status} (want 200): ${JSON.stringify(ok.body).slice(0, 200)}`
  if (!isDeepStrictEqual(ok.body, PAYLOAD)) return `body ${JSON.stringify(ok.body).slice(0, 200)} (want ${JSON.stringify(PAYLOAD)})`
  if (baseline) return null
  const without = (name) => Object.fromEntries(Object.entries(headers).filter(([h]) => h.toLowerCase() !== name))
  if (guarded ?? carriesCredentials(headers)) {
    if (ok.acao !== '*' && ok.acao !== headers.origin) return `access-control-allow-origin ${ok.acao} (want * or the Origin)`
    const noToken = await get(url, without('authorization'))
    if (noToken.status !== 401) return `without a token: status ${noToken.status} (want 401)`
    const noKey = await get(url, without('x-api-key'))
    if (noKey.status !== 403) return `without an API key: status ${noKey.status} (want 403)`
  }
  return null
}

/**
 * The cors suite: `null` when the target answers the request kind like a browser expects, else what differs.
 * preflight: 204 or 200 with `access-control-allow-origin` = the Origin (or `*`) and `-allow-methods` naming the
 * requested method; actual: 200 + the payload + `access-control-allow-origin`. The baseline only answers 200 + payload.
 */
export async function checkCors ({ url, method, headers, kind, baseline = false }) {
  const res = await fetch(url, { method, headers, signal: AbortSignal.timeout(10_000) })
  const text = await res.text()
  const acao = res.headers.get('access-control-allow-origin')
  if (baseline || kind === 'actual') {
    if (res.status !== 200) return `status ${res.status} (want 200): ${text.slice(0, 200)}`
    let body
    try { body = JSON.parse(text) } catch { body = text }
    if (!isDeepStrictEqual(body, PAYLOAD)) return `body ${text.slice(0, 200)} (want ${JSON.stringify(PAYLOAD)})`
    if (baseline) return null
  } else {
    if (res.status !== 204 && res.status !== 200) return `preflight status ${res.status} (want 204)`
    const methods = res.headers.get('access-control-allow-methods') || ''
    const want = headers['access-control-request-method']
    if (!methods.split(',').map((m) => m.trim()).includes(want)) return `access-control-allow-methods ${methods} (want ${want})`
  }
  if (acao !== '*' && acao !== headers.origin) return `access-control-allow-origin ${acao} (want * or the Origin)`
  return null
}

/** Whether a request's headers carry both stack credentials (an `authorization` token and an `x-api-key`). */
export function carriesCredentials (headers = {}) {
  const names = Object.keys(headers).map((h) => h.toLowerCase())
  return names.includes('authorization') && names.includes('x-api-key')
}
