import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { makeKey, startIssuer } from '../../authorizers/test/jwks-server.js'
import { FIXTURES, spawnGw, type Spawned } from './helpers.js'

// `gw serve --sam template.yaml` / `--serverless serverless.yml` through the built CLI over real sockets: each
// fixture is a template as AWS users write it; every route is called and its answer checked (aws-semantics §0.1
// pipeline order: authorizer §10, API key §9.2, throttling §8, validation §5, cache §7, CORS §11).

const SAM = `${FIXTURES}sam/`
const SLS = `${FIXTURES}serverless/`

interface Started {
  gw: Spawned
  /** `api stage` → URL. */
  urls: Record<string, string>
  /** Local API key values printed at start, by key name. */
  keys: Record<string, string>
}

/** Starts `gw serve` with the flags and waits until `apis` stage URLs are printed. */
async function start(args: string[], apis = 1, env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const gw = spawnGw(['serve', ...args, '--port', '0'], env)
  await gw.waitFor(new RegExp(`(?:  \\S+ \\S+: http\\S+\\n[\\s\\S]*){${String(apis)}}`), 20_000)
  const urls: Record<string, string> = {}
  // The path-form URL (127.0.0.1) is printed first; the `{apiId}.execute-api.localhost` form after it is for curl
  // and browsers (Node's resolver does not map *.localhost to loopback), so keep the first per stage.
  for (const m of gw.stdout().matchAll(/^ {2}(\S+) (\S+): (http\S+)$/gm)) urls[`${m[1] as string} ${m[2] as string}`] ??= m[3] as string
  const keys: Record<string, string> = {}
  for (const m of gw.stderr().matchAll(/^gw: API key (\S+) \(usage plans: [^)]*\): (\S+)$/gm)) keys[m[1] as string] = m[2] as string
  return { gw, urls, keys }
}

async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Headers; text: string; json: () => Record<string, unknown> }> {
  const res = await fetch(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }) })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> }
}

async function stop(gw: Spawned): Promise<void> {
  gw.child.kill('SIGTERM')
  expect(await gw.exited).toBe(0)
}

const FORBIDDEN = { message: 'Forbidden' }
const UNAUTHORIZED = { message: 'Unauthorized' }
const MISSING_TOKEN = { message: 'Missing Authentication Token' }

