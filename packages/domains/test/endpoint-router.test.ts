import { describe, expect, it } from 'vitest'
import { createGateway } from '@gw/gateway'
import { createEndpointRouter, deriveApiId } from '@gw/domains'
import { httpServer, lambdaUri, listen, send } from './helpers.js'

type Event = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const echo = async (event: unknown): Promise<unknown> => ({ statusCode: 200, body: JSON.stringify(event) })
const mock = (text: string) => ({
  type: 'MOCK' as const,
  requestTemplates: { 'application/json': '{"statusCode": 200}' },
  responses: { default: { statusCode: '200', responseTemplates: { 'application/json': text } } }
})

const PETS = 'a1b2c3d4e5'
const ORDERS = 'f6g7h8i9j0'

function petsApi(extra: Record<string, unknown> = {}) {
  return createGateway({ protocol: 'REST', id: PETS, name: 'pets', stages: { prod: {} }, resources: { '/pets': { resourceMethods: { GET: { integration: mock('pets') } } } }, ...extra })
}
function ordersApi(extra: Record<string, unknown> = {}) {
  return createGateway(
    { protocol: 'HTTP', id: ORDERS, name: 'orders', routes: { 'GET /orders': { integrationId: 'l' } }, integrations: { l: { type: 'AWS_PROXY', uri: lambdaUri('echo'), payloadFormatVersion: '2.0' } }, ...extra },
    { integrations: { lambda: { echo } } }
  )
}

describe('apiId (§1.1)', () => {
  it('is 10 lower-case alphanumerics derived from the name, the same on every call', () => {
    expect(deriveApiId('pets')).toMatch(/^[a-z0-9]{10}$/)
    expect(deriveApiId('pets')).toBe(deriveApiId('pets'))
    expect(deriveApiId('orders')).not.toBe(deriveApiId('pets'))
  })
})

describe('execute-api host names (§0.1 step 1, §1.1)', () => {
  it('serves two APIs on one port chosen by {apiId}.execute-api.localhost, stage as the first segment', async () => {
    const router = createEndpointRouter({
      apis: [
        { apiId: PETS, flavour: 'REST', handler: petsApi().handler, pathPrefix: '/pets' },
        { apiId: ORDERS, flavour: 'HTTP', handler: ordersApi().handler, pathPrefix: '/orders' }
      ]
    })
    const port = await listen(httpServer(router.dispatch))
    const pets = await send(port, `${PETS}.execute-api.localhost:${String(port)}`, '/prod/pets')
    expect([pets.status, pets.body]).toEqual([200, 'pets'])
    // the HTTP API's $default stage is at the root of its own host name (§1.1)
    const orders = await send(port, `${ORDERS}.execute-api.localhost:${String(port)}`, '/orders')
    expect(orders.status).toBe(200)
    const event = JSON.parse(orders.body) as Event
    // §2.2: domainName is the Host without its port, domainPrefix its first label
    expect(event.requestContext).toMatchObject({ apiId: ORDERS, domainName: `${ORDERS}.execute-api.localhost`, domainPrefix: ORDERS, stage: '$default' })
    // each API only answers its own routes on its host name
    expect((await send(port, `${PETS}.execute-api.localhost`, '/orders')).status).toBe(403)
    // a host name of no API: 403 Forbidden [I: AWS has no DNS record for it]
    const unknown = await send(port, 'zzzzzzzzzz.execute-api.localhost', '/prod/pets')
    expect([unknown.status, unknown.body, unknown.headers['x-amzn-errortype']]).toEqual([403, '{"message":"Forbidden"}', 'ForbiddenException'])
    // other host names keep the /{api} path prefix
    expect((await send(port, `127.0.0.1:${String(port)}`, '/pets/prod/pets')).body).toBe('pets')
  })

  it('uses a configured suffix (a wildcard DNS name of your own)', async () => {
    const router = createEndpointRouter({ executeApiDomain: 'apis.dev.example', apis: [{ apiId: PETS, flavour: 'REST', handler: petsApi().handler }] })
    const port = await listen(httpServer(router.dispatch))
    expect((await send(port, `${PETS}.apis.dev.example`, '/prod/pets')).body).toBe('pets')
    expect((await send(port, `${PETS}.execute-api.localhost`, '/prod/pets')).status).toBe(403)
  })

  it('disableExecuteApiEndpoint: the host name and the path prefix answer 403 Forbidden, REST and HTTP (§1.1)', async () => {
    const router = createEndpointRouter({
      apis: [
        { apiId: PETS, flavour: 'REST', handler: petsApi().handler, pathPrefix: '/pets', disableExecuteApiEndpoint: true },
        { apiId: ORDERS, flavour: 'HTTP', handler: ordersApi().handler, pathPrefix: '/orders', disableExecuteApiEndpoint: true }
      ]
    })
    const port = await listen(httpServer(router.dispatch))
    for (const [host, path] of [[`${PETS}.execute-api.localhost`, '/prod/pets'], [`${ORDERS}.execute-api.localhost`, '/orders'], ['127.0.0.1', '/pets/prod/pets'], ['127.0.0.1', '/orders/orders']] as const) {
      const r = await send(port, host, path)
      expect([host, path, r.status, r.body]).toEqual([host, path, 403, '{"message":"Forbidden"}'])
    }
  })
})

