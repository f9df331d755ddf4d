// pnpm --filter soap-bridge start: the SOAP service and the gateway in one process.
import { startSoapService } from './soap-service.mjs'
import { createSoapBridge } from './bridge.mjs'

const soap = await startSoapService(Number(process.env.SOAP_PORT ?? 0))
const gw = createSoapBridge(soap.url)
const server = await gw.listen(Number(process.env.PORT ?? 3000))
const url = `http://127.0.0.1:${server.address().port}/prod`
console.log(`soap-bridge: gateway ${url} → SOAP service ${soap.url}/OrderService

  curl -X POST ${url}/orders -H 'content-type: application/json' -d '{"customerId":"C-7","lines":[{"sku":"A1","qty":2}]}'
  curl -i -X POST ${url}/orders -H 'content-type: application/json' -d '{"customerId":"","lines":[]}'   # SOAP Fault → 502
  curl -i -X POST ${url}/orders -H 'content-type: text/plain' -d 'x'                                   # 415 (passthrough NEVER)
`)
const stop = () => gw.close().then(() => soap.server.close())
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
