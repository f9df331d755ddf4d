// Test support: bundles fixtures/gateway-process.ts once and forks N copies.
import { fork, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const packages = resolve(here, '../../..')

interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>
}

let bundled: Promise<string> | undefined

/** Bundles the gateway process fixture (TypeScript sources of every @gw package) into one CJS file. */
function bundle(): Promise<string> {
  return (bundled ??= (async () => {
    // esbuild ships with tsup (a dev dependency of the repo); no new dependency needed.
    const tsupRequire = createRequire(createRequire(join(packages, '..', 'package.json')).resolve('tsup'))
    const esbuild = tsupRequire('esbuild') as Esbuild
    const dir = join(tmpdir(), `gw-fixture-${process.pid}`)
    mkdirSync(dir, { recursive: true })
    const outfile = join(dir, 'gateway-process.cjs')
    const alias = Object.fromEntries(['core', 'throttler', 'usage-plans', 'store-redis'].map((name) => [`@gw/${name}`, join(packages, name, 'src/index.ts')]))
    await esbuild.build({ entryPoints: [join(here, '../fixtures/gateway-process.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, alias, logLevel: 'error', nodePaths: [join(packages, 'store-redis/node_modules'), join(packages, 'core/node_modules')] })
    return outfile
  })())
}

export interface GatewayProcess {
  readonly url: string
  readonly child: ChildProcess
}

/** Forks `count` gateway processes with `env` and waits until each listens. */
export async function startGateways(count: number, env: Record<string, string>): Promise<GatewayProcess[]> {
  const file = await bundle()
  return Promise.all(
    Array.from({ length: count }, () => {
      const child = fork(file, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      return new Promise<GatewayProcess>((resolveStart, rejectStart) => {
        const timer = setTimeout(() => rejectStart(new Error('gateway process did not start in 10 s')), 10_000)
        child.once('message', (msg) => {
          clearTimeout(timer)
          resolveStart({ url: (msg as { url: string }).url, child })
        })
        child.once('exit', (code) => rejectStart(new Error(`gateway process exited with ${String(code)}`)))
      })
    })
  )
}

export async function stopGateways(gateways: readonly GatewayProcess[]): Promise<void> {
  await Promise.all(
    gateways.map(
      (g) =>
        new Promise<void>((done) => {
          if (g.child.exitCode !== null) return done()
          g.child.once('exit', () => done())
          g.child.kill('SIGTERM')
        })
    )
  )
}
