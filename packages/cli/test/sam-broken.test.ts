import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { spawnGw } from './helpers.js'

// Broken SAM templates and serverless.yml files: `gw validate` / `gw serve` exit 2 and the message names the
// file (with the line), the logical id (or function) and the property.

const HANDLER = 'export async function handler() { return { statusCode: 200, body: "ok" } }\n'

const sam = (resources: string, head = ''): string => `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
${head}Resources:
${resources}`

const fn = (props: string, events = '      Events:\n        Get:\n          Type: Api\n          Properties: { Path: /a, Method: get }\n'): string =>
  `  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: app.handler\n${props}${events}`

interface Row {
  name: string
  kind: 'sam' | 'serverless'
  text: string
  args?: string[]
  /** Also start `gw serve` (validate and serve share the loader; a few rows prove serve says the same). */
  serve?: boolean
  expect: RegExp
}

const rows: Row[] = [
  { name: 'unknown intrinsic, short form', kind: 'sam', serve: true, text: sam(fn('      Environment:\n        Variables:\n          X: !Frobnicate abc\n')), expect: /template\.yaml:11: Fn: Properties\.Environment\.Variables\.X: unknown intrinsic function !Frobnicate/ },
  { name: 'unknown intrinsic, long form', kind: 'sam', text: sam(fn('      Environment:\n        Variables:\n          X: { "Fn::Frobnicate": [a] }\n')), expect: /template\.yaml:11: Fn: Properties\.Environment\.Variables\.X\.Fn::Frobnicate: unknown intrinsic function Fn::Frobnicate/ },
  { name: 'missing handler file', kind: 'sam', serve: true, text: sam(fn('      CodeUri: missing/\n')), expect: /template\.yaml:8: Fn: Properties\.Handler: handler module not found: tried .*missing\/app\.mjs/ },
  {
    name: 'circular !Ref between resources',
    kind: 'sam',
    serve: true,
    text: sam(`${fn('      Environment:\n        Variables:\n          OTHER: !Ref Other\n')}  Other:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: app.handler\n      Environment:\n        Variables:\n          BACK: !GetAtt Fn.Arn\n`),
    expect: /template\.yaml:\d+: (Other: Properties\.Environment\.Variables\.BACK|Fn: Properties\.Environment\.Variables\.OTHER): circular reference between resources: (Fn → Other → Fn|Other → Fn → Other)/
  },
  { name: 'circular Conditions', kind: 'sam', text: sam(fn(''), "Conditions:\n  A: !Not [Condition: B]\n  B: !Not [Condition: A]\n").replace('  Fn:\n    Type', '  Fn:\n    Condition: A\n    Type'), expect: /template\.yaml:\d+: [AB]: \(resource\): circular condition: Condition:[AB] → Condition:[AB] → Condition:[AB]/ },
  { name: 'bad event: method', kind: 'sam', serve: true, text: sam(fn('', '      Events:\n        Get:\n          Type: Api\n          Properties: { Path: /a, Method: fetch }\n')), expect: /template\.yaml:12: Fn: Properties\.Events\.Get\.Properties\.Method: 'fetch' is not an HTTP method/ },
  { name: 'bad event: path', kind: 'sam', text: sam(fn('', '      Events:\n        Get:\n          Type: Api\n          Properties: { Path: a, Method: get }\n')), expect: /template\.yaml:12: Fn: Properties\.Events\.Get\.Properties\.Path: 'a' must start with \// },
  { name: 'bad event: RestApiId names no API', kind: 'sam', text: sam(fn('', '      Events:\n        Get:\n          Type: Api\n          Properties: { Path: /a, Method: get, RestApiId: !Ref Fn }\n')), expect: /template\.yaml:12: Fn: Properties\.Events\.Get\.Properties\.RestApiId: 'Fn' is not an AWS::Serverless::Api of this template/ },
  { name: 'bad event: authorizer not declared', kind: 'sam', text: sam(fn('', '      Events:\n        Get:\n          Type: Api\n          Properties: { Path: /a, Method: get, Auth: { Authorizer: Nope } }\n')), expect: /template\.yaml:12: Fn: Properties\.Events\.Get\.Properties\.Auth\.Authorizer: 'Nope' is not an authorizer of ServerlessRestApi/ },
  { name: 'Ref to nothing', kind: 'sam', text: sam(fn('      Environment:\n        Variables:\n          X: !Ref Nothing\n')), expect: /template\.yaml:11: Fn: Properties\.Environment\.Variables\.X\.Ref: Ref to 'Nothing', which is neither a parameter/ },
  { name: 'parameter without Default or override', kind: 'sam', text: sam(fn(''), 'Parameters:\n  Stage:\n    Type: String\n'), expect: /template\.yaml:4: Stage: Default: the parameter has no Default: give one with --parameter-overrides/ },
  { name: '--parameter-overrides names an undeclared parameter', kind: 'sam', args: ['--parameter-overrides', 'Nope=1'], text: sam(fn('')), expect: /template\.yaml(:\d+)?: Nope: \(resource\): --parameter-overrides names a parameter the template does not declare/ },
  { name: 'Fn::Select out of range', kind: 'sam', text: sam(fn('      Environment:\n        Variables:\n          X: !Select [5, [a, b]]\n')), expect: /template\.yaml:11: Fn: Properties\.Environment\.Variables\.X\.Fn::Select: Fn::Select index 5 is out of range/ },
  { name: 'serverless: missing handler file', kind: 'serverless', serve: true, text: 'service: s\nprovider: { name: aws, runtime: nodejs20.x }\nfunctions:\n  hello:\n    handler: src/nope.handler\n    events:\n      - http: GET hello\n', expect: /serverless\.yml:5: hello: handler: handler module not found/ },
  { name: 'serverless: bad http event', kind: 'serverless', text: 'service: s\nprovider: { name: aws, runtime: nodejs20.x }\nfunctions:\n  hello:\n    handler: app.handler\n    events:\n      - http: { path: hello, method: fetch }\n', expect: /serverless\.yml:7: hello: events\[0\]\.http\.method: 'fetch' is not an HTTP method/ },
  { name: 'serverless: ${env:} without value or fallback', kind: 'serverless', text: 'service: s\nprovider:\n  name: aws\n  environment:\n    KEY: ${env:GW_TEST_SURELY_UNSET}\nfunctions:\n  hello:\n    handler: app.handler\n    events:\n      - http: GET hello\n', expect: /serverless\.yml:5: provider: environment\.KEY: \$\{env:GW_TEST_SURELY_UNSET\} has no value/ },
  { name: 'serverless: authorizer names no function', kind: 'serverless', text: 'service: s\nprovider: { name: aws }\nfunctions:\n  hello:\n    handler: app.handler\n    events:\n      - http: { path: hello, method: get, authorizer: nope }\n', expect: /serverless\.yml:\d+: .*'nope' is not a function of this service/ }
]

describe('broken SAM templates and serverless.yml files exit 2 naming file, logical id and property', () => {
  for (const row of rows) {
    it(row.name, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gw-sam-broken-'))
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
      const file = join(dir, row.kind === 'sam' ? 'template.yaml' : 'serverless.yml')
      writeFileSync(file, row.text)
      writeFileSync(join(dir, 'app.mjs'), HANDLER)
      mkdirSync(join(dir, 'src'))
      for (const command of row.serve === true ? ['validate', 'serve'] : ['validate']) {
        const gw = spawnGw([command, `--${row.kind}`, file, ...(row.args ?? []), ...(command === 'serve' ? ['--port', '0'] : [])])
        expect(await gw.exited).toBe(2)
        expect(gw.stderr()).toMatch(row.expect)
        expect(gw.stderr()).not.toMatch(/\n\s+at /) // no stack trace
      }
    })
  }
})
