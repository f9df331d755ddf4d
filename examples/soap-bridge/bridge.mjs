// The gateway side of aws-semantics §4.9: POST /orders (JSON) → HTTP integration → SOAP envelope; XML reply → JSON.
import { createGateway } from '@gw/gateway'

/** §4.9 request template, verbatim: builds the SOAP envelope from the JSON body. */
export const REQUEST_TEMPLATE = `#set($o = $input.path('$'))
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

/** §4.9 response template, verbatim: string extraction of OrderId (no XML parsing exists in VTL). */
export const RESPONSE_TEMPLATE = `#set($xml = $input.body)
#set($start = $xml.indexOf("<ord:OrderId>") + 13)
#set($end = $xml.indexOf("</ord:OrderId>"))
{"orderId": "$xml.substring($start, $end)", "requestId": "$context.requestId"}`

/** SOAP faults (5xx) become 502 with the fault text. */
export const FAULT_TEMPLATE = `#set($xml = $input.body)
#set($start = $xml.indexOf("<faultstring>") + 13)
#set($end = $xml.indexOf("</faultstring>"))
{"message": "$xml.substring($start, $end)"}`

/** The REST API definition for a SOAP endpoint at `soapUrl`. */
export function soapBridgeDefinition(soapUrl) {
  const json = { 'method.response.header.Content-Type': "'application/json'" }
  return {
    protocol: 'REST',
    name: 'soap-bridge',
    stages: { prod: {} },
    resources: {
      '/orders': {
        resourceMethods: {
          POST: {
            methodResponses: { 200: { responseParameters: { 'method.response.header.Content-Type': true } }, 502: { responseParameters: { 'method.response.header.Content-Type': true } } },
            integration: {
              type: 'HTTP',
              httpMethod: 'POST',
              uri: `${soapUrl}/OrderService`,
              passthroughBehavior: 'NEVER',
              timeoutInMillis: 5000,
              requestParameters: {
                'integration.request.header.Content-Type': "'text/xml; charset=utf-8'",
                'integration.request.header.SOAPAction': "'urn:PlaceOrder'"
              },
              requestTemplates: { 'application/json': REQUEST_TEMPLATE },
              responses: {
                '2\\d{2}': { statusCode: '200', responseParameters: json, responseTemplates: { 'application/json': RESPONSE_TEMPLATE } },
                '5\\d{2}': { statusCode: '502', responseParameters: json, responseTemplates: { 'application/json': FAULT_TEMPLATE } }
              }
            }
          }
        }
      }
    }
  }
}

/** Builds the gateway (not listening). */
export function createSoapBridge(soapUrl) {
  return createGateway(soapBridgeDefinition(soapUrl))
}