describe('gw serve --sam (SAM templates, built CLI, real sockets)', () => {
  it('hello-world: implicit ServerlessRestApi at stage Prod; each function sees its own Environment.Variables merged over Globals', async () => {
    const { gw, urls } = await start(['--sam', `${SAM}hello-world/template.yaml`])
    const base = urls['ServerlessRestApi Prod'] as string
    expect(base).toMatch(/\/Prod$/)
    const hello = await call(`${base}/hello`)
    expect(hello.status).toBe(200)
    expect(hello.json()).toEqual({ message: 'hello world', role: 'hello', stage: 'Prod', path: '/hello' })
    // read after an await, while another function with another FUNCTION_ROLE may run
    const [item, again] = await Promise.all([call(`${base}/items/7`, { method: 'PUT', body: '{"a":1}' }), call(`${base}/hello`)])
    expect(item.status).toBe(201)
    expect(item.json()).toEqual({ id: '7', item: { a: 1 }, role: 'items' })
    expect(again.json().role).toBe('hello')
    // §1.2: no such resource
    const nope = await call(`${base}/nope`)
    expect([nope.status, nope.json()]).toEqual([403, MISSING_TOKEN])
    expect(gw.stderr()).toMatch(/template\.yaml:\d+: HelloWorldFunction: Properties\.Timeout: .*not emulated locally: Timeout/)
    await stop(gw)
  })

  it('rest-auth: Lambda TOKEN (default) and REQUEST authorizers, ApiKeyRequired, PER_API usage plan throttle, Parameters', async () => {
    const { gw, urls, keys } = await start(['--sam', `${SAM}rest-auth/template.yaml`])
    const base = urls['ShopApi dev'] as string
    const key = keys.ShopApiApiKey as string
    expect(key).toMatch(/^local-[0-9a-f]{32}$/)
    // §0.1: the authorizer runs before the key check: no token → 401, explicit Deny → 403 (§10.2)
    expect((await call(`${base}/orders`)).status).toBe(401)
    const denied = await call(`${base}/orders`, { headers: { 'x-api-key': key, authorization: 'deny' } })
    expect([denied.status, denied.json()]).toEqual([403, { Message: 'User is not authorized to access this resource with an explicit deny' }])
    // §9.2: allowed but no key → 403 Forbidden
    const noKey = await call(`${base}/orders`, { headers: { authorization: 'allow' } })
    expect([noKey.status, noKey.json()]).toEqual([403, FORBIDDEN])
    const ok = await call(`${base}/orders`, { headers: { 'x-api-key': key, authorization: 'allow' } })
    expect(ok.status).toBe(200)
    expect(ok.json()).toMatchObject({ fn: 'orders', path: '/orders', stage: 'dev', authorizer: { user: 'alice', principalId: 'alice' }, stageVariables: { color: 'blue' } })
    // REQUEST authorizer on one event (x-token header)
    expect((await call(`${base}/orders/3`, { headers: { 'x-api-key': key, authorization: 'allow', 'x-token': 'deny' } })).status).toBe(403)
    const order = await call(`${base}/orders/3`, { headers: { 'x-api-key': key, 'x-token': 'allow' } })
    expect([order.status, order.json().pathParameters]).toEqual([200, { orderId: '3' }])
    // Auth NONE and ApiKeyRequired false on one event
    const health = await call(`${base}/health`)
    expect([health.status, health.json().fn]).toEqual([200, 'public'])
    // §8: plan throttle BurstLimit !Ref Burst (2), rate 0.01/s: the third keyed request is throttled
    const throttled = await call(`${base}/orders/3`, { headers: { 'x-api-key': key, 'x-token': 'allow' } })
    expect([throttled.status, throttled.json()]).toEqual([429, { message: 'Too Many Requests' }])
    await stop(gw)
  })

  it('http-jwt: HTTP API JWT authorizer with scopes, CORS, StageVariables, RouteSettings throttle ($default stage)', async () => {
    const key = await makeKey('k1')
    const issuer = await startIssuer([key])
    const token = (scope: string): Promise<string> =>
      new SignJWT({ scope }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer.url).setAudience('my-api').setSubject('alice').setIssuedAt().setExpirationTime('5m').sign(key.privateKey)
    const { gw, urls } = await start(['--sam', `${SAM}http-jwt/template.yaml`, '--parameter-overrides', `IssuerUrl=${issuer.url} Audience=my-api`])
    const base = urls['PetsHttpApi $default'] as string
    expect(base).toMatch(/:\d+$/)
    const anonymous = await call(`${base}/me`)
    expect([anonymous.status, anonymous.json()]).toEqual([401, UNAUTHORIZED])
    const me = await call(`${base}/me`, { headers: { authorization: `Bearer ${await token('read')}` } })
    expect(me.status).toBe(200)
    expect(me.json()).toMatchObject({ fn: 'pets', path: '/me', authorizer: { jwt: { claims: { sub: 'alice' }, scopes: ['read'] } } })
    // §10.5: a valid token without the route's scope → 403
    const admin = await call(`${base}/admin`, { headers: { authorization: `Bearer ${await token('read')}` } })
    expect([admin.status, admin.json()]).toEqual([403, FORBIDDEN])
    const pet = await call(`${base}/pets/9`)
    expect(pet.json()).toMatchObject({ pathParameters: { petId: '9' }, stageVariables: { tier: 'gold' } })
    // §11.2 preflight from CorsConfiguration
    const preflight = await call(`${base}/me`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(preflight.headers.get('access-control-max-age')).toBe('600')
    expect((await call(`${base}/limited`)).status).toBe(200)
    const limited = await call(`${base}/limited`)
    expect([limited.status, limited.json()]).toEqual([429, { message: 'Too Many Requests' }])
    await stop(gw)
  })

  it('http-implicit: ServerlessHttpApi with a Lambda authorizer from Globals.HttpApi, payload 1.0 and 2.0, $default route', async () => {
    const { gw, urls } = await start(['--sam', `${SAM}http-implicit/template.yaml`])
    const base = urls['ServerlessHttpApi $default'] as string
    expect((await call(`${base}/secure`)).status).toBe(401)
    const denied = await call(`${base}/secure`, { headers: { authorization: 'deny' } })
    expect([denied.status, denied.json()]).toEqual([403, FORBIDDEN])
    const secure = await call(`${base}/secure`, { headers: { authorization: 'allow' } })
    expect(secure.json()).toMatchObject({ fn: 'app', authorizer: { lambda: { user: 'alice' } } })
    const legacy = await call(`${base}/legacy/a/b`, { method: 'DELETE' })
    expect(legacy.json()).toMatchObject({ method: 'DELETE', path: '/legacy/a/b', pathParameters: { proxy: 'a/b' } })
    const other = await call(`${base}/anything/else`, { method: 'POST', body: 'x' })
    expect(other.json()).toMatchObject({ fn: 'app', method: 'POST', path: '/anything/else', body: 'x' })
    expect((await call(`${base}/limited`)).status).toBe(200)
    expect((await call(`${base}/limited`)).status).toBe(429)
    await stop(gw)
  })

  it('intrinsics: !Ref, !Sub (both forms), !GetAtt, !Join, !If with Conditions, !FindInMap, !Select, !Split, pseudo parameters, long forms, AWS::NoValue', async () => {
    const dev = await start(['--sam', `${SAM}intrinsics/template.yaml`])
    const base = dev.urls['ServerlessRestApi Prod'] as string
    const values = await call(`${base}/dev/values`)
    expect(values.status).toBe(200)
    expect(values.json().env).toEqual({
      APP_SUB: 'dev-us-east-1-123456789012',
      APP_SUB_LIST: 'b@green',
      APP_JOIN: 'dev/x/long',
      APP_IF: 'development',
      APP_ALWAYS: 'yes',
      APP_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:second',
      APP_REF: 'second',
      APP_GETATT_LONG: 'arn:aws:lambda:us-east-1:123456789012:function:second',
      APP_LITERAL: '${NotAVariable}',
      APP_PARTITION: 'aws:amazonaws.com'
    })
    // a resource whose Condition is false does not exist
    expect((await call(`${base}/prod-only`)).status).toBe(403)
    await stop(dev.gw)
    const prod = await start(['--sam', `${SAM}intrinsics/template.yaml`, '--parameter-overrides', 'Env=prod', '--region', 'eu-west-1'])
    const prodBase = prod.urls['ServerlessRestApi Prod'] as string
    const prodValues = (await call(`${prodBase}/prod/values`)).json().env as Record<string, string>
    expect(prodValues).toMatchObject({ APP_SUB: 'prod-eu-west-1-123456789012', APP_SUB_LIST: 'b@red', APP_IF: 'production', APP_NOVALUE: 'set' })
    expect((await call(`${prodBase}/prod-only`)).status).toBe(200)
    await stop(prod.gw)
  })

  it('definition-body: inline DefinitionBody merged with events, MOCK, caching, method throttling, CORS, GatewayResponses', async () => {
    const { gw, urls } = await start(['--sam', `${SAM}definition-body/template.yaml`])
    const base = urls['BooksApi v1'] as string
    expect((await call(`${base}/books`)).json()).toMatchObject({ fn: 'books', stage: 'v1' })
    expect((await call(`${base}/version`)).json()).toEqual({ version: '1.0', stage: 'v1' })
    // §7: the second GET /cached is a cache hit (the counter is not called again)
    expect((await call(`${base}/cached`)).json()).toEqual({ calls: 1 })
    expect((await call(`${base}/cached`)).json()).toEqual({ calls: 1 })
    expect((await call(`${base}/limited`)).status).toBe(200)
    expect((await call(`${base}/limited`)).status).toBe(429)
    // §11.1 Cors → OPTIONS answered with the origin
    const preflight = await call(`${base}/books`, { method: 'OPTIONS', headers: { origin: 'https://books.example', 'access-control-request-method': 'GET' } })
    expect(preflight.status).toBe(200)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://books.example')
    // §12.2 customised MISSING_AUTHENTICATION_TOKEN ($context.path carries the stage on REST APIs)
    const missing = await call(`${base}/nope`)
    expect([missing.status, missing.json(), missing.headers.get('x-gw-fixture')]).toEqual([404, { error: 'no such route', path: '/v1/nope' }, 'books'])
    await stop(gw)
  })

  it('definition-uri: a local OpenAPI 3 file with intrinsics, request validation, a Cognito authorizer (no token → 401)', async () => {
    const { gw, urls } = await start(['--sam', `${SAM}definition-uri/template.yaml`])
    const base = urls['PetsApi prod'] as string
    expect((await call(`${base}/pets/5`)).json()).toMatchObject({ fn: 'pets', pathParameters: { petId: '5' } })
    expect((await call(`${base}/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"rex"}' })).status).toBe(200)
    const invalid = await call(`${base}/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect([invalid.status, invalid.json()]).toEqual([400, { message: 'Invalid request body' }])
    const noQuery = await call(`${base}/search`)
    expect([noQuery.status, noQuery.json()]).toEqual([400, { message: 'Missing required request parameters: [q]' }])
    expect((await call(`${base}/search?q=x`)).status).toBe(200)
    const profile = await call(`${base}/profile`)
    expect([profile.status, profile.json()]).toEqual([401, UNAUTHORIZED])
    await stop(gw)
  })

  it('plain-apigateway: AWS::ApiGateway::RestApi Body, Stage, UsagePlan, ApiKey with Value, UsagePlanKey', async () => {
    const { gw, urls } = await start(['--sam', `${SAM}plain-apigateway/template.yaml`])
    const base = urls['Api live'] as string
    expect((await call(`${base}/ping`)).json()).toMatchObject({ fn: 'reports', stageVariables: { region: 'eu' } })
    const noKey = await call(`${base}/reports`)
    expect([noKey.status, noKey.json()]).toEqual([403, FORBIDDEN])
    const headers = { 'x-api-key': 'reports-key-0123456789abcdef' }
    expect((await call(`${base}/reports`, { headers })).status).toBe(200)
    expect((await call(`${base}/reports`, { headers })).status).toBe(200)
    expect((await call(`${base}/reports`, { headers })).status).toBe(429)
    expect(gw.stderr()).toMatch(/ReportsPermission: Type: AWS::Lambda::Permission: not emulated locally/)
    await stop(gw)
  })

  it('shared-plan: two APIs, one SHARED usage plan and key from Globals.Api, daily quota across both', async () => {
    const { gw, urls, keys } = await start(['--sam', `${SAM}shared-plan/template.yaml`], 2)
    const users = urls['UsersApi prod'] as string
    const billing = urls['BillingApi prod'] as string
    expect(users).toMatch(/\/UsersApi\/prod$/)
    const headers = { 'x-api-key': keys.ServerlessApiKey as string }
    expect((await call(`${users}/users`)).status).toBe(403)
    expect((await call(`${users}/users`, { headers })).json()).toMatchObject({ fn: 'users' })
    expect((await call(`${billing}/invoices`, { headers })).json()).toMatchObject({ fn: 'billing' })
    expect((await call(`${users}/users`, { headers })).status).toBe(200)
    // §9.2: quota 3 per day across both API stages of the plan
    const over = await call(`${billing}/invoices`, { headers })
    expect([over.status, over.json()]).toEqual([429, { message: 'Limit Exceeded' }])
    await stop(gw)
  })

  it('mixed-runtimes: what cannot run is named in warnings with its logical id; the Node.js function is served', async () => {
    const { gw, urls } = await start(['--sam', `${SAM}mixed-runtimes/template.yaml`])
    const base = urls['ServerlessRestApi Prod'] as string
    expect((await call(`${base}/node`)).json()).toMatchObject({ fn: 'node', env: { APP_TABLE: 'Table' } })
    expect((await call(`${base}/python`)).status).toBe(403)
    const err = gw.stderr()
    expect(err).toMatch(/template\.yaml:\d+: PythonFunction: Properties\.Runtime: runtime python3\.12 cannot run in-process/)
    expect(err).toMatch(/template\.yaml:\d+: NodeFunction: Properties\.MemorySize: .*MemorySize/)
    expect(err).toMatch(/template\.yaml:\d+: NodeFunction: Properties\.Events\.Queue\.Type: SQS events are not emulated/)
    expect(err).toMatch(/template\.yaml:\d+: Table: Type: AWS::Serverless::SimpleTable: not emulated locally/)
    await stop(gw)
  })
})

describe('gw serve --serverless (serverless.yml, built CLI, real sockets)', () => {
  it('rest: http events, private keys, usage plan throttle, TOKEN authorizer by function name, required query string, cors', async () => {
    const { gw, urls, keys } = await start(['--serverless', `${SLS}rest/serverless.yml`])
    const base = urls['ApiGatewayRestApi dev'] as string
    expect(keys['orders-key']).toBe('orders-key-0123456789abcdef')
    expect((await call(`${base}/orders`)).json()).toMatchObject({ fn: 'list', env: { APP_SERVICE: 'orders', APP_STAGE: 'dev' } })
    const noKey = await call(`${base}/orders/1`)
    expect([noKey.status, noKey.json()]).toEqual([403, FORBIDDEN])
    expect((await call(`${base}/secure`)).status).toBe(401)
    expect((await call(`${base}/secure`, { headers: { authorization: 'deny' } })).status).toBe(403)
    expect((await call(`${base}/secure`, { headers: { authorization: 'allow' } })).json()).toMatchObject({ fn: 'secure', authorizer: { user: 'alice' } })
    const preflight = await call(`${base}/secure`, { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'GET' } })
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([200, '*'])
    expect((await call(`${base}/search`)).status).toBe(400)
    expect((await call(`${base}/search?q=1`)).json()).toMatchObject({ fn: 'search' })
    const headers = { 'x-api-key': 'orders-key-0123456789abcdef' }
    expect((await call(`${base}/orders/1`, { headers })).json()).toMatchObject({ fn: 'get', pathParameters: { id: '1' } })
    expect((await call(`${base}/orders/1`, { headers })).status).toBe(200)
    expect((await call(`${base}/orders/1`, { headers })).status).toBe(429)
    await stop(gw)
    // ${opt:stage, 'dev'} follows --stage
    const prod = await start(['--serverless', `${SLS}rest/serverless.yml`, '--stage', 'prod'])
    expect((await call(`${prod.urls['ApiGatewayRestApi prod'] as string}/orders`)).json()).toMatchObject({ stage: 'prod', env: { APP_STAGE: 'prod' } })
    await stop(prod.gw)
  })

  it('http-api: httpApi events, ${self:} / ${opt:} / ${sls:} / ${env:} / ${file()} / ${aws:} variables, request authorizer, cors, catch-all', async () => {
    const { gw, urls } = await start(['--serverless', `${SLS}http-api/serverless.yml`], 1, { CATALOG_SECRET: 's3cret' })
    const base = urls['HttpApi $default'] as string
    const item = await call(`${base}/items/5`)
    expect(item.json()).toMatchObject({
      fn: 'items',
      pathParameters: { id: '5' },
      env: { APP_GREETING: 'hello-dev', APP_COLOR: 'green', APP_FROM_ENV: 's3cret', APP_TIER: 'platinum', APP_REGION: 'us-east-1' }
    })
    expect((await call(`${base}/items`, { method: 'POST' })).status).toBe(401)
    expect((await call(`${base}/items`, { method: 'POST', headers: { authorization: 'deny' } })).status).toBe(403)
    expect((await call(`${base}/items`, { method: 'POST', headers: { authorization: 'allow' }, body: '{}' })).json()).toMatchObject({ fn: 'items', authorizer: { lambda: { user: 'alice' } } })
    expect((await call(`${base}/whatever`)).json()).toMatchObject({ fn: 'fallback', path: '/whatever' })
    // §11.2: the '*' catch-all ($default) matches OPTIONS, so it takes the preflight; CORS headers are added
    const preflight = await call(`${base}/items`, { method: 'OPTIONS', headers: { origin: 'https://catalog.example', 'access-control-request-method': 'GET' } })
    expect([preflight.status, preflight.json().fn, preflight.headers.get('access-control-allow-origin')]).toEqual([200, 'fallback', 'https://catalog.example'])
    await stop(gw)
  })

  it('plans: several usage plans and keys, a quota, request.schemas validation, resourcePolicy deny', async () => {
    const { gw, urls, keys } = await start(['--serverless', `${SLS}plans/serverless.yml`])
    const base = urls['ApiGatewayRestApi prod'] as string
    const free = { 'x-api-key': keys['free-key'] as string }
    const paid = { 'x-api-key': 'paid-key-0123456789abcdef', 'content-type': 'application/json' }
    expect((await call(`${base}/invoices`)).status).toBe(403)
    expect((await call(`${base}/invoices`, { headers: free })).json()).toMatchObject({ fn: 'invoices' })
    expect((await call(`${base}/invoices`, { headers: free })).status).toBe(200)
    const over = await call(`${base}/invoices`, { headers: free })
    expect([over.status, over.json()]).toEqual([429, { message: 'Limit Exceeded' }])
    expect((await call(`${base}/invoices`, { headers: paid })).status).toBe(200)
    const invalid = await call(`${base}/invoices`, { method: 'POST', headers: paid, body: '{}' })
    expect([invalid.status, invalid.json()]).toEqual([400, { message: 'Invalid request body' }])
    expect((await call(`${base}/invoices`, { method: 'POST', headers: paid, body: '{"amount":3}' })).status).toBe(200)
    // §10.9: an explicit Deny in the resource policy
    expect((await call(`${base}/internal`)).status).toBe(403)
    await stop(gw)
  })
})
