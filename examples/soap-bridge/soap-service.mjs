// A small SOAP 1.1 order service (node:http + fast-xml-parser): PlaceOrder → OrderId, SOAP Fault on bad input.
import { createServer } from 'node:http'
import { XMLParser } from 'fast-xml-parser'

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, isArray: (name) => name === 'Line' })

const envelope = (body) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ord="urn:orders"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`

const fault = (code, text) => envelope(`<soapenv:Fault><faultcode>soapenv:${code}</faultcode><faultstring>${text}</faultstring></soapenv:Fault>`)

/** Starts the SOAP service on 127.0.0.1:port (0 = any); resolves with { url, server, orders }. */
export async function startSoapService(port = 0) {
  const orders = []
  let next = 1000
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const xml = Buffer.concat(chunks).toString('utf8')
      res.setHeader('content-type', 'text/xml; charset=utf-8')
      if (req.method !== 'POST' || req.headers.soapaction !== 'urn:PlaceOrder') {
        res.statusCode = 500
        return res.end(fault('Client', 'unknown SOAPAction'))
      }
      let order
      try {
        order = parser.parse(xml)?.Envelope?.Body?.PlaceOrder
      } catch {
        order = undefined
      }
      const lines = order?.Lines?.Line ?? []
      if (order === undefined || String(order.CustomerId ?? '') === '' || lines.length === 0) {
        res.statusCode = 500
        return res.end(fault('Client', 'CustomerId and at least one Line are required'))
      }
      const id = `ORD-${String(next++)}`
      orders.push({ id, customerId: String(order.CustomerId), requestId: String(order.RequestId ?? ''), lines: lines.map((l) => ({ sku: l['@sku'], qty: Number(l['@qty']) })) })
      res.end(envelope(`<ord:PlaceOrderResponse><ord:OrderId>${id}</ord:OrderId></ord:PlaceOrderResponse>`))
    })
  })
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, server, orders }
}
