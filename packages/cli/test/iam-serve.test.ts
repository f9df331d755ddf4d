import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import aws4 from 'aws4'
import { describe, expect, it, onTestFinished } from 'vitest'
import { spawnGw } from './helpers.js'

const OPENAPI = `openapi: 3.0.1
info: { title: iam, version: '1' }
paths:
  /pets:
    get:
      x-amazon-apigateway-auth: { type: AWS_IAM }
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:echo/invocations
  /cats:
    get:
      x-amazon-apigateway-auth: { type: AWS_IAM }
      x-amazon-apigateway-integration: { type: mock, requestTemplates: { application/json: '{"statusCode": 200}' } }
`
// alice's identity policy allows GET /pets only, so a signed GET /cats shows the config's policy is applied (§10.9).
const CONFIG = `apis:
  - openapi: ./openapi.yaml
    stages:
      dev: {}
lambdas:
  echo: ./echo.mjs#handler
iam:
  credentials:
    - accessKeyIdFromEnv: GW_TEST_IAM_AKID
      secretAccessKeyFromEnv: GW_TEST_IAM_SECRET
      principalArn: arn:aws:iam::123456789012:user/alice
      userId: AIDAALICE
      policy:
        Statement:
          - { Effect: Allow, Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:us-east-1:123456789012:*/dev/GET/pets' }
server:
  port: 0
`
const ECHO = `export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext.identity) })\n`
const ALICE = { accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice-secret/abc+def' }

function send(url: string, headers: Record<string, string>): Promise<{ status: number; body: string; type: unknown }> {
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['x-amzn-errortype'] }))
    })
    req.on('error', reject)
    req.end()
  })
}

function signed(url: string, creds: { accessKeyId: string; secretAccessKey: string }): Record<string, string> {
  const target = new URL(url)
  const req = { host: target.host, method: 'GET', path: target.pathname, service: 'execute-api', region: 'us-east-1', headers: {} as Record<string, string> }
  aws4.sign(req, creds)
  return { ...req.headers, Host: target.host }
}

describe('gw serve with an iam section (built CLI, keys from the environment, aws4 signatures)', () => {
  it('§10.8 signed GET → 200 with the caller in requestContext.identity; bad secret, unsigned and identity-policy-denied (§10.9) calls → 403', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-iam-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'openapi.yaml'), OPENAPI)
    writeFileSync(join(dir, 'gw.config.yaml'), CONFIG)
    writeFileSync(join(dir, 'echo.mjs'), ECHO)
    const gw = spawnGw(['serve', join(dir, 'gw.config.yaml')], { GW_TEST_IAM_AKID: ALICE.accessKeyId, GW_TEST_IAM_SECRET: ALICE.secretAccessKey })
    const base = (await gw.waitFor(/iam dev: (http:\/\/\S+)/))[1] ?? ''
    const url = `${base}/pets`

    const ok = await send(url, signed(url, ALICE))
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.body)).toMatchObject({ accessKey: ALICE.accessKeyId, accountId: '123456789012', caller: 'AIDAALICE', userArn: 'arn:aws:iam::123456789012:user/alice' })

    const badSecret = await send(url, signed(url, { ...ALICE, secretAccessKey: 'wrong' }))
    expect([badSecret.status, badSecret.type]).toEqual([403, 'InvalidSignatureException'])

    const unsigned = await send(url, {})
    expect([unsigned.status, unsigned.body]).toEqual([403, '{"message":"Missing Authentication Token"}'])

    const cats = await send(`${base}/cats`, signed(`${base}/cats`, ALICE))
    expect([cats.status, cats.type]).toEqual([403, 'AccessDeniedException'])
    expect(JSON.parse(cats.body)).toEqual({ Message: 'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:6nuszjt4f5/dev/GET/cats' })

    gw.child.kill('SIGTERM')
    expect(await gw.exited).toBe(0)
  })
})
