import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { spawnGw } from './helpers.js'

const GOOD_OPENAPI = `openapi: 3.0.1
info: { title: t, version: '1' }
paths:
  /a:
    get:
      responses: { '200': { description: ok } }
      x-amazon-apigateway-integration: { type: mock, requestTemplates: { application/json: '{"statusCode": 200}' } }
`
const config = (extra: string, api = ''): string => `apis:
  - openapi: ./openapi.yaml
    stages:
      dev: {}
${api}${extra}`

const openapiWith = (paths: string, root = ''): string => `openapi: 3.0.1
info: { title: t, version: '1' }
${root}paths:
${paths}`

interface Row {
  name: string
  config: string
  openapi?: string
  /** What the message must name: file, field (and line). */
  expect: RegExp
  /** Also check `gw serve` (validate builds everything serve builds; a few rows prove serve says the same). */
  serve?: boolean
  /** Environment of the spawned `gw`. */
  env?: NodeJS.ProcessEnv
}

// Each row is one broken config or OpenAPI file (§16.1 restrictions, §16.2 extension fields, §6.3, §9.1, config schema).
const rows: Row[] = [
  { name: 'config: apis missing', config: 'server: { port: 0 }\n', expect: /gw\.config\.yaml:1: apis: at least one API is required \(apis or websocketApis\)/ },
  { name: 'config: YAML syntax error carries the line', serve: true, config: 'apis:\n  - openapi: [unclosed\n', expect: /gw\.config\.yaml:\d+: not valid YAML/ },
  { name: 'config: §6.3 stage variable value', config: 'apis:\n  - openapi: ./openapi.yaml\n    stages:\n      dev:\n        variables: { host: "bad value!" }\n', expect: /gw\.config\.yaml:5: apis\[0\]\.stages\.dev\.variables\.host: stage variable values/ },
  { name: 'config: store is not memory or redis', config: config('store: mysql://db\n'), expect: /gw\.config\.yaml:5: store: / },
  { name: 'config: server.port out of range', config: config('server: { port: 70000 }\n'), expect: /gw\.config\.yaml:5: server\.port: / },
  { name: 'config: unknown field (typo)', config: 'apis:\n  - openapi: ./openapi.yaml\n    stagez: {}\n    stages: { dev: {} }\n', expect: /gw\.config\.yaml:2: apis\[0\]: Unrecognized key.*stagez/ },
  { name: 'config: usage plan names an unknown stage (§9.2)', config: config('usagePlans:\n  - name: p\n    apiStages: [{ api: t, stage: prod }]\n'), expect: /gw\.config\.yaml:7: usagePlans\[0\]\.apiStages\[0\]\.stage: API 't' has no stage 'prod'/ },
  { name: 'config: API key env variable unset (§9.1)', serve: true, config: config('usagePlans:\n  - name: p\n    apiStages: [{ api: t, stage: dev }]\napiKeys:\n  - name: k\n    valueFromEnv: GW_TEST_UNSET_KEY\n    usagePlans: [p]\n'), expect: /gw\.config\.yaml:10: apiKeys\[0\]\.valueFromEnv: environment variable GW_TEST_UNSET_KEY is not set/ },
  { name: 'config: lambda reference without #export', config: config('lambdas:\n  orders: ./orders.mjs\n'), expect: /gw\.config\.yaml:6: lambdas\.orders: a Lambda is/ },
  { name: 'config: OpenAPI file missing', config: 'apis:\n  - openapi: ./nope.yaml\n    stages: { dev: {} }\n', expect: /gw\.config\.yaml:2: apis\[0\]\.openapi: file not found/ },
  { name: 'openapi: §16.2 integration type', serve: true, config: config(''), openapi: openapiWith("  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: lambda\n"), expect: /openapi\.yaml:7: #\/paths\/~1a\/get\/x-amazon-apigateway-integration\/type: must be one of/ },
  { name: 'openapi: §16.1 path segment', config: config(''), openapi: openapiWith('  /a/{id}x:\n    get:\n      x-amazon-apigateway-integration: { type: mock }\n'), expect: /openapi\.yaml:4: #\/paths\/~1a~1\{id\}x: path '\/a\/\{id\}x' is not valid/ },
  { name: 'openapi: unresolvable $ref', config: config(''), openapi: openapiWith("  /a:\n    get:\n      x-amazon-apigateway-integration:\n        $ref: '#/components/x-amazon-apigateway-integrations/missing'\n"), expect: /openapi\.yaml: \$ref '#\/components\/x-amazon-apigateway-integrations\/missing' points to nothing/ },
  { name: 'openapi: §12.1 unknown gateway response type', config: config(''), openapi: openapiWith("  /a:\n    get:\n      x-amazon-apigateway-integration: { type: mock }\n", 'x-amazon-apigateway-gateway-responses:\n  NOT_A_TYPE: { statusCode: 400 }\n'), expect: /openapi\.yaml:4: #\/x-amazon-apigateway-gateway-responses\/NOT_A_TYPE: unknown gateway response type/ },
  { name: 'openapi: §5 undeclared request validator', config: config(''), openapi: openapiWith("  /a:\n    get:\n      x-amazon-apigateway-request-validator: strict\n      x-amazon-apigateway-integration: { type: mock }\n"), expect: /openapi\.yaml:6: #\/paths\/~1a\/get\/x-amazon-apigateway-request-validator: validator 'strict' is not declared/ },
  { name: 'openapi: §2 Lambda not in the lambdas map', config: config(''), openapi: openapiWith("  /a:\n    post:\n      x-amazon-apigateway-integration: { type: aws_proxy, httpMethod: POST, uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:orders/invocations' }\n"), expect: /gw\.config\.yaml:2: apis\[0\]\.openapi: .*invokes Lambda 'orders' which is not in lambdas/ },
  { name: 'openapi: §10.8 AWS_IAM route without an iam section', serve: true, config: config(''), openapi: openapiWith("  /a:\n    get:\n      x-amazon-apigateway-auth: { type: AWS_IAM }\n      x-amazon-apigateway-integration: { type: mock }\n"), expect: /gw\.config\.yaml:2: apis\[0\]\.openapi: .*route 'GET \/a' uses AWS_IAM \(§10\.8\), which needs an iam section/ },
  { name: 'config: §10.8 iam access key env variable unset', serve: true, config: config('iam:\n  credentials:\n    - accessKeyIdFromEnv: GW_TEST_UNSET_AKID\n      secretAccessKeyFromEnv: GW_TEST_UNSET_SECRET\n      principalArn: arn:aws:iam::123456789012:user/alice\n'), expect: /gw\.config\.yaml:7: iam\.credentials\[0\]\.accessKeyIdFromEnv: environment variable GW_TEST_UNSET_AKID is not set/ },
  { name: 'config: §10.8 iam access key env variable holds no access key id', config: config('iam:\n  credentials:\n    - accessKeyIdFromEnv: PATH\n      secretAccessKeyFromEnv: GW_TEST_UNSET_SECRET\n      principalArn: arn:aws:iam::123456789012:user/alice\n'), expect: /gw\.config\.yaml:7: iam\.credentials\[0\]\.accessKeyIdFromEnv: the value of PATH is not an access key id/ },
  { name: 'config: §10.8 iam identity policy malformed (refused at load, not a silent deny)', serve: true, config: config("iam:\n  credentials:\n    - accessKeyIdFromEnv: GW_TEST_IAM_AKID\n      secretAccessKeyFromEnv: GW_TEST_IAM_SECRET\n      principalArn: arn:aws:iam::123456789012:user/alice\n      policy: { Statement: [{ Effect: Maybe, Action: '*', Resource: '*' }] }\n"), env: { GW_TEST_IAM_AKID: 'AKIAALICE00000000001', GW_TEST_IAM_SECRET: 'secret' }, expect: /gw\.config\.yaml:10: iam\.credentials\[0\]\.policy: Statement\[0\]: Effect must be "Allow" or "Deny"/ },
  { name: 'config: §10.8 iam principalArn is not an IAM ARN', config: config('iam:\n  credentials:\n    - accessKeyIdFromEnv: A\n      secretAccessKeyFromEnv: B\n      principalArn: alice\n'), expect: /gw\.config\.yaml:9: iam\.credentials\[0\]\.principalArn: an IAM principal ARN/ },
  { name: 'openapi: §3.1 timeoutInMillis below 50', config: config(''), openapi: openapiWith("  /a:\n    get:\n      x-amazon-apigateway-integration: { type: http_proxy, uri: 'http://x', timeoutInMillis: 10 }\n"), expect: /openapi\.yaml:6: #\/paths\/~1a\/get\/x-amazon-apigateway-integration\/timeoutInMillis: must be an integer of at least 50/ },
  { name: 'openapi: §10 Lambda authorizer function not in lambdas (refused, not ignored)', serve: true, config: config(''), openapi: openapiWith("  /a:\n    get:\n      security: [{ auth: [] }]\n      x-amazon-apigateway-integration: { type: mock, requestTemplates: { application/json: '{\"statusCode\": 200}' } }\n", '') + "components:\n  securitySchemes:\n    auth:\n      type: apiKey\n      name: Authorization\n      in: header\n      x-amazon-apigateway-authorizer: { type: token, authorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:auth/invocations' }\n", expect: /gw\.config\.yaml: apis\[0\] \(.*openapi\.yaml\): dev GET \/a: authorizer function arn:aws:lambda:us-east-1:1:function:auth is not in/ }
]

describe('broken config and OpenAPI files: exit 2 and a message naming file, field and line', () => {
  it('has at least 10 broken files', () => {
    expect(rows.length).toBeGreaterThanOrEqual(10)
  })

  it.each(rows)('$name', async (row) => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-broken-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'gw.config.yaml'), row.config)
    writeFileSync(join(dir, 'openapi.yaml'), row.openapi ?? GOOD_OPENAPI)
    for (const command of row.serve === true ? ['validate', 'serve'] : ['validate']) {
      const gw = spawnGw([command, join(dir, 'gw.config.yaml')], row.env)
      expect(await gw.exited).toBe(2)
      expect(gw.stderr()).toMatch(row.expect)
      expect(gw.stderr()).not.toMatch(/\n\s+at /) // no stack trace
    }
  })
})
