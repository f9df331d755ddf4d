import { afterEach } from 'vitest'
import { silentLogger } from '@gw/core'
import { createGateway, type ApiDefinitionInput, type Gateway } from '@gw/gateway'

const gateways: Gateway[] = []
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()))
})

/** Serves a gateway on a real port 0 (closed after the test) and returns its base URL. */
export async function start(def: ApiDefinitionInput, options: Parameters<typeof createGateway>[1] = {}): Promise<string> {
  const gw = createGateway(def, { logger: silentLogger, ...options })
  gateways.push(gw)
  const address = (await gw.listen(0, '127.0.0.1')).address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return `http://127.0.0.1:${String(address.port)}`
}

/** A MOCK integration answering 200 `{"ok":true}`. */
export const mock = {
  type: 'MOCK' as const,
  requestTemplates: { 'application/json': '{"statusCode": 200}' },
  responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } } }
}

/** A REST TOKEN authorizer definition calling the in-process function `tokenFn` (options.integrations.lambda), its result cached `ttl` seconds (§10.2, §10.4). */
export const tokenAuthorizer = (ttl: number) =>
  ({
    type: 'TOKEN',
    authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:tokenFn/invocations',
    identitySource: 'method.request.header.Authorization',
    authorizerResultTtlInSeconds: ttl
  }) as const
