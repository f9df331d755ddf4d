// `pnpm bench`: runs the shared harness with every candidate of ours in one run.
// Candidates: bench-entries/*.mjs exporting `meta` (proxy/mw suites) or `tasks`/`redisTasks` (micro/redis).
// Extra arguments go to the harness (e.g. `pnpm bench --suite micro --micro-rounds 3`).
import { readdirSync, existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const harness = path.resolve(here, '..', '..', 'shared', 'bench', 'run.sh')
if (!existsSync(harness)) {
  console.error(`bench: harness not found at ${harness} (expected ../shared/bench beside the repo)`)
  process.exit(1)
}

const args = []
for (const file of readdirSync(here).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs').sort()) {
  const full = path.join(here, file)
  const mod = await import(full)
  if (mod.meta) args.push('--candidate', full)
  if (typeof mod.tasks === 'function' || typeof mod.redisTasks === 'function') args.push('--micro', full)
}
const extra = process.argv.slice(2)
const suites = extra.includes('--suite') ? [] : ['--suite', 'proxy,mw,micro,redis']
console.error(`bench: ${harness} ${[...suites, ...args, ...extra].join(' ')}`)
const run = spawnSync('bash', [harness, ...suites, ...args, ...extra], { stdio: 'inherit' })
process.exit(run.status ?? 1)
