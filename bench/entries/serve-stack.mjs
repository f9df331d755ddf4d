// mw suite candidate: the stack suite's whole API (API key + usage plan, JWT authorizer with cached verification,
// CORS headers, MOCK JSON) served by `gw serve`, memory store, for A/B runs of #21's full-stack target in the mw
// suite. Outside the stack suite it writes its own fixture (key pair, token, API key).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startStack } from './_stack.mjs'
import { writeFixture } from '../harness/targets/stack/_fixture.mjs'

export const meta = { suite: 'mw', name: 'gw-serve-stack', description: 'gw serve: API key + usage plan, JWT authorizer (cached), CORS headers, MOCK JSON; memory store' }

export async function start (options) {
  if (!process.env.BENCH_STACK_FIXTURE) {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gw-serve-stack-')), 'fixture.json')
    await writeFixture(file)
    process.env.BENCH_STACK_FIXTURE = file
  }
  return startStack(options)
}
