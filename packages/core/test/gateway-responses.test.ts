import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { request } from 'undici'
import {
  GATEWAY_RESPONSE_TYPES,
  GwError,
  compileGatewayResponses,
  reject,
  silentLogger,
  toNodeHandler,
  type GatewayResponseCustomizations,
  type GatewayResponseType,
  type Middleware,
  type NodeHandlerOptions
} from '@gw/core'

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()))
})

/** A pipeline that rejects with the type named by the path: `/reject/THROTTLED`. */
const rejecter: Middleware<object> = (ctx) => {
  ctx.stage = 'prod'
  ctx.stageVariables = { team: 'core' }
  const type = ctx.rawPath.slice('/reject/'.length) as GatewayResponseType
  reject(ctx, type, type === 'BAD_REQUEST_BODY' ? { validationErrorString: '[instance type (string) does not match]' } : undefined)
}

async function serve(options: NodeHandlerOptions = {}): Promise<string> {
  const server = createServer(toNodeHandler(rejecter, { logger: silentLogger, ...options }))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function call(base: string, type: GatewayResponseType, headers: Record<string, string> = {}) {
  const res = await request(`${base}/reject/${type}`, { headers })
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
}

// §12.1, row by row: [type, status, x-amzn-ErrorType (null = none), body]
const REST_ROWS: [GatewayResponseType, number, string | null, string][] = [
  ['ACCESS_DENIED', 403, 'AccessDeniedException', '{"Message":"User is not authorized to access this resource"}'],
  ['API_CONFIGURATION_ERROR', 500, 'InternalServerErrorException', '{"message":"Internal server error"}'],
  ['AUTHORIZER_CONFIGURATION_ERROR', 500, 'AuthorizerConfigurationException', '{"message":null}'],
  ['AUTHORIZER_FAILURE', 500, 'AuthorizerFailureException', '{"message":"Internal server error"}'],
  ['BAD_REQUEST_PARAMETERS', 400, 'BadRequestException', '{"message":"Missing required request parameters: []"}'],
  ['BAD_REQUEST_BODY', 400, 'BadRequestException', '{"message":"Invalid request body"}'],
  ['DEFAULT_4XX', 400, null, '{"message":null}'],
  ['DEFAULT_5XX', 500, 'InternalServerErrorException', '{"message":"Internal server error"}'],
  ['EXPIRED_TOKEN', 403, 'ExpiredTokenException', '{"message":"The security token included in the request is expired"}'],
  ['INTEGRATION_FAILURE', 504, 'InternalServerErrorException', '{"message":"Internal server error"}'],
  ['INTEGRATION_TIMEOUT', 504, 'InternalServerErrorException', '{"message":"Endpoint request timed out"}'],
  ['INVALID_API_KEY', 403, 'ForbiddenException', '{"message":"Forbidden"}'],
  ['INVALID_SIGNATURE', 403, 'InvalidSignatureException', '{"message":"The request signature we calculated does not match the signature you provided."}'],
  ['MISSING_AUTHENTICATION_TOKEN', 403, 'MissingAuthenticationTokenException', '{"message":"Missing Authentication Token"}'],
  ['QUOTA_EXCEEDED', 429, 'LimitExceededException', '{"message":"Limit Exceeded"}'],
  ['REQUEST_TOO_LARGE', 413, 'RequestTooLargeException', '{"message":"Request Too Long"}'],
  ['RESOURCE_NOT_FOUND', 404, 'ResourceNotFoundException', '{"message":"Not Found"}'],
  ['THROTTLED', 429, 'TooManyRequestsException', '{"message":"Too Many Requests"}'],
  ['UNAUTHORIZED', 401, 'UnauthorizedException', '{"message":"Unauthorized"}'],
  ['UNSUPPORTED_MEDIA_TYPE', 415, 'BadRequestException', '{"message":"Unsupported Media Type"}'],
  ['WAF_FILTERED', 403, 'WafFilteredException', '{"message":"Forbidden"}']
]

describe('§12.1 every REST gateway response type over a real socket', () => {
  it('covers every type of the catalogue', () => {
    expect(REST_ROWS.map((r) => r[0]).sort()).toEqual(Object.keys(GATEWAY_RESPONSE_TYPES).sort())
  })

  it.each(REST_ROWS)('§12.1 %s → %i %s', async (type, status, errorType, body) => {
    const res = await call(await serve(), type)
    expect(res.status).toBe(status)
    expect(res.body).toBe(body)
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.headers['x-amzn-errortype']).toBe(errorType ?? undefined)
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(res.headers['x-amz-apigw-id']).toMatch(/^[A-Za-z0-9+/]{15}=$/)
  })
})

