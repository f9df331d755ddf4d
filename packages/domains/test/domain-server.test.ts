import { afterAll, describe, expect, it } from 'vitest'
import { silentLogger, toNodeHandler } from '@gw/core'
import { createGateway } from '@gw/gateway'
import { basePathMappingsOf, createDomainServer, createEndpointRouter } from '@gw/domains'
import { testPki } from './certs.js'
import { lambdaUri, listen, send } from './helpers.js'

type Event = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const pki = testPki()
afterAll(() => pki.cleanup())
const caA = pki.ca('Client CA A')
const caB = pki.ca('Client CA B')
const shop = pki.server('shop.example.test')
const admin = pki.server('admin.example.test')
const secure = pki.server('mtls.example.test')
const clientA = pki.client('/C=US/O=Example Corp/CN=client-a', caA)
const clientB = pki.client('/C=US/O=Example Corp/CN=client-a', caB)

const echo = async (event: unknown): Promise<unknown> => ({ statusCode: 200, body: JSON.stringify(event) })
/** A REQUEST authorizer that admits by the client certificate's subject (§10.3 with §2.1 identity.clientCert). */
const authorize = async (input: unknown): Promise<unknown> => {
  const event = input as Event
  const subject = (event.requestContext.identity.clientCert as { subjectDN?: string } | undefined)?.subjectDN
  return {
    principalId: subject ?? 'nobody',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: subject === undefined ? 'Deny' : 'Allow', Resource: event.methodArn as string }] },
    context: { subject: subject ?? '' }
  }
}
const proxy = { type: 'AWS_PROXY' as const, httpMethod: 'POST', uri: lambdaUri('echo') }

const domains = [
  { domainName: 'shop.example.test', mappings: [{ apiId: 'pets000001', stage: 'prod' }, { basePath: 'v1/orders', apiId: 'orders0001', stage: 'v2' }, { basePath: 'users', apiId: 'users00001', stage: '$default' }] },
  { domainName: 'admin.example.test', mappings: [{ basePath: 'pets', apiId: 'pets000001', stage: 'prod' }] },
  { domainName: 'mtls.example.test', mutualTls: true, mappings: [{ apiId: 'pets000001', stage: 'prod' }, { basePath: 'users', apiId: 'users00001', stage: '$default' }] }
]

/** Three APIs: REST `pets` (stage prod), REST `orders` (stage v2), HTTP `users` ($default). */
function apis() {
  const options = { integrations: { lambda: { echo, authorize } } }
  const pets = createGateway({
    protocol: 'REST', id: 'pets000001', name: 'pets', stages: { prod: {} },
    authorizers: { byCert: { type: 'REQUEST', authorizerUri: lambdaUri('authorize'), identitySource: 'method.request.header.Host', authorizerResultTtlInSeconds: 0 } },
    resources: { '/{proxy+}': { resourceMethods: { ANY: { integration: proxy } } }, '/authed': { resourceMethods: { GET: { authorizationType: 'CUSTOM', authorizerId: 'byCert', integration: proxy } } } }, basePathMappings: basePathMappingsOf(domains, 'pets000001') }, options)
  const orders = createGateway({ protocol: 'REST', id: 'orders0001', name: 'orders', stages: { v2: {} }, resources: { '/{proxy+}': { resourceMethods: { ANY: { integration: proxy } } } }, basePathMappings: basePathMappingsOf(domains, 'orders0001') }, options)
  const users = createGateway({ protocol: 'HTTP', id: 'users00001', name: 'users', stages: { $default: {} }, routes: { 'ANY /{proxy+}': { integrationId: 'l' } }, integrations: { l: { type: 'AWS_PROXY', uri: lambdaUri('echo'), payloadFormatVersion: '2.0' } }, basePathMappings: basePathMappingsOf(domains, 'users00001') }, options)
  return createEndpointRouter({
    apis: [
      { apiId: 'pets000001', flavour: 'REST', handler: pets.handler },
      { apiId: 'orders0001', flavour: 'REST', handler: orders.handler },
      { apiId: 'users00001', flavour: 'HTTP', handler: users.handler }
    ],
    domains
  })
}

async function start(): Promise<number> {
  const router = apis()
  const server = createDomainServer(
    {
      domains: [
        { domainName: 'shop.example.test', ...shop },
        { domainName: 'admin.example.test', ...admin },
        { domainName: 'mtls.example.test', ...secure, truststore: caA.cert }
      ]
    },
    toNodeHandler(router.dispatch, { logger: silentLogger })
  )
  return listen(server)
}

