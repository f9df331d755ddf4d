import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { parseParameterOverrides, translateSamTemplate, translateServerless } from '../src/index.js'
import { mergeGlobals } from '../src/globals.js'

/** Writes files into a fresh directory and returns its path. */
function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'gw-sam-unit-'))
  onTestFinished(() => rmSync(d, { recursive: true, force: true }))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text)
  return d
}

/** A generated OpenAPI document, read loosely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- deep reads of generated JSON
type Doc = Record<string, any>

const HANDLER = 'export const handler = async () => ({ statusCode: 200, body: "ok" })\n'

describe('translateSamTemplate: the config and OpenAPI documents SAM\'s transform amounts to', () => {
  it('an Api event becomes an aws_proxy route of the implicit ServerlessRestApi (Swagger 2.0, stage Prod) and a lambdas entry', () => {
    const d = dir({
      'app.mjs': HANDLER,
      'template.yaml': `Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: app.handler
      Environment: { Variables: { A: !Sub "\${AWS::Region}" } }
      Events:
        Get: { Type: Api, Properties: { Path: '/hello/{name}', Method: get, Auth: { ApiKeyRequired: true } } }
`
    })
    const t = translateSamTemplate(join(d, 'template.yaml'), { region: 'eu-west-1' })
    expect(t.config.apis).toEqual([{ name: 'ServerlessRestApi', openapi: `${join(d, 'template.yaml')}#ServerlessRestApi`, stages: { Prod: { variables: {} } } }])
    expect(t.config.lambdas).toEqual({ Hello: { handler: `${join(d, 'app.mjs')}#handler`, environment: { A: 'eu-west-1' } } })
    const doc = t.documents[`${join(d, 'template.yaml')}#ServerlessRestApi`] as Doc
    expect(doc.swagger).toBe('2.0')
    expect(doc.paths['/hello/{name}'].get).toEqual({
      responses: {},
      'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:Hello/invocations' },
      security: [{ api_key: [] }],
      parameters: [{ name: 'name', in: 'path', required: true, type: 'string' }]
    })
    expect(doc.securityDefinitions.api_key).toEqual({ type: 'apiKey', name: 'x-api-key', in: 'header' })
  })

  it('an HttpApi event without Path is the $default route of ServerlessHttpApi (OpenAPI 3, importexport-version marks an HTTP API)', () => {
    const d = dir({ 'app.mjs': HANDLER, 'template.yaml': 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { Runtime: nodejs20.x, Handler: app.handler, Events: { All: { Type: HttpApi } } }\n' })
    const t = translateSamTemplate(join(d, 'template.yaml'))
    const doc = Object.values(t.documents)[0] as Doc
    expect(doc.openapi).toBe('3.0.1')
    expect(doc['x-amazon-apigateway-importexport-version']).toBe('1.0')
    expect(Object.keys(doc.paths)).toEqual(['/$default'])
    expect(doc.paths['/$default']['x-amazon-apigateway-any-method']['x-amazon-apigateway-integration'].payloadFormatVersion).toBe('2.0')
    expect(t.config.apis[0]?.stages).toEqual({ $default: { variables: {} } })
  })

  it('CreateUsagePlan PER_API: a plan on the API stage and a key with a stable generated value (env), linked', () => {
    const d = dir({
      'app.mjs': HANDLER,
      'template.yaml': `Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: live
      Auth:
        ApiKeyRequired: true
        UsagePlan: { CreateUsagePlan: PER_API, Throttle: { RateLimit: 5, BurstLimit: 10 }, Quota: { Limit: 100, Period: WEEK } }
  Fn:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs20.x, Handler: app.handler, Events: { G: { Type: Api, Properties: { RestApiId: !Ref Api, Path: /x, Method: get } } } }
`
    })
    const file = join(d, 'template.yaml')
    const t = translateSamTemplate(file)
    expect(t.config.usagePlans).toEqual([{ id: 'ApiUsagePlan', name: 'ApiUsagePlan', apiStages: [{ api: 'Api', stage: 'live' }], throttle: { rateLimit: 5, burstLimit: 10 }, quota: { limit: 100, period: 'WEEK', offset: 0 } }])
    expect(t.config.apiKeys).toEqual([{ id: 'ApiApiKey', name: 'ApiApiKey', valueFromEnv: 'GW_API_KEY_APIAPIKEY', enabled: true, usagePlans: ['ApiUsagePlan'] }])
    expect(t.env.GW_API_KEY_APIAPIKEY).toMatch(/^local-[0-9a-f]{32}$/)
    expect(translateSamTemplate(file).env).toEqual(t.env)
  })

  it('Globals: maps merge key by key, the resource wins for scalars, lists concatenate, intrinsics are values', () => {
    expect(mergeGlobals({ Timeout: 3, Environment: { Variables: { A: '1', B: '2' } }, Layers: ['x'] }, { Timeout: 5, Environment: { Variables: { B: 'b' } }, Layers: ['y'] })).toEqual({
      Timeout: 5,
      Environment: { Variables: { A: '1', B: 'b' } },
      Layers: ['x', 'y']
    })
    expect(mergeGlobals({ CodeUri: { Ref: 'X' } }, { CodeUri: { 'Fn::Sub': 'y' } })).toEqual({ CodeUri: { 'Fn::Sub': 'y' } })
  })

  it('an unknown Globals section, resource type or property is a warning with file, line and logical id', () => {
    const d = dir({ 'app.mjs': HANDLER, 'template.yaml': 'Globals:\n  Functoin: {}\nResources:\n  T:\n    Type: AWS::DynamoDB::Table\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: { Runtime: nodejs20.x, Handler: app.handler, Tracing: Active, Events: { G: { Type: Api, Properties: { Path: /x, Method: get } } } }\n' })
    const t = translateSamTemplate(join(d, 'template.yaml'))
    expect(t.warnings.map((w) => [w.line, w.logicalId, w.property])).toEqual([
      [2, 'Functoin', '(resource)'],
      [8, 'Fn', 'Properties.Tracing'],
      [5, 'T', 'Type']
    ])
  })

  it('--parameter-overrides: K=V and ParameterKey=K,ParameterValue=V', () => {
    expect(parseParameterOverrides(['A=1', 'B=x=y', 'ParameterKey=C,ParameterValue=3'])).toEqual({ A: '1', B: 'x=y', C: '3' })
    expect(() => parseParameterOverrides(['nope'])).toThrow(/expects Name=Value/)
  })

  // The template is read by @gw/openapi's source-document parser (one YAML reader with line numbers for both).
  it.each([
    ['a YAML syntax error names its line', 'Resources:\n  Fn: [unclosed\n', /template\.yaml:\d+: not valid YAML: /],
    ['a merge key onto a scalar (only the conversion sees it) is a syntax error too', '<<: *a\n', /template\.yaml: not valid YAML: Merge sources must be maps/],
    ['an unknown short-form intrinsic names line, logical id and property', 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: !Frobnicate x\n', /template\.yaml:5: Fn: Properties\.Handler: unknown intrinsic function !Frobnicate/],
    ['an unreadable file names the reason', undefined, /nope\.yaml: cannot read file \(ENOENT\)/]
  ])('%s (GW_SAM_INVALID)', (_name, text, message) => {
    const d = dir(text === undefined ? {} : { 'template.yaml': text })
    let error: unknown
    try {
      translateSamTemplate(join(d, text === undefined ? 'nope.yaml' : 'template.yaml'))
    } catch (err) {
      error = err
    }
    expect(error).toMatchObject({ code: 'GW_SAM_INVALID', message: expect.stringMatching(message) as unknown })
  })
})

describe('translateServerless', () => {
  it('http and httpApi events, provider.environment under the function environment, keys with given values', () => {
    const d = dir({
      'h.mjs': HANDLER,
      'serverless.yml': `service: svc
provider:
  name: aws
  stage: \${opt:stage, 'dev'}
  environment: { A: provider, B: provider }
  apiGateway:
    apiKeys: [{ name: k1, value: k1-value-0123456789abcdef }]
    usagePlan: { throttle: { burstLimit: 5, rateLimit: 1 } }
functions:
  f:
    handler: h.handler
    environment: { B: function }
    events:
      - http: { path: 'things/{id}', method: get, private: true }
      - httpApi: 'POST /things'
`
    })
    const t = translateServerless(join(d, 'serverless.yml'), { stage: 'qa', env: {} })
    expect(t.config.apis.map((a) => [a.name, Object.keys(a.stages)])).toEqual([['ApiGatewayRestApi', ['qa']], ['HttpApi', ['$default']]])
    expect(t.config.lambdas).toEqual({ 'svc-qa-f': { handler: `${join(d, 'h.mjs')}#handler`, environment: { A: 'provider', B: 'function' } } })
    expect(t.config.usagePlans).toEqual([{ id: 'ApiGatewayUsagePlan', name: 'svc-qa', apiStages: [{ api: 'ApiGatewayRestApi', stage: 'qa' }], throttle: { rateLimit: 1, burstLimit: 5 } }])
    expect(t.config.apiKeys[0]).toMatchObject({ id: 'k1', usagePlans: ['ApiGatewayUsagePlan'] })
    expect(t.env[t.config.apiKeys[0]?.valueFromEnv ?? '']).toBe('k1-value-0123456789abcdef')
  })

  it('${self:} cycles are refused naming the property', () => {
    const d = dir({ 'h.mjs': HANDLER, 'serverless.yml': 'service: s\ncustom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\nprovider:\n  name: aws\n  environment:\n    X: ${self:custom.a}\nfunctions:\n  f:\n    handler: h.handler\n    events: [{ http: GET x }]\n' })
    expect(() => translateServerless(join(d, 'serverless.yml'), { env: {} })).toThrow(/serverless\.yml:4: custom: b: circular variable: \$\{self:custom\.a\} → \$\{self:custom\.b\} → \$\{self:custom\.a\}/)
  })
})