describe('PRIVATE endpoints (§10.9 aws:SourceVpce / aws:SourceVpc)', () => {
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0aaa' } } }]
  }
  function privateApi() {
    return createGateway(
      { protocol: 'REST', id: PETS, name: 'pets', policy, stages: { prod: {} }, resources: { '/pets': { resourceMethods: { GET: { integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: lambdaUri('echo') } } } } } },
      { integrations: { lambda: { echo } } }
    )
  }
  const vpcEndpoints = [
    { id: 'vpce-0aaa', vpcId: 'vpc-01', trustedHeader: 'x-gw-vpce' },
    { id: 'vpce-0bbb', vpcId: 'vpc-02', trustedHeader: 'x-gw-vpce' }
  ]

  it('refuses requests that did not come through a VPC endpoint, and serves the one the resource policy names', async () => {
    const router = createEndpointRouter({ vpcEndpoints, apis: [{ apiId: PETS, flavour: 'REST', handler: privateApi().handler, pathPrefix: '', endpointType: 'PRIVATE' }] })
    const port = await listen(httpServer(router.dispatch))
    const host = `${PETS}.execute-api.localhost`
    const outside = await send(port, host, '/prod/pets')
    expect([outside.status, outside.body]).toEqual([403, '{"message":"Forbidden"}'])
    // an undeclared endpoint id in the header is no VPC endpoint
    expect((await send(port, host, '/prod/pets', { headers: { 'x-gw-vpce': 'vpce-0ccc' } })).status).toBe(403)
    const allowed = await send(port, host, '/prod/pets', { headers: { 'x-gw-vpce': 'vpce-0aaa' } })
    expect(allowed.status).toBe(200)
    expect((JSON.parse(allowed.body) as Event).requestContext.identity).toMatchObject({ vpceId: 'vpce-0aaa', vpcId: 'vpc-01' })
    // a declared endpoint the policy does not name: the resource policy's implicit deny (§10.9)
    const other = await send(port, host, '/prod/pets', { headers: { 'x-gw-vpce': 'vpce-0bbb' } })
    expect(other.status).toBe(403)
    expect(other.body).toContain('is not authorized to perform: execute-api:Invoke')
  })

  it('a VPC endpoint listener serves private APIs named by x-apigw-api-id', async () => {
    const router = createEndpointRouter({
      vpcEndpoints: [{ id: 'vpce-0aaa', vpcId: 'vpc-01' }],
      apis: [
        { apiId: PETS, flavour: 'REST', handler: privateApi().handler, endpointType: 'PRIVATE' },
        { apiId: ORDERS, flavour: 'HTTP', handler: ordersApi().handler }
      ]
    })
    const main = await listen(httpServer(router.dispatch))
    const vpce = await listen(httpServer(router.via('vpce-0aaa')))
    const viaHeader = await send(vpce, 'vpce-0aaa-xyz.execute-api.us-east-1.vpce.amazonaws.com', '/prod/pets', { headers: { 'x-apigw-api-id': PETS } })
    expect(viaHeader.status).toBe(200)
    expect((JSON.parse(viaHeader.body) as Event).requestContext.identity.vpceId).toBe('vpce-0aaa')
    expect((await send(vpce, `${PETS}.execute-api.localhost`, '/prod/pets')).status).toBe(200)
    // the same request on the main listener is outside every VPC endpoint
    expect((await send(main, `${PETS}.execute-api.localhost`, '/prod/pets')).status).toBe(403)
    // x-apigw-api-id means nothing outside a VPC endpoint
    expect((await send(main, 'vpce-0aaa-xyz.execute-api.us-east-1.vpce.amazonaws.com', '/prod/pets', { headers: { 'x-apigw-api-id': PETS } })).status).toBe(403)
  })
})

