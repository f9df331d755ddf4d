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
