import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { serve, type GatewayServer } from '@gw/cli'
import { silentLogger } from '@gw/core'
import { definitionRoutes } from '@gw/gateway'
import { importOpenApiText } from '@gw/openapi'
import { FIXTURES, spawnGw, startUpstream } from './helpers.js'

const ALICE = 'alice-key-0123456789abcdef'
const ADMIN = 'admin-token-0123456789'
const ENV = { E2E_ALICE_KEY: ALICE, E2E_ADMIN_TOKEN: ADMIN }

function copyFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-e2e-'))
  cpSync(`${FIXTURES}e2e`, dir, { recursive: true })
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function started(dir: string, watch = false): Promise<GatewayServer> {
  const gw = await serve({ config: join(dir, 'gw.config.yaml'), port: 0, env: ENV, logger: silentLogger, watch })
  onTestFinished(() => gw.close())
  return gw
}

const admin = (gw: GatewayServer, path: string, init: { method?: string; body?: unknown; token?: string; accept?: string } = {}): Promise<Response> =>
  fetch(`http://127.0.0.1:${String(gw.port)}/_gw${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.token ?? ADMIN}`, 'content-type': 'application/json', accept: init.accept ?? 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) })
  })

describe('--watch (built CLI): edits are served within 2 s while quota counts are kept (§8.2)', () => {
  it('edited mock body served within 2 s; the quota of 4 is not reset by the reload', async () => {
    const dir = copyFixture()
    const gw = spawnGw(['serve', join(dir, 'gw.config.yaml'), '--watch'], ENV)
    const url = (await gw.waitFor(/shop dev: (http:\/\/\S+)/))[1] ?? ''
    const call = (): Promise<Response> => fetch(`${url}/private`, { headers: { 'x-api-key': ALICE } })
    expect(await (await call()).json()).toEqual({ secret: 'v1' })
    expect((await call()).status).toBe(200) // 2 of 4 used

    const file = join(dir, 'openapi.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('{"secret":"v1"}', '{"secret":"v2"}'))
    const editedAt = Date.now()
    let body: unknown
    let used = 2
    while (Date.now() - editedAt < 2000) {
      const res = await fetch(`${url}/hello`) // no key: does not count against the quota
      expect(res.status).toBe(200)
      if (gw.stderr().includes('reloaded')) {
        const keyed = await call()
        used++
        body = await keyed.json()
        break
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(body).toEqual({ secret: 'v2' })
    expect(Date.now() - editedAt).toBeLessThan(2000)
    expect((await call()).status).toBe(200) // 4 of 4
    used++
    const over = await call()
    expect(used).toBe(4)
    expect(over.status).toBe(429)
    expect(await over.json()).toEqual({ message: 'Limit Exceeded' })
    gw.child.kill('SIGTERM')
    expect(await gw.exited).toBe(0)
  })

  it('a broken edit is refused and the previous config keeps serving', async () => {
    const dir = copyFixture()
    let reloads = 0
    let lastError: Error | undefined
    const gw = await serve({ config: join(dir, 'gw.config.yaml'), port: 0, env: ENV, logger: silentLogger, watch: true, onReload: (e) => { reloads++; lastError = e } })
    onTestFinished(() => gw.close())
    writeFileSync(join(dir, 'openapi.yaml'), 'openapi: 3.0.1\ninfo: { title: x }\npaths:\n  /a/{b}c: {}\n')
    const started = Date.now()
    while (reloads === 0 && Date.now() - started < 3000) await new Promise((r) => setTimeout(r, 50))
    expect(lastError?.message).toMatch(/openapi\.yaml:4: #\/paths\/~1a~1\{b\}c/)
    const res = await fetch(`${gw.urls[0] ?? ''}/hello`)
    expect(res.status).toBe(200)
  })
})

describe('management API (off by default, admin token required)', () => {
  it('refuses calls without the admin token (403 ForbiddenException)', async () => {
    const gw = await started(copyFixture())
    const res = await admin(gw, '/apikeys', { token: 'wrong-token-0123456789' })
    expect(res.status).toBe(403)
    expect(res.headers.get('x-amzn-errortype')).toBe('ForbiddenException')
  })

  it('is not mounted when management.enabled is false', async () => {
    const dir = copyFixture()
    const file = join(dir, 'gw.config.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('enabled: true', 'enabled: false'))
    const gw = await started(dir)
    const res = await admin(gw, '/apikeys')
    // Served as an ordinary request: `_gw` is no stage of the API (§1.1), not the management API.
    expect(res.status).toBe(403)
    expect(await res.json()).not.toHaveProperty('items')
  })

  it('CreateApiKey (§9.1) then GetUsage (§9.3) with [used, remaining] per day', async () => {
    const gw = await started(copyFixture())
    const created = await admin(gw, '/apikeys', { method: 'POST', body: { name: 'bob', usagePlanIds: ['basic'] } })
    expect(created.status).toBe(201)
    const key = (await created.json()) as { id: string; value: string; enabled: boolean }
    expect(key.value).toMatch(/^[A-Za-z0-9]{40}$/)
    expect(key.enabled).toBe(true)
    for (let i = 0; i < 3; i++) expect((await fetch(`${gw.urls[0] ?? ''}/private`, { headers: { 'x-api-key': key.value } })).status).toBe(200)
    const today = new Date().toISOString().slice(0, 10)
    const usage = await admin(gw, `/usageplans/basic/usage?startDate=${today}&endDate=${today}&keyId=${key.id}`)
    expect(await usage.json()).toEqual({ usagePlanId: 'basic', startDate: today, endDate: today, values: { [key.id]: [[3, 1]] } })
    const dup = await admin(gw, '/apikeys', { method: 'POST', body: { name: 'again', value: key.value } })
    expect(dup.status).toBe(409)
  })

  it('keys disable (UpdateApiKey replace /enabled) makes the key INVALID_API_KEY (§9.2)', async () => {
    const gw = await started(copyFixture())
    const url = `${gw.urls[0] ?? ''}/private`
    expect((await fetch(url, { headers: { 'x-api-key': ALICE } })).status).toBe(200)
    const patched = await admin(gw, '/apikeys/alice', { method: 'PATCH', body: { patchOperations: [{ op: 'replace', path: '/enabled', value: 'false' }] } })
    expect(((await patched.json()) as { enabled: boolean }).enabled).toBe(false)
    const res = await fetch(url, { headers: { 'x-api-key': ALICE } })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ message: 'Forbidden' })
  })

  it('CreateDeployment with canarySettings, UpdateStage promote (§6.4), FlushStageCache, GetExport (§16.3)', async () => {
    const dir = copyFixture()
    const gw = await started(dir)
    const url = `${gw.urls[0] ?? ''}/hello`
    const noStage = await admin(gw, '/restapis/shop/deployments', { method: 'POST', body: { canarySettings: { percentTraffic: 100 } } })
    expect(noStage.status).toBe(400)
    expect(await noStage.json()).toEqual({ message: 'Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is null' })

    const file = join(dir, 'openapi.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('hello from', 'canary from'))
    const deployed = await admin(gw, '/restapis/shop/deployments', { method: 'POST', body: { stageName: 'dev', description: 'v2', canarySettings: { percentTraffic: 100, stageVariableOverrides: { greeting: 'yo' } } } })
    expect(deployed.status).toBe(201)
    const { id } = (await deployed.json()) as { id: string }
    expect(await (await fetch(url)).json()).toEqual({ message: 'canary from dev', greeting: 'yo' })

    const badCopy = await admin(gw, '/restapis/shop/stages/dev', { method: 'PATCH', body: { patchOperations: [{ op: 'copy', from: '/deploymentId', path: '/canarySettings/deploymentId' }] } })
    expect(badCopy.status).toBe(400)
    expect(((await badCopy.json()) as { message: string }).message).toMatch(/^Invalid copy operation with path: /)

    const promoted = await admin(gw, '/restapis/shop/stages/dev', {
      method: 'PATCH',
      body: {
        patchOperations: [
          { op: 'replace', path: '/canarySettings/percentTraffic', value: '0.0' },
          { op: 'copy', from: '/canarySettings/deploymentId', path: '/deploymentId' },
          { op: 'copy', from: '/canarySettings/stageVariableOverrides', path: '/variables' }
        ]
      }
    })
    const stage = (await promoted.json()) as { deploymentId: string; variables: Record<string, string>; canarySettings: { percentTraffic: number } }
    expect(stage.deploymentId).toBe(id)
    // The copy merges overrides into variables; other variables are kept (§6.4).
    expect(stage.variables).toMatchObject({ greeting: 'yo', upstream: '127.0.0.1:9' })
    expect(stage.canarySettings.percentTraffic).toBe(0)
    expect(await (await fetch(url)).json()).toEqual({ message: 'canary from dev', greeting: 'yo' })

    expect((await admin(gw, '/restapis/shop/stages/dev/cache/data', { method: 'DELETE' })).status).toBe(202)

    const exported = await admin(gw, '/restapis/shop/stages/dev/exports/oas30?extensions=apigateway', { accept: 'application/yaml' })
    expect(exported.headers.get('content-type')).toBe('application/yaml')
    const reimported = importOpenApiText(await exported.text(), 'export.yaml')
    expect(reimported.definition.basePath).toBe('/dev')
    expect(definitionRoutes(reimported.definition).map((r) => r.routeKey)).toEqual(['GET /hello', 'GET /pets/{petId}', 'GET /slow', 'POST /orders', 'GET /private'])
  })

  it('gw keys create / list and gw usage talk to the management API', async () => {
    const gw = await started(copyFixture())
    const base = ['--url', `http://127.0.0.1:${String(gw.port)}/_gw`, '--token', ADMIN]
    const create = spawnGw(['keys', 'create', '--name', 'carol', '--plan', 'basic', ...base])
    expect(await create.exited).toBe(0)
    const key = JSON.parse(create.stdout()) as { id: string; name: string }
    expect(key.name).toBe('carol')
    const list = spawnGw(['keys', 'list', ...base])
    expect(await list.exited).toBe(0)
    expect((JSON.parse(list.stdout()) as { items: { name: string }[] }).items.map((k) => k.name).sort()).toEqual(['alice', 'carol'])
    const usage = spawnGw(['usage', 'basic', '--key', key.id, ...base])
    expect(await usage.exited).toBe(0)
    expect(JSON.parse(usage.stdout())).toMatchObject({ usagePlanId: 'basic', values: { [key.id]: [[0, 4]] } })
  })
})

describe('proxied route through a config (stage variable → upstream)', () => {
  it('serves the proxy route with the upstream named by a stage variable (§6.3)', async () => {
    const upstream = await startUpstream((req, res) => res.end(`pet ${req.url ?? ''}`))
    const dir = copyFixture()
    const file = join(dir, 'gw.config.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace('127.0.0.1:9', `127.0.0.1:${String(upstream.port)}`))
    const gw = await started(dir)
    const res = await fetch(`${gw.urls[0] ?? ''}/pets/7`)
    expect(await res.text()).toBe('pet /pets/7')
  })
})
