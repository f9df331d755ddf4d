// gw serve with execute-api host names, custom domains (SNI, mTLS, base-path mappings) and endpoint types (issue #20).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { serve, type GatewayServer } from '@gw/cli'
import { silentLogger } from '@gw/core'
import { deriveApiId } from '@gw/domains'
import { testPki } from '../../domains/test/certs.js'
import { send } from '../../domains/test/helpers.js'

type Event = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const LAMBDA = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:echo/invocations'
const REST = (title: string, extra = ''): string => `openapi: 3.0.1
info: { title: ${title}, version: '1' }
${extra}paths:
  /{proxy+}:
    x-amazon-apigateway-any-method:
      parameters: [{ name: proxy, in: path, required: true, schema: { type: string } }]
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: ${LAMBDA} }
`
const HTTP = `openapi: 3.0.1
info: { title: users, version: '1' }
x-amazon-apigateway-importexport-version: '1.0'
paths:
  /{proxy+}:
    x-amazon-apigateway-any-method:
      parameters: [{ name: proxy, in: path, required: true, schema: { type: string } }]
      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: ${LAMBDA}, payloadFormatVersion: '2.0' }
`
const PRIVATE_EXTRA = `x-amazon-apigateway-endpoint-configuration: { types: [PRIVATE], vpcEndpointIds: [vpce-0aaa] }
x-amazon-apigateway-policy:
  Version: '2012-10-17'
  Statement:
    - { Effect: Allow, Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { StringEquals: { 'aws:SourceVpce': vpce-0aaa } } }
`
const ECHO = 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) })\n'

const pki = testPki()
afterAll(() => pki.cleanup())

async function start(config: string, files: Record<string, string>): Promise<GatewayServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-endpoints-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  for (const [name, text] of Object.entries({ ...files, 'echo.mjs': ECHO, 'gw.config.yaml': config })) writeFileSync(join(dir, name), text)
  const gw = await serve({ config: join(dir, 'gw.config.yaml'), logger: silentLogger })
  onTestFinished(() => gw.close())
  return gw
}

describe('gw serve: execute-api host names (§1.1)', () => {
  it('serves two APIs on one port by {apiId}.execute-api.localhost, with a derived and a configured apiId', async () => {
    const gw = await start(
      `apis:
  - { name: pets, openapi: ./pets.yaml, stages: { prod: {} } }
  - { name: users, openapi: ./users.yaml, apiId: u5ers00001, stages: { $default: {} } }
lambdas: { echo: ./echo.mjs#handler }
server: { port: 0 }
`,
      { 'pets.yaml': REST('pets'), 'users.yaml': HTTP }
    )
    const pets = deriveApiId('pets')
    const port = gw.port
    expect(gw.hostEndpoints).toEqual([
      { api: 'pets', stage: 'prod', url: `http://${pets}.execute-api.localhost:${String(port)}/prod` },
      { api: 'users', stage: '$default', url: `http://u5ers00001.execute-api.localhost:${String(port)}` }
    ])
    const a = JSON.parse((await send(port, `${pets}.execute-api.localhost:${String(port)}`, '/prod/x')).body) as Event
    expect(a.requestContext).toMatchObject({ apiId: pets, stage: 'prod', domainName: `${pets}.execute-api.localhost`, domainPrefix: pets, path: '/prod/x' })
    const b = JSON.parse((await send(port, `u5ers00001.execute-api.localhost:${String(port)}`, '/me')).body) as Event
    expect(b.requestContext).toMatchObject({ apiId: 'u5ers00001', stage: '$default', domainName: 'u5ers00001.execute-api.localhost', domainPrefix: 'u5ers00001' })
    // the /{api} path prefix keeps working on other host names
    expect((await send(port, `127.0.0.1:${String(port)}`, '/pets/prod/x')).status).toBe(200)
  })
})

