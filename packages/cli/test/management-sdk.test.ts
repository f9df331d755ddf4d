import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateDeploymentCommand,
  CreateUsagePlanKeyCommand,
  FlushStageAuthorizersCacheCommand,
  FlushStageCacheCommand,
  GetApiKeysCommand,
  GetDeploymentsCommand,
  GetExportCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  GetStageCommand,
  GetStagesCommand,
  GetUsageCommand,
  GetUsagePlansCommand,
  UpdateApiKeyCommand,
  UpdateStageCommand,
  UpdateUsageCommand
} from '@aws-sdk/client-api-gateway'
import { describe, expect, it, onTestFinished } from 'vitest'
import { serve, type GatewayServer } from '@gw/cli'
import { silentLogger } from '@gw/core'
import { FIXTURES } from './helpers.js'

const ADMIN = 'admin-token-0123456789'
const ALICE = { accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice-secret/abc+def' }
const READER = { accessKeyId: 'AKIAREADER0000000001', secretAccessKey: 'reader-secret/abc+def' }
const ENV = {
  E2E_ALICE_KEY: 'alice-key-0123456789abcdef',
  E2E_ADMIN_TOKEN: ADMIN,
  ALICE_AKID: ALICE.accessKeyId,
  ALICE_SECRET: ALICE.secretAccessKey,
  READER_AKID: READER.accessKeyId,
  READER_SECRET: READER.secretAccessKey
}
// alice may do everything on the control plane; reader only GET (an identity policy on apigateway:* actions).
const IAM = `iam:
  credentials:
    - accessKeyIdFromEnv: ALICE_AKID
      secretAccessKeyFromEnv: ALICE_SECRET
      principalArn: arn:aws:iam::123456789012:user/alice
      policy: { Statement: [{ Effect: Allow, Action: 'apigateway:*', Resource: 'arn:aws:apigateway:us-east-1::/*' }] }
    - accessKeyIdFromEnv: READER_AKID
      secretAccessKeyFromEnv: READER_SECRET
      principalArn: arn:aws:iam::123456789012:user/reader
      policy: { Statement: [{ Effect: Allow, Action: 'apigateway:GET', Resource: '*' }] }
`

async function started(): Promise<{ gw: GatewayServer; dir: string; endpoint: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-mgmt-sdk-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(`${FIXTURES}e2e`, dir, { recursive: true })
  const file = join(dir, 'gw.config.yaml')
  writeFileSync(file, `${readFileSync(file, 'utf8')}${IAM}`)
  const gw = await serve({ config: file, port: 0, env: ENV, logger: silentLogger })
  onTestFinished(() => gw.close())
  return { gw, dir, endpoint: `http://127.0.0.1:${String(gw.port)}/_gw` }
}

/** The SDK as AWS users run it: SigV4 with the config's access keys. */
const sigv4Client = (endpoint: string, credentials = ALICE): APIGatewayClient => new APIGatewayClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 })

/** The SDK with the admin bearer token put in by a middleware after signing. */
function bearerClient(endpoint: string, token = ADMIN): APIGatewayClient {
  const client = new APIGatewayClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' }, maxAttempts: 1 })
  client.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers: Record<string, string> }
      request.headers.authorization = `Bearer ${token}`
      return next(args)
    },
    { step: 'deserialize', name: 'gwBearer' }
  )
  return client
}

const today = (): string => new Date().toISOString().slice(0, 10)