describe('EDGE endpoints (§2.1 CloudFront headers, §15 URL limit)', () => {
  function edgeRouter() {
    const gw = createGateway(
      { protocol: 'REST', id: PETS, name: 'pets', stages: { prod: {} }, resources: { '/{proxy+}': { resourceMethods: { ANY: { integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: lambdaUri('echo') } } } } } },
      { integrations: { lambda: { echo } } }
    )
    const regional = createGateway(
      { protocol: 'REST', id: ORDERS, name: 'orders', stages: { prod: {} }, resources: { '/{proxy+}': { resourceMethods: { ANY: { integration: { type: 'AWS_PROXY', httpMethod: 'POST', uri: lambdaUri('echo') } } } } } },
      { integrations: { lambda: { echo } } }
    )
    return createEndpointRouter({
      apis: [
        { apiId: PETS, flavour: 'REST', handler: gw.handler, endpointType: 'EDGE', edgeHeaders: { 'CloudFront-Viewer-Country': 'DE' } },
        { apiId: ORDERS, flavour: 'REST', handler: regional.handler }
      ]
    })
  }

  it("puts CloudFront's viewer headers, Via and X-Amz-Cf-Id into the Lambda event, and re-cases Authorization", async () => {
    const router = edgeRouter()
    const port = await listen(httpServer(router.dispatch, router.edge))
    const r = await send(port, `${PETS}.execute-api.localhost`, '/prod/x', { headers: { aUThorization: 'token', 'CloudFront-Viewer-Country': 'XX' } })
    expect(r.status).toBe(200)
    const headers = (JSON.parse(r.body) as Event).headers as Record<string, string>
    expect(headers).toMatchObject({
      'CloudFront-Viewer-Country': 'DE',
      'CloudFront-Is-Desktop-Viewer': 'true',
      'CloudFront-Is-Mobile-Viewer': 'false',
      'CloudFront-Forwarded-Proto': 'http',
      Authorization: 'token'
    })
    expect(headers.Via).toMatch(/^2\.0 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$/)
    expect(headers['X-Amz-Cf-Id']).toMatch(/^[A-Za-z0-9_-]{54}==$/)
    expect(headers.aUThorization).toBeUndefined()
    // a regional API on the same port gets none of them
    const regional = JSON.parse((await send(port, `${ORDERS}.execute-api.localhost`, '/prod/x')).body) as Event
    expect(Object.keys(regional.headers as object).filter((h) => h.startsWith('CloudFront-') || h === 'Via')).toEqual([])
  })

  it('refuses URLs over 8,192 characters with 414 (regional APIs allow 10,240)', async () => {
    const router = edgeRouter()
    const port = await listen(httpServer(router.dispatch, router.edge))
    const long = `/prod/x?q=${'a'.repeat(8192 - 10)}`
    expect(long.length).toBe(8192)
    expect((await send(port, `${PETS}.execute-api.localhost`, long)).status).toBe(200)
    const over = await send(port, `${PETS}.execute-api.localhost`, `${long}a`)
    expect([over.status, over.body]).toEqual([414, '{"message":"URI Too Long"}'])
    expect((await send(port, `${ORDERS}.execute-api.localhost`, `${long}a`)).status).toBe(200)
  })
})
