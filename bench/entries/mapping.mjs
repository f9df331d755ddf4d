// Mapping-template micro benchmarks (docs/benchmarks.md "## mapping").
// Group `mapping`: renders/s of the two SOAP templates of aws-semantics §4.9 (compiled once, rendered per op,
// including the JSON parse of the body that $input.path('$') needs), beside
// ref = JSON.stringify of the same order data, and velocityjs's own Compile.render of the same request template
// over already-parsed JS objects (what the engine costs without AWS semantics).
import { readFileSync } from 'node:fs'
import { Compile, parse } from '../../packages/mapping/node_modules/velocityjs/dist/esm/index.mjs'
import { compileTemplate } from '../../packages/mapping/dist/index.js'

// The two templates of §4.9, verbatim (the same files the golden tests render).
const fixture = (name) => readFileSync(new URL(`../../packages/mapping/test/fixtures/${name}`, import.meta.url), 'utf8')
const REQUEST = fixture('soap-request.vtl')
const RESPONSE = fixture('soap-response.vtl')

const order = { customerId: 'C-7&<x>', lines: [{ sku: 'A1', qty: 2 }, { sku: 'B2', qty: 1 }, { sku: 'C3', qty: 5 }] }
const orderJson = JSON.stringify(order)
const reply = '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ord:PlaceOrderResponse xmlns:ord="urn:orders"><ord:OrderId>O-991</ord:OrderId></ord:PlaceOrderResponse></soapenv:Body></soapenv:Envelope>'
const params = { path: {}, querystring: {}, header: { 'Content-Type': 'application/json' } }
const context = { requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', stage: 'prod' }

export async function tasks () {
  const req = compileTemplate(REQUEST)
  const res = compileTemplate(RESPONSE)
  const reqVars = { body: orderJson, params, context, stageVariables: null }
  const resVars = { body: reply, params, context, stageVariables: null }
  const velo = new Compile(parse(REQUEST))
  // velocityjs needs JS-callable helpers; it gets the parsed object (no per-op JSON.parse), a head start.
  const veloCtx = { input: { path: () => order }, context }
  const outA = req.render(reqVars).output
  if (!outA.includes('<ord:Line sku="C3" qty="5"/>') || !outA.includes('C-7&amp;&lt;x&gt;')) throw new Error('request template output wrong')
  if (res.render(resVars).output !== `{"orderId": "O-991", "requestId": "${context.requestId}"}`) throw new Error('response template output wrong')
  if (!velo.render(veloCtx).includes('<ord:Line sku="C3" qty="5"/>')) throw new Error('velocityjs output wrong')
  const envelope = { requestId: context.requestId, order }
  return [
    { group: 'mapping', name: 'JSON.stringify of the same order data', fn: () => JSON.stringify(envelope), ref: true },
    { group: 'mapping', name: 'gw §4.9 SOAP request template render (JSON body → XML envelope)', fn: () => req.render(reqVars) },
    { group: 'mapping', name: 'gw §4.9 SOAP response template render (XML reply → JSON)', fn: () => res.render(resVars) },
    { group: 'mapping', name: 'velocityjs Compile.render, same request template, pre-parsed objects', fn: () => velo.render(veloCtx) }
  ]
}
