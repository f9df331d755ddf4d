import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { runCli } from '@gw/cli'
import { apiDefinitionSchema } from '@gw/gateway'
import { importOpenApiFile, importOpenApiText } from '@gw/openapi'
import { FIXTURES } from './helpers.js'

function io(): { out: string[]; err: string[]; io: Parameters<typeof runCli>[1] } {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (t) => out.push(t), err: (t) => err.push(t), env: {}, onSignal: () => undefined } }
}

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-import-export-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

// One model: `gw import` prints the createGateway() definition, and `gw export` takes it (or an OpenAPI file) back (§16).
describe('gw import / gw export', () => {
  const openapi = join(FIXTURES, 'e2e', 'openapi.yaml')

  it('gw import prints the definition createGateway() takes; gw export of it gives the same definition back (§16.1, §16.3)', async () => {
    const dir = tmp()
    const imported = io()
    expect(await runCli(['import', openapi, '--out', join(dir, 'def.json')], imported.io)).toBe(0)
    const definition = JSON.parse(readFileSync(join(dir, 'def.json'), 'utf8')) as unknown
    expect(definition).toEqual(importOpenApiFile(openapi).definition)
    expect(apiDefinitionSchema.safeParse(definition).error?.issues ?? []).toEqual([])

    for (const type of ['oas30', 'swagger'] as const) {
      const exported = io()
      expect(await runCli(['export', join(dir, 'def.json'), '--type', type, '--format', 'json'], exported.io)).toBe(0)
      const doc = JSON.parse(exported.out.join('')) as Record<string, unknown>
      expect(type === 'swagger' ? doc.swagger : doc.openapi).toBe(type === 'swagger' ? '2.0' : '3.0.1')
      expect(apiDefinitionSchema.parse(importOpenApiText(exported.out.join(''), `out.json`).definition)).toEqual(apiDefinitionSchema.parse(definition))
    }
    const fromOpenApi = io()
    expect(await runCli(['export', openapi], fromOpenApi.io)).toBe(0)
    expect(importOpenApiText(fromOpenApi.out.join(''), 'out.yaml').definition).toEqual(definition)
  })

  it('a definition file that is not a valid definition exits 2 naming the field; a bad --type exits 2', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ protocol: 'REST', name: 'x', resources: { 'no-slash': {} } }))
    const bad = io()
    expect(await runCli(['export', join(dir, 'bad.json')], bad.io)).toBe(2)
    expect(bad.err.join('')).toMatch(/resources\.no-slash/)
    const usage = io()
    expect(await runCli(['export', openapi, '--type', 'raml'], usage.io)).toBe(2)
    expect(usage.err.join('')).toMatch(/--type must be oas30 or swagger/)
  })
})
