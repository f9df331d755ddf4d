// Mapping-template micro benchmarks (docs/benchmarks.md "## mapping").
// Group `mapping`: renders/s of the two SOAP templates of aws-semantics §4.9 (compiled once, rendered per op,
// including the JSON parse of the body that $input.path('$') needs), beside
// ref = JSON.stringify of the same order data, and velocityjs's own Compile.render of the same request template
// over already-parsed JS objects (what the engine costs without AWS semantics).
import { Compile, parse } from '../packages/mapping/node_modules/velocityjs/dist/esm/index.mjs'
import { compileTemplate } from '../packages/mapping/dist/index.js'

const REQUEST = `#set($o = $input.path('$'))
#set($cid = "$o.customerId")
#set($cid = $cid.replace("&","&amp;").replace("<","&lt;").replace(">","&gt;"))
<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ord="urn:orders">
  <soapenv:Header/>
  <soapenv:Body>
    <ord:PlaceOrder>
      <ord:CustomerId>$cid</ord:CustomerId>
      <ord:RequestId>$context.requestId</ord:RequestId>
      <ord:Lines>
#foreach($line in $o.lines)
        <ord:Line sku="$line.sku" qty="$line.qty"/>
#end
      </ord:Lines>
    </ord:PlaceOrder>
  </soapenv:Body>
</soapenv:Envelope>`

const RESPONSE = `#set($xml = $input.body)
#set($start = $xml.indexOf("<ord:OrderId>") + 13)
#set($end = $xml.indexOf("</ord:OrderId>"))
{"orderId": "$xml.substring($start, $end)", "requestId": "$context.requestId"}`

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
