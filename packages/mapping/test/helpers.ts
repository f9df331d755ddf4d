import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { onTestFinished } from 'vitest'
import { toNodeHandler, type Middleware } from '@gw/core'
import type { TemplateVariables } from '@gw/mapping'

/** Default render variables: a small request as in the §4 examples. */
export function vars(body: string, over: Partial<TemplateVariables> = {}): TemplateVariables {
  return {
    body,
    params: {
      path: { id: 'p-1', shared: 'from-path' },
      querystring: { q: 'search', shared: 'from-query', only: 'qs' },
      header: { 'X-H': 'hv', shared: 'from-header', only: 'hdr', 'Content-Type': 'application/json' }
    },
    context: {
      requestId: 'req-123',
      stage: 'prod',
      httpMethod: 'POST',
      resourcePath: '/orders',
      identity: { sourceIp: '203.0.113.9', userAgent: 'curl/8' },
      authorizer: { principalId: 'user-1', claims: { 'custom:role': 'admin', sub: 'abc' } }
    },
    stageVariables: { name: 'blue', url: 'example.org' },
    ...over
  }
}

/** Serves a pipeline on a real loopback port (closed when the test ends); returns its base URL. */
export async function serve(pipeline: Middleware<object>): Promise<string> {
  const server = createServer(toNodeHandler(pipeline))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
