// `pnpm bench`: runs the load harness (bench/harness) with every candidate of ours (bench/entries) in one run.
// Candidates: bench/entries/*.mjs exporting `meta` (proxy/mw/stack suites) or `tasks`/`redisTasks` (micro/redis).
// Extra arguments go to the harness (e.g. `pnpm bench --suite micro --micro-rounds 3`; `--help` lists them).
// `pnpm bench --compare A.json B.json` prints the ratio changes between two result files instead of running.
// BENCH_APT=1 (root + apt-get only) first installs wrk and redis-server when they are missing.
import { readdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..')
const harness = path.join(here, 'harness')
const extra = process.argv.slice(2)
const has = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error === undefined

if (extra[0] === '--compare') {
  const run = spawnSync(process.execPath, [path.join(harness, 'compare.mjs'), ...extra.slice(1)], { stdio: 'inherit' })
  process.exit(run.status ?? 1)
}

if (process.env.BENCH_APT === '1' && has('apt-get') && process.getuid?.() === 0) {
  const missing = [['wrk', 'wrk'], ['redis-server', 'redis-server']].filter(([cmd]) => !has(cmd)).map(([, pkg]) => pkg)
  if (missing.length) {
    console.error(`bench: apt-get install ${missing.join(' ')}`)
    spawnSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`], { stdio: 'inherit' })
  }
}
if (!has('wrk')) console.error('bench: wrk not found, using autocannon (heavier on the load core; BENCH_APT=1 or apt-get install wrk)')
if (spawnSync('taskset', ['-c', '0', 'true']).status !== 0) console.error('bench: taskset not found, processes will not be pinned (noisier numbers)')

const entries = path.join(here, 'entries')
const args = []
for (const file of readdirSync(entries).filter((f) => f.endsWith('.mjs') && !f.startsWith('_')).sort()) {
  const rel = path.relative(root, path.join(entries, file))
  const mod = await import(pathToFileURL(path.join(entries, file)).href)
  if (mod.meta) args.push('--candidate', rel)
  if (typeof mod.tasks === 'function' || typeof mod.redisTasks === 'function') args.push('--micro', rel)
}
const suites = extra.includes('--suite') ? [] : ['--suite', 'proxy,mw,micro,redis,stack']
const argv = [...suites, ...args, ...extra]
console.error(`bench: node bench/harness/run.mjs ${argv.join(' ')}`)
const run = spawnSync(process.execPath, [path.join(harness, 'run.mjs'), ...argv], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, BENCH_COMMAND: `pnpm bench ${extra.join(' ')}`.trim() }
})
process.exit(run.status ?? 1)