describe('management API with @aws-sdk/client-api-gateway (restJson1 shapes, SigV4 on apigateway:* and bearer)', () => {
  for (const [label, make] of [
    ['SigV4', sigv4Client],
    ['bearer', bearerClient]
  ] as const) {
    it(`${label}: CreateApiKey, GetApiKeys (paged), CreateUsagePlanKey, GetUsage, UpdateUsage, UpdateApiKey (§9.1-§9.3, §8.2)`, async () => {
      const { gw, endpoint } = await started()
      const client = make(endpoint)
      const created = await client.send(new CreateApiKeyCommand({ name: 'bob', description: 'test key', enabled: true }))
      expect(created.$metadata.httpStatusCode).toBe(201)
      expect(created.name).toBe('bob')
      expect(created.value).toMatch(/^[A-Za-z0-9]{40}$/)
      expect(created.enabled).toBe(true)
      // epoch seconds on the wire, a Date in the SDK
      expect(created.createdDate).toBeInstanceOf(Date)
      expect(Math.abs((created.createdDate?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000)
      const keyId = created.id ?? ''

      const listed = await client.send(new GetApiKeysCommand({}))
      expect(listed.items?.map((k) => k.name).sort()).toEqual(['alice', 'bob'])
      expect(listed.items?.every((k) => k.value === undefined)).toBe(true)
      expect(listed.position).toBeUndefined()
      const first = await client.send(new GetApiKeysCommand({ limit: 1 }))
      expect(first.items).toHaveLength(1)
      expect(typeof first.position).toBe('string')
      const second = await client.send(new GetApiKeysCommand({ limit: 1, position: first.position }))
      expect(second.items?.[0]?.id).not.toBe(first.items?.[0]?.id)
      expect(second.position).toBeUndefined()

      const planKey = await client.send(new CreateUsagePlanKeyCommand({ usagePlanId: 'basic', keyId, keyType: 'API_KEY' }))
      expect(planKey).toMatchObject({ id: keyId, type: 'API_KEY', name: 'bob' })

      const url = `${gw.urls[0] ?? ''}/private`
      for (let i = 0; i < 3; i++) expect((await fetch(url, { headers: { 'x-api-key': created.value ?? '' } })).status).toBe(200)
      const usage = await client.send(new GetUsageCommand({ usagePlanId: 'basic', keyId, startDate: today(), endDate: today() }))
      // §9.3: `values` on the wire is `items` in the SDK; one [used, remaining] per day (quota 4 per DAY)
      expect(usage.items).toEqual({ [keyId]: [[3, 1]] })
      expect(usage.usagePlanId).toBe('basic')

      const updatedUsage = await client.send(new UpdateUsageCommand({ usagePlanId: 'basic', keyId, patchOperations: [{ op: 'replace', path: '/remaining', value: '3' }] }))
      // §8.2: `remaining` is set; what was used today stays counted
      expect(updatedUsage.items?.[keyId]).toEqual([[3, 3]])

      const disabled = await client.send(new UpdateApiKeyCommand({ apiKey: keyId, patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] }))
      expect(disabled.enabled).toBe(false)
      expect(disabled.lastUpdatedDate).toBeInstanceOf(Date)
      // §9.2: a disabled key is refused 403 Forbidden
      expect((await fetch(url, { headers: { 'x-api-key': created.value ?? '' } })).status).toBe(403)
    })
  }

  it('GetStage, CreateDeployment (canary), UpdateStage (percent, promote), FlushStageCache, FlushStageAuthorizersCache, GetExport (§6.1, §6.4, §7, §16.3)', async () => {
    const { gw, dir, endpoint } = await started()
    const client = sigv4Client(endpoint)
    const hello = `${gw.urls[0] ?? ''}/hello`
    const before = await client.send(new GetStageCommand({ restApiId: 'shop', stageName: 'dev' }))
    expect(before.stageName).toBe('dev')
    expect(before.variables).toEqual({ greeting: 'hi', upstream: '127.0.0.1:9' })
    expect(before.createdDate).toBeInstanceOf(Date)
    expect(before.canarySettings).toBeUndefined()

    const file = join(dir, 'openapi.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('hello from', 'canary from'))
    const deployed = await client.send(new CreateDeploymentCommand({ restApiId: 'shop', stageName: 'dev', description: 'v2', canarySettings: { percentTraffic: 0, stageVariableOverrides: { greeting: 'yo' } } }))
    expect(deployed.$metadata.httpStatusCode).toBe(201)
    expect(deployed.description).toBe('v2')
    expect(deployed.createdDate).toBeInstanceOf(Date)
    expect((await (await fetch(hello)).json())).toEqual({ message: 'hello from dev', greeting: 'hi' })

    const moved = await client.send(new UpdateStageCommand({ restApiId: 'shop', stageName: 'dev', patchOperations: [{ op: 'replace', path: '/canarySettings/percentTraffic', value: '100' }] }))
    expect(moved.canarySettings).toEqual({ percentTraffic: 100, deploymentId: deployed.id, stageVariableOverrides: { greeting: 'yo' }, useStageCache: false })
    expect(moved.deploymentId).toBe(before.deploymentId)
    expect((await (await fetch(hello)).json())).toEqual({ message: 'canary from dev', greeting: 'yo' })

    const promoted = await client.send(
      new UpdateStageCommand({
        restApiId: 'shop',
        stageName: 'dev',
        patchOperations: [
          { op: 'replace', path: '/canarySettings/percentTraffic', value: '0.0' },
          { op: 'copy', from: '/canarySettings/deploymentId', path: '/deploymentId' },
          { op: 'copy', from: '/canarySettings/stageVariableOverrides', path: '/variables' }
        ]
      })
    )
    expect(promoted.deploymentId).toBe(deployed.id)
    expect(promoted.variables).toEqual({ greeting: 'yo', upstream: '127.0.0.1:9' })
    expect(promoted.lastUpdatedDate).toBeInstanceOf(Date)
    const stages = await client.send(new GetStagesCommand({ restApiId: 'shop' }))
    expect(stages.item?.map((s) => [s.stageName, s.deploymentId])).toEqual([['dev', deployed.id]])
    const deployments = await client.send(new GetDeploymentsCommand({ restApiId: 'shop' }))
    expect(deployments.items?.map((d) => d.id)).toContain(deployed.id)

    const flushed = await client.send(new FlushStageCacheCommand({ restApiId: 'shop', stageName: 'dev' }))
    expect(flushed.$metadata.httpStatusCode).toBe(202)
    const flushedAuth = await client.send(new FlushStageAuthorizersCacheCommand({ restApiId: 'shop', stageName: 'dev' }))
    expect(flushedAuth.$metadata.httpStatusCode).toBe(202)

    const exported = await client.send(new GetExportCommand({ restApiId: 'shop', stageName: 'dev', exportType: 'oas30', parameters: { extensions: 'apigateway' }, accepts: 'application/json' }))
    expect(exported.contentType).toBe('application/json')
    expect(exported.contentDisposition).toBe('attachment; filename="shop-dev-oas30.json"')
    const doc = JSON.parse(Buffer.from(exported.body ?? new Uint8Array()).toString('utf8')) as { openapi: string; paths: Record<string, unknown> }
    expect(doc.openapi).toMatch(/^3\.0/)
    expect(Object.keys(doc.paths)).toContain('/private')
  })

  it('GetRestApis, GetResources (auth type, key requirement, integration), GetUsagePlans', async () => {
    const { endpoint } = await started()
    const client = bearerClient(endpoint)
    const apis = await client.send(new GetRestApisCommand({}))
    expect(apis.items?.map((a) => [a.id, a.name, a.apiKeySource])).toEqual([['shop', 'e2e', 'HEADER']])
    expect(apis.items?.[0]?.createdDate).toBeInstanceOf(Date)
    const resources = await client.send(new GetResourcesCommand({ restApiId: 'shop', embed: ['methods'] }))
    const priv = resources.items?.find((r) => r.path === '/private')
    expect(priv?.resourceMethods?.GET).toMatchObject({ httpMethod: 'GET', authorizationType: 'NONE', apiKeyRequired: true, methodIntegration: { type: 'MOCK' } })
    const pet = resources.items?.find((r) => r.path === '/pets/{petId}')
    const pets = resources.items?.find((r) => r.path === '/pets')
    expect(pet?.parentId).toBe(pets?.id)
    expect(pet?.pathPart).toBe('{petId}')
    const plans = await client.send(new GetUsagePlansCommand({}))
    expect(plans.items?.map((p) => [p.id, p.quota])).toEqual([['basic', { limit: 4, offset: 0, period: 'DAY' }]])
  })

  it("refusals in AWS's 403 shape: unsigned, wrong signature, unknown key, denied by the identity policy, wrong bearer token", async () => {
    const { endpoint } = await started()
    const unsigned = await fetch(`${endpoint}/apikeys`)
    expect(unsigned.status).toBe(403)
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException')
    expect(await unsigned.json()).toEqual({ message: 'Missing Authentication Token' })

    const wrongSecret = sigv4Client(endpoint, { accessKeyId: ALICE.accessKeyId, secretAccessKey: 'not-the-secret' })
    const bad = await wrongSecret.send(new GetApiKeysCommand({})).catch((err: unknown) => err as { name: string; message: string; $metadata: { httpStatusCode: number } })
    expect(bad).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } })
    expect((bad as { message: string }).message).toMatch(/^The request signature we calculated does not match/)

    const unknown = await sigv4Client(endpoint, { accessKeyId: 'AKIANOBODY0000000001', secretAccessKey: 'x' }).send(new GetApiKeysCommand({})).catch((err: unknown) => err)
    expect(unknown).toMatchObject({ name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.', $metadata: { httpStatusCode: 403 } })

    // reader's policy allows apigateway:GET only
    const reader = sigv4Client(endpoint, READER)
    expect((await reader.send(new GetApiKeysCommand({}))).items?.length).toBe(1)
    const denied = await reader.send(new CreateApiKeyCommand({ name: 'nope' })).catch((err: unknown) => err)
    expect(denied).toMatchObject({
      name: 'AccessDeniedException',
      message: 'User: arn:aws:iam::123456789012:user/reader is not authorized to perform: apigateway:POST on resource: arn:aws:apigateway:us-east-1::/apikeys',
      $metadata: { httpStatusCode: 403 }
    })

    const wrongToken = await bearerClient(endpoint, 'wrong-token-0123456789').send(new GetApiKeysCommand({})).catch((err: unknown) => err)
    expect(wrongToken).toMatchObject({ name: 'ForbiddenException', message: 'Forbidden', $metadata: { httpStatusCode: 403 } })
  })
})
