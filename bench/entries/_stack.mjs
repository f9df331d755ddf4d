// Shared by the stack-gw*.mjs candidates: `gw serve` (the CLI's serve(), built) from fixtures/stack.config.yaml,
// on memory or with the store swapped for the harness's redis-server (a copy of the config in a temp dir).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { serve, serveWorkers, silentLogger } from './_serve.mjs'
import { fixture, requestHeaders, redisUrl } from '../harness/targets/stack/_fixture.mjs'

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))

export async function startStack ({ port, host = '127.0.0.1' }, { redis = false, workers = 0 } = {}) {
  const f = fixture()
  let config = path.join(fixtures, 'stack.config.yaml')
  let dir = null
  if (redis) {
    dir = mkdtempSync(path.join(tmpdir(), 'gw-stack-'))
    const text = readFileSync(config, 'utf8')
      .replace('store: memory', `store: ${redisUrl()}`)
      .replace('./stack.openapi.yaml', path.join(fixtures, 'stack.openapi.yaml'))
      .replace('./stack-authorizer.mjs', path.join(fixtures, 'stack-authorizer.mjs'))
    config = path.join(dir, 'gw.config.yaml')
    writeFileSync(config, text)
  }
  const options = { config, port, host, env: { ...process.env, GW_BENCH_API_KEY: f.apiKey }, logger: silentLogger }
  // serveWorkers: node:cluster runs this process's entry (the harness's lib/serve.mjs) again in each worker
  const gw = workers ? await serveWorkers({ ...options, workers }) : await serve(options)
  return {
    path: '/api/hello',
    headers: requestHeaders(f),
    close: async () => { await gw.close(); if (dir) rmSync(dir, { recursive: true, force: true }) }
  }
}
