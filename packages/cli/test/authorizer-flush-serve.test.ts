import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { runCli, serve } from '@gw/cli'
import { silentLogger } from '@gw/core'

// aws-semantics §7 (FlushStageAuthorizersCache) and §10.4 through `gw serve` and `gw cache flush --authorizers`: one
// API with stages prod and dev on one deployment (one authorizer), each stage with its own authorizer cache.

const TOKEN = 'authz-admin-token-0123456789'

/** The TOKEN authorizer numbers its invocations (all stages together); the MOCK answers the number of the result used. */
const AUTHORIZER = `let n = 0
export async function handler(event) {
  n++
  return {
    principalId: 'alice',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
    context: { call: n }
  }
}
`

const OPENAPI = `openapi: 3.0.1
info:
  title: authz
  version: '1.0'
paths:
  /who:
    get:
      security:
        - tok: []
      responses:
        '200':
          description: the number of the authorizer invocation whose result served the request
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: '200'
            responseTemplates:
              application/json: '{"call":"$context.authorizer.call"}'
components:
  securitySchemes:
    tok:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:tok/invocations
        identitySource: method.request.header.Authorization
        authorizerResultTtlInSeconds: 300
`

const CONFIG = `apis:
  - name: shop
    openapi: ./openapi.yaml
    stages:
      prod: {}
      dev: {}
lambdas:
  tok: ./authorizer.mjs#handler
server:
  port: 0
management:
  enabled: true
  tokenFromEnv: AUTHZ_ADMIN_TOKEN
`

async function start(): Promise<{ call: (stage: 'prod' | 'dev') => Promise<string>; admin: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-authz-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'authorizer.mjs'), AUTHORIZER)
  writeFileSync(join(dir, 'openapi.yaml'), OPENAPI)
  writeFileSync(join(dir, 'gw.config.yaml'), CONFIG)
  const gw = await serve({ config: join(dir, 'gw.config.yaml'), port: 0, env: { AUTHZ_ADMIN_TOKEN: TOKEN }, logger: silentLogger })
  onTestFinished(() => gw.close())
  const url = (stage: string): string => gw.endpoints.find((e) => e.stage === stage)?.url ?? ''
  const call = async (stage: 'prod' | 'dev'): Promise<string> => {
    const res = await fetch(`${url(stage)}/who`, { headers: { authorization: 'alice-token' } })
    expect(res.status).toBe(200)
    return ((await res.json()) as { call: string }).call
  }
  return { call, admin: `http://127.0.0.1:${String(gw.port)}/_gw` }
}

function io(): { out: string[]; io: Parameters<typeof runCli>[1] } {
  const out: string[] = []
  return { out, io: { out: (t) => out.push(t), err: () => undefined, env: {}, onSignal: () => undefined } }
}

describe('gw serve: one authorizer cache per stage (§7, §10.4)', () => {
  it('§7 a result cached on prod is no hit on dev; `gw cache flush shop dev --authorizers` leaves prod cached', async () => {
    const { call, admin } = await start()
    expect([await call('prod'), await call('prod')]).toEqual(['1', '1'])
    // dev invokes the authorizer (call 2) instead of using prod's result
    expect([await call('dev'), await call('dev'), await call('prod')]).toEqual(['2', '2', '1'])
    const flush = io()
    expect(await runCli(['cache', 'flush', 'shop', 'dev', '--authorizers', '--url', admin, '--token', TOKEN], flush.io)).toBe(0)
    expect(flush.out.join('')).toBe('flushed the authorizer cache of shop dev\n')
    expect([await call('prod'), await call('dev'), await call('dev')]).toEqual(['1', '3', '3'])
    // the management API directly (FlushStageAuthorizersCache, 202) on prod: dev keeps call 3
    const flushed = await fetch(`${admin}/restapis/shop/stages/prod/cache/authorizers`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })
    expect(flushed.status).toBe(202)
    expect([await call('prod'), await call('dev')]).toEqual(['4', '3'])
  })
})
