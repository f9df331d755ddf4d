import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from 'undici'
import type { AddressInfo } from 'node:net'
// @ts-expect-error plain ESM example modules without type declarations
import { startSoapService } from '../soap-service.mjs'
// @ts-expect-error plain ESM example modules without type declarations
import { createSoapBridge } from '../bridge.mjs'

interface Soap { url: string; server: import('node:http').Server; orders: { id: string; customerId: string; requestId: string; lines: { sku: string; qty: number }[] }[] }
interface Gw { listen(port?: number): Promise<import('node:http').Server>; close(): Promise<void> }

let soap: Soap
let gw: Gw
let url: string

beforeAll(async () => {
  soap = (await startSoapService(0)) as Soap
  gw = createSoapBridge(soap.url) as Gw
  const server = await gw.listen(0)
  url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/prod`
})
afterAll(async () => {
  await gw.close()
  await new Promise<void>((r) => soap.server.close(() => { r() }))
})

describe('soap-bridge (§4.9): JSON client ⇄ real SOAP/XML service', () => {
  it('§4.9 request template builds the envelope, response template turns the XML reply into JSON', async () => {
    const res = await request(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"customerId":"C-7 & <Co>","lines":[{"sku":"A1","qty":2},{"sku":"B2","qty":1}]}' })
    const body = JSON.parse(await res.body.text()) as { orderId: string; requestId: string }
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/json')
    expect(body.orderId).toMatch(/^ORD-\d+$/)
    const order = soap.orders.find((o) => o.id === body.orderId)
    expect(order?.customerId).toBe('C-7 & <Co>') // escaped by the template, unescaped by the XML parser
    expect(order?.lines).toEqual([{ sku: 'A1', qty: 2 }, { sku: 'B2', qty: 1 }])
    expect(order?.requestId).toBe(body.requestId) // $context.requestId reached the backend
  })

  it('§4.8 SOAP Fault (500) selects 5\\d{2} → 502 with the fault string', async () => {
    const res = await request(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"customerId":"","lines":[]}' })
    expect(res.statusCode).toBe(502)
    expect(await res.body.text()).toBe('{"message": "CustomerId and at least one Line are required"}')
  })

  it('§4.6 passthroughBehavior NEVER: text/plain → 415', async () => {
    const res = await request(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })
    expect(res.statusCode).toBe(415)
    expect(await res.body.text()).toBe('{"message":"Unsupported Media Type"}')
  })
})