describe('gw serve: custom domains (§1.1), mutual TLS, PRIVATE endpoints (§10.9)', () => {
  it('serves domains by SNI with base-path mappings to three APIs, mTLS, and a private API only through its VPC endpoint', async () => {
    const ca = pki.ca('Partner CA')
    const other = pki.ca('Other CA')
    const shop = pki.server('shop.example.test')
    const partners = pki.server('partners.example.test')
    const client = pki.client('/O=Partner/CN=partner-1', ca)
    const stranger = pki.client('/O=Partner/CN=partner-1', other)
    const gw = await start(
      `apis:
  - { name: pets, openapi: ./pets.yaml, stages: { prod: {} } }
  - { name: orders, openapi: ./orders.yaml, stages: { v2: {} } }
  - { name: users, openapi: ./users.yaml, stages: { $default: {} } }
  - { name: vault, openapi: ./vault.yaml, stages: { prod: {} } }
domains:
  - domainName: shop.example.test
    certificate: ./shop.pem
    privateKey: ./shop.key
    mappings:
      - { api: pets, stage: prod }
      - { basePath: v1/orders, api: orders, stage: v2 }
      - { basePath: users, api: users, stage: $default }
  - domainName: partners.example.test
    certificate: ./partners.pem
    privateKey: ./partners.key
    truststore: ./ca.pem
    mappings:
      - { basePath: pets, api: pets, stage: prod }
vpcEndpoints:
  - { id: vpce-0aaa, vpcId: vpc-0111, listen: { port: 0 } }
  - { id: vpce-0bbb, vpcId: vpc-0222, trustedHeader: x-gw-vpce }
lambdas: { echo: ./echo.mjs#handler }
server: { port: 0 }
`,
      {
        'pets.yaml': REST('pets'),
        'orders.yaml': REST('orders'),
        'users.yaml': HTTP,
        'vault.yaml': REST('vault', PRIVATE_EXTRA),
        'shop.pem': shop.cert,
        'shop.key': shop.key,
        'partners.pem': partners.cert,
        'partners.key': partners.key,
        'ca.pem': ca.cert
      }
    )
    const port = gw.port
    expect(gw.hostEndpoints.filter((e) => e.url.startsWith('https://shop') || e.url.startsWith('https://partners'))).toEqual([
      { api: 'pets', stage: 'prod', url: `https://shop.example.test:${String(port)}` },
      { api: 'orders', stage: 'v2', url: `https://shop.example.test:${String(port)}/v1/orders` },
      { api: 'users', stage: '$default', url: `https://shop.example.test:${String(port)}/users` },
      { api: 'pets', stage: 'prod', url: `https://partners.example.test:${String(port)}/pets` }
    ])
    const tls = { ca: shop.cert }
    const root = await send(port, 'shop.example.test', '/a', { tls })
    expect(root.servedCert?.subject.CN).toBe('shop.example.test')
    expect((JSON.parse(root.body) as Event).requestContext).toMatchObject({ apiId: deriveApiId('pets'), stage: 'prod', domainName: 'shop.example.test' })
    const orders = JSON.parse((await send(port, 'shop.example.test', '/v1/orders/7', { tls })).body) as Event
    expect([orders.requestContext.apiId, orders.path]).toEqual([deriveApiId('orders'), '/7'])
    const users = JSON.parse((await send(port, 'shop.example.test', '/users/me', { tls })).body) as Event
    expect([users.version, users.rawPath]).toEqual(['2.0', '/me'])

    // mutual TLS: the partner CA's certificate is accepted and reaches the Lambda; none, or another CA's, is refused
    const ok = await send(port, 'partners.example.test', '/pets/a', { tls: { ca: partners.cert, cert: client.cert, key: client.key } })
    expect(ok.servedCert?.subject.CN).toBe('partners.example.test')
    expect((JSON.parse(ok.body) as Event).requestContext.identity.clientCert).toMatchObject({ subjectDN: 'CN=partner-1,O=Partner', issuerDN: 'CN=Partner CA' })
    await expect(send(port, 'partners.example.test', '/pets/a', { tls: { ca: partners.cert } })).rejects.toThrow()
    await expect(send(port, 'partners.example.test', '/pets/a', { tls: { ca: partners.cert, cert: stranger.cert, key: stranger.key } })).rejects.toThrow()

    // PRIVATE: refused on the main listener, served through the VPC endpoint the resource policy names
    const vault = deriveApiId('vault')
    const outside = await send(port, `${vault}.execute-api.localhost`, '/prod/x', { tls: { ca: shop.cert, servername: 'shop.example.test' } })
    expect([outside.status, outside.body]).toEqual([403, '{"message":"Forbidden"}'])
    const vpceUrl = new URL(gw.vpcEndpointUrls['vpce-0aaa'] as string)
    const inside = await send(Number(vpceUrl.port), 'vpce-0aaa.execute-api.us-east-1.vpce.amazonaws.com', '/prod/x', { headers: { 'x-apigw-api-id': vault } })
    expect(inside.status).toBe(200)
    expect((JSON.parse(inside.body) as Event).requestContext.identity).toMatchObject({ vpceId: 'vpce-0aaa', vpcId: 'vpc-0111' })
    // the other endpoint is declared but not in the policy: the resource policy refuses (§10.9)
    const wrong = await send(port, `${vault}.execute-api.localhost`, '/prod/x', { tls: { ca: shop.cert, servername: 'shop.example.test' }, headers: { 'x-gw-vpce': 'vpce-0bbb' } })
    expect(wrong.status).toBe(403)
    expect(wrong.body).toContain('not authorized to perform: execute-api:Invoke')
  })
})
