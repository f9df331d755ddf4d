/** Request headers whose values never reach a log in clear (§13.2: authorization headers and API key values). */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'cookie', 'x-amz-security-token', 'set-cookie'])

/** `********` plus the last 4 characters of long values (as AWS's execution logs show API keys); short values are fully masked. */
export function maskSecret(value: string): string {
  return value.length >= 20 ? `****************${value.slice(-4)}` : '********'
}

/** A copy of headers with secret values masked. */
export function maskedHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const name in headers) {
    const v = headers[name]
    if (v === undefined) continue
    out[name] = SECRET_HEADERS.has(name) ? (Array.isArray(v) ? v.map(maskSecret) : maskSecret(v)) : v
  }
  return out
}
