import type { IncomingMessage } from 'node:http'
import aws4 from 'aws4'

export const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }

/**
 * Recomputes the SigV4 signature of a received request (aws4, same signed
 * headers, the received x-amz-date) and says whether it matches.
 */
export function verifySigV4(req: IncomingMessage, body: string, service: string, region: string): boolean {
  const auth = req.headers.authorization ?? ''
  const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? []
  const headers: Record<string, string> = {}
  for (const h of signed) if (h !== 'host' && h !== 'content-length') headers[h] = String(req.headers[h])
  const again = aws4.sign({ host: req.headers.host ?? '', path: req.url ?? '/', method: req.method ?? 'GET', service, region, body, headers }, CREDS)
  return auth !== '' && (again.headers as Record<string, string>)['Authorization'] === auth
}