const TEMPLATE = '{"message":$context.error.messageString,"type":"$context.error.responseType","stage":"$context.stage","team":"$stageVariables.team"}'

describe('§12.2 customization: exact type, DEFAULT_4XX / DEFAULT_5XX, reset', () => {
  const cases: { name: string; responses: GatewayResponseCustomizations; type: GatewayResponseType; status: number; body: string; header?: [string, string] }[] = [
    {
      name: '§12.2 DEFAULT_4XX statusCode replaces the status of every 4xx type',
      responses: { DEFAULT_4XX: { statusCode: 400, responseTemplates: { 'application/json': TEMPLATE } } },
      type: 'THROTTLED',
      status: 400,
      body: '{"message":"Too Many Requests","type":"THROTTLED","stage":"prod","team":"core"}'
    },
    {
      name: '§12.2 DEFAULT_4XX header from a static value and a request header',
      responses: { DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'", 'gatewayresponse.header.X-Echo': 'method.request.header.x-echo' } } },
      type: 'UNAUTHORIZED',
      status: 401,
      body: '{"message":"Unauthorized"}',
      header: ['access-control-allow-origin', '*']
    },
    {
      name: '§12.2 DEFAULT_4XX statusCode null (reset) keeps per-type statuses, template still applies',
      responses: { DEFAULT_4XX: { statusCode: null, responseTemplates: { 'application/json': TEMPLATE } } },
      type: 'QUOTA_EXCEEDED',
      status: 429,
      body: '{"message":"Limit Exceeded","type":"QUOTA_EXCEEDED","stage":"prod","team":"core"}'
    },
    {
      name: '§12.2 the exact type wins over DEFAULT_4XX',
      responses: { DEFAULT_4XX: { statusCode: 400 }, UNAUTHORIZED: { statusCode: 403, responseTemplates: { 'application/json': '{"error":"$context.error.message"}' } } },
      type: 'UNAUTHORIZED',
      status: 403,
      body: '{"error":"Unauthorized"}'
    },
    {
      name: '§12.2 DEFAULT_4XX does not touch 5xx types',
      responses: { DEFAULT_4XX: { statusCode: 400, responseTemplates: { 'application/json': '{}' } } },
      type: 'INTEGRATION_TIMEOUT',
      status: 504,
      body: '{"message":"Endpoint request timed out"}'
    },
    {
      name: '§12.2 DEFAULT_5XX applies to 5xx types',
      responses: { DEFAULT_5XX: { statusCode: 503, responseTemplates: { 'application/json': '{"oops":$context.error.messageString}' } } },
      type: 'AUTHORIZER_FAILURE',
      status: 503,
      body: '{"oops":"Internal server error"}'
    },
    {
      name: '§12.2 $context.error.validationErrorString',
      responses: { BAD_REQUEST_BODY: { responseTemplates: { 'application/json': '{"message":$context.error.messageString,"detail":"$context.error.validationErrorString"}' } } },
      type: 'BAD_REQUEST_BODY',
      status: 400,
      body: '{"message":"Invalid request body","detail":"[instance type (string) does not match]"}'
    },
    {
      name: '§12.1 REQUEST_TOO_LARGE is not customizable: DEFAULT_4XX leaves it alone',
      responses: { DEFAULT_4XX: { statusCode: 400, responseTemplates: { 'application/json': '{}' } } },
      type: 'REQUEST_TOO_LARGE',
      status: 413,
      body: '{"message":"Request Too Long"}'
    }
  ]
  it.each(cases)('$name', async ({ responses, type, status, body, header }) => {
    const res = await call(await serve({ gatewayResponses: responses }), type, { 'x-echo': 'echoed' })
    expect(res.status).toBe(status)
    expect(res.body).toBe(body)
    if (header !== undefined) expect(res.headers[header[0]]).toBe(header[1])
  })

  it('§12.2 a request header mapped into a response header is resolved per request', async () => {
    const base = await serve({ gatewayResponses: { DEFAULT_4XX: { responseParameters: { 'gatewayresponse.header.X-Echo': 'method.request.header.x-echo' } } } })
    expect((await call(base, 'THROTTLED', { 'x-echo': 'one' })).headers['x-echo']).toBe('one')
    expect((await call(base, 'THROTTLED', { 'x-echo': 'two' })).headers['x-echo']).toBe('two')
  })

  it.each([
    ['§12.1 REQUEST_TOO_LARGE cannot be customized', { REQUEST_TOO_LARGE: { statusCode: 400 } }, 'REQUEST_TOO_LARGE cannot be customized'],
    ['§12.1 unknown type', { NOT_A_TYPE: {} }, 'unknown gateway response type'],
    ['§12.2 bad header key', { DEFAULT_4XX: { responseParameters: { 'header.X': "'a'" } } }, 'DEFAULT_4XX.responseParameters.header.X']
  ])('%s → GW_CONFIG_INVALID at construction', (_name, responses, text) => {
    let err: unknown
    try {
      toNodeHandler(rejecter, { gatewayResponses: responses as GatewayResponseCustomizations })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(GwError)
    expect((err as GwError).code).toBe('GW_CONFIG_INVALID')
    expect((err as GwError).message).toContain(text)
    expect(() => compileGatewayResponses(responses as GatewayResponseCustomizations)).toThrow(text)
  })
})

// §12.3: [type, status, message]
const HTTP_ROWS: [GatewayResponseType, number, string][] = [
  ['RESOURCE_NOT_FOUND', 404, 'Not Found'],
  ['UNAUTHORIZED', 401, 'Unauthorized'],
  ['ACCESS_DENIED', 403, 'Forbidden'],
  ['THROTTLED', 429, 'Too Many Requests'],
  ['INTEGRATION_FAILURE', 500, 'Internal Server Error'],
  ['AUTHORIZER_FAILURE', 500, 'Internal Server Error'],
  ['INTEGRATION_TIMEOUT', 503, 'Service Unavailable'],
  ['REQUEST_TOO_LARGE', 413, 'Request Entity Too Large']
]

describe('§12.3 HTTP API flavour', () => {
  it.each(HTTP_ROWS)('§12.3 %s → %i {"message":"%s"}, apigw-requestid, no x-amzn-ErrorType', async (type, status, message) => {
    const res = await call(await serve({ flavour: 'HTTP', gatewayResponses: { DEFAULT_4XX: { statusCode: 400 } } }), type)
    expect(res.status).toBe(status)
    expect(res.body).toBe(JSON.stringify({ message }))
    expect(res.headers['x-amzn-errortype']).toBeUndefined()
    expect(res.headers['apigw-requestid']).toMatch(/^[A-Za-z0-9+/]{15}=$/)
  })
})

describe('§12.5 x-amzn-RequestId', () => {
  it.each([
    ['a client UUID is kept', '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', true],
    ['a non-UUID is replaced', 'my-request-1', false],
    ['an empty value is replaced', '', false]
  ])('§12.5 %s', async (_name, sent, kept) => {
    const res = await call(await serve(), 'THROTTLED', { 'x-amzn-requestid': sent })
    const id = res.headers['x-amzn-requestid'] as string
    if (kept) expect(id).toBe(sent)
    else {
      expect(id).not.toBe(sent)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    }
  })
})
