import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { silentLogger } from '@gw/core'
import { createGateway } from '@gw/gateway'
import { mock, start } from './serve.js'

/**
 * Regular expressions from configuration cannot stall the event loop (issue #15
 * item 6). `(a+)+$` against forty `a`s and a `!` takes V8's backtracking engine
 * about 2^40 steps; on the linear-time engine (RE2JS, `linearRegex` in @gw/core)
 * it is a few microseconds. Each case is a real request that must be answered
 * with the documented AWS result; the test's timeout is the only clock (a
 * stalled event loop would never answer).
 */
const CATASTROPHIC = '(a+)+$'
const HOSTILE = `${'a'.repeat(40)}!`
const BENIGN = 'a'.repeat(40)
const LAMBDA_URI = (fn: string): string => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${fn}/invocations`

describe('catastrophic patterns from configuration answer promptly', () => {
  it('§4.8 selectionPattern: a Lambda errorMessage that does not match falls to the default response; one that matches selects its status', async () => {
    // A local Lambda Invoke endpoint (§3.6): the function fails with the errorMessage named by the path.
    const lambda = createServer((req, res) => {
      req.resume()
      const message = req.url?.includes('function:hostile') === true ? HOSTILE : BENIGN
      res.writeHead(200, { 'x-amz-function-error': 'Unhandled', 'content-type': 'application/json' }).end(JSON.stringify({ errorMessage: message, errorType: 'Error' }))
    })
    await new Promise<void>((resolve) => lambda.listen(0, '127.0.0.1', resolve))
    const endpoint = `http://127.0.0.1:${String((lambda.address() as AddressInfo).port)}`
    const method = (fn: string) => ({ GET: { integration: { type: 'AWS' as const, httpMethod: 'POST', uri: LAMBDA_URI(fn), responses: { default: { statusCode: '200' }, [CATASTROPHIC]: { statusCode: '400' } } } } })
    try {
      const url = await start(
        { protocol: 'REST', name: 'sel', stages: { prod: {} }, resources: { '/hostile': { resourceMethods: method('hostile') }, '/benign': { resourceMethods: method('benign') } } },
        { integrations: { aws: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } } } }
      )
      const hostile = await fetch(`${url}/prod/hostile`)
      expect(hostile.status).toBe(200) // §4.8 step 3: no pattern matched the whole errorMessage → default
      expect(((await hostile.json()) as { errorMessage: string }).errorMessage).toBe(HOSTILE)
      const benign = await fetch(`${url}/prod/benign`)
      expect(benign.status).toBe(400)
    } finally {
      lambda.close()
    }
  }, 20_000)

  it('§10.2 TOKEN identityValidationExpression: a token that does not match is 401 without invoking the authorizer', async () => {
    const seen: string[] = []
    const tokenFn = (event: unknown): Promise<unknown> => {
      const e = event as { authorizationToken: string; methodArn: string }
      seen.push(e.authorizationToken)
      return Promise.resolve({ principalId: 'u', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: e.methodArn }] } })
    }
    const url = await start(
      {
        protocol: 'REST',
        name: 'tok',
        stages: { prod: {} },
        authorizers: { tok: { type: 'TOKEN', authorizerUri: LAMBDA_URI('tokenFn'), identitySource: 'method.request.header.Authorization', identityValidationExpression: CATASTROPHIC, authorizerResultTtlInSeconds: 0 } },
        resources: { '/pets': { resourceMethods: { GET: { authorizationType: 'CUSTOM', authorizerId: 'tok', integration: mock } } } }
      },
      { integrations: { lambda: { tokenFn } } }
    )
    const hostile = await fetch(`${url}/prod/pets`, { headers: { authorization: HOSTILE } })
    expect(hostile.status).toBe(401)
    expect(await hostile.text()).toBe('{"message":"Unauthorized"}')
    expect(seen).toEqual([])
    const benign = await fetch(`${url}/prod/pets`, { headers: { authorization: BENIGN } })
    expect(benign.status).toBe(200)
    expect(seen).toEqual([BENIGN])
  }, 20_000)

  it('§5.2 model pattern: a body value that does not match is 400 Invalid request body', async () => {
    const model = { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: CATASTROPHIC } } }
    const url = await start({
      protocol: 'REST',
      name: 'val',
      stages: { prod: {} },
      requestValidators: { body: { validateRequestBody: true } },
      models: { Pet: model },
      resources: { '/pets': { resourceMethods: { POST: { requestValidatorId: 'body', requestModels: { 'application/json': 'Pet' }, integration: mock } } } }
    })
    const post = (name: string): Promise<Response> => fetch(`${url}/prod/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) })
    const hostile = await post(HOSTILE)
    expect(hostile.status).toBe(400)
    expect(await hostile.json()).toEqual({ message: 'Invalid request body' })
    expect((await post(`x${BENIGN}`)).status).toBe(200) // JSON Schema patterns are unanchored searches
  }, 20_000)

  it('patterns RE2 cannot run (lookahead, backreferences) are refused when the gateway is built, not at request time', () => {
    const sel = (pattern: string) => ({
      protocol: 'REST' as const,
      name: 'bad',
      stages: { prod: {} },
      resources: { '/x': { resourceMethods: { GET: { integration: { ...mock, responses: { default: { statusCode: '200' }, [pattern]: { statusCode: '400' } } } } } } }
    })
    expect(() => createGateway(sel('(?=a)a'), { logger: silentLogger })).toThrow(/lookahead/)
    expect(() => createGateway(sel('(a)\\1'), { logger: silentLogger })).toThrow(/backreferences/)
  })
})