describe('custom domain names over TLS (§1.1)', () => {
  it('serves two domains with different certificates on one port, chosen by SNI', async () => {
    const port = await start()
    const a = await send(port, 'shop.example.test', '/x', { tls: { ca: shop.cert } })
    const b = await send(port, 'admin.example.test', '/pets/x', { tls: { ca: admin.cert } })
    expect([a.status, a.servedCert?.subject.CN]).toEqual([200, 'shop.example.test'])
    expect([b.status, b.servedCert?.subject.CN]).toEqual([200, 'admin.example.test'])
    // the client verified each certificate against its own CA: the other one would not do
    await expect(send(port, 'admin.example.test', '/pets/x', { tls: { ca: shop.cert } })).rejects.toThrow()
  })

  it('maps base paths to three APIs (REST and HTTP mixed, multi-level, (none)); an unmapped one is 403 Forbidden', async () => {
    const port = await start()
    const tls = { ca: shop.cert }
    const root = JSON.parse((await send(port, 'shop.example.test', '/pets/1', { tls })).body) as Event
    // the stage is not in the URL; $context.path and the event's path as on a custom domain
    expect([root.requestContext.apiId, root.requestContext.stage, root.path, root.requestContext.domainName]).toEqual(['pets000001', 'prod', '/pets/1', 'shop.example.test'])
    const orders = JSON.parse((await send(port, 'shop.example.test', '/v1/orders/7', { tls })).body) as Event
    expect([orders.requestContext.apiId, orders.requestContext.stage, orders.path]).toEqual(['orders0001', 'v2', '/7'])
    const users = JSON.parse((await send(port, 'shop.example.test', '/users/me', { tls })).body) as Event
    expect([users.version, users.requestContext.apiId, users.rawPath, users.requestContext.domainPrefix]).toEqual(['2.0', 'users00001', '/me', 'shop'])
    // admin.example.test maps only /pets: anything else has no mapping
    const unmapped = await send(port, 'admin.example.test', '/orders/1', { tls: { ca: admin.cert } })
    expect([unmapped.status, unmapped.body, unmapped.headers['x-amzn-errortype']]).toEqual([403, '{"message":"Forbidden"}', 'ForbiddenException'])
  })
})

describe('mutual TLS (§2.1 identity.clientCert, §2.2 authentication.clientCert)', () => {
  it('accepts a certificate of the truststore and hands its fields to the Lambda (REST 1.0 and HTTP 2.0 events)', async () => {
    const port = await start()
    const tls = { ca: secure.cert, cert: clientA.cert, key: clientA.key }
    const r = await send(port, 'mtls.example.test', '/pets/1', { tls })
    expect(r.status).toBe(200)
    const cert = (JSON.parse(r.body) as Event).requestContext.identity.clientCert
    expect(cert).toEqual({
      clientCertPem: clientA.cert.trim(),
      subjectDN: 'CN=client-a,O=Example Corp,C=US',
      issuerDN: 'CN=Client CA A',
      serialNumber: '0a:1b:2c:3d',
      validity: { notBefore: expect.stringMatching(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/), notAfter: expect.stringMatching(/ GMT$/) }
    })
    const v2 = JSON.parse((await send(port, 'mtls.example.test', '/users/me', { tls })).body) as Event
    expect(v2.requestContext.authentication.clientCert.subjectDN).toBe('CN=client-a,O=Example Corp,C=US')
    // the Lambda authorizer sees it too (§10.3), and admits by it
    const authed = JSON.parse((await send(port, 'mtls.example.test', '/authed', { tls })).body) as Event
    expect(authed.requestContext.authorizer).toMatchObject({ principalId: 'CN=client-a,O=Example Corp,C=US', subject: 'CN=client-a,O=Example Corp,C=US' })
    expect((await send(port, 'shop.example.test', '/authed', { tls: { ca: shop.cert } })).status).toBe(403)
    // without mTLS there is no clientCert at all
    const plain = JSON.parse((await send(port, 'shop.example.test', '/users/me', { tls: { ca: shop.cert } })).body) as Event
    expect(plain.requestContext.authentication).toBeUndefined()
  })

  it('refuses a client without a certificate, and one whose certificate another CA signed, before any request', async () => {
    const port = await start()
    await expect(send(port, 'mtls.example.test', '/pets/1', { tls: { ca: secure.cert } })).rejects.toThrow(/socket hang up|ECONNRESET|certificate/)
    await expect(send(port, 'mtls.example.test', '/pets/1', { tls: { ca: secure.cert, cert: clientB.cert, key: clientB.key } })).rejects.toThrow(/socket hang up|ECONNRESET|certificate/)
    // a connection made for another name cannot borrow the mTLS domain's Host
    const borrowed = await send(port, 'mtls.example.test', '/pets/1', { tls: { ca: shop.cert, servername: 'shop.example.test' } })
    expect([borrowed.status, borrowed.body]).toEqual([403, '{"message":"Forbidden"}'])
  })
})
