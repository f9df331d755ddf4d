import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'
import { serve } from '@gw/cli'
import { silentLogger } from '@gw/core'

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))

/** A spawned `gw` with its output collected. */
export interface Spawned {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  /** Resolves with the exit code. */
  exited: Promise<number | null>
  /** Resolves with the first stdout match of `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
}

/** Spawns the BUILT CLI (`pnpm build` first), killed after the test if still running. */
export function spawnGw(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Spawned {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`pnpm --filter @gw/cli build\` first`)
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (err += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now()
        const tick = (): void => {
          const match = pattern.exec(out)
          if (match !== null) return resolve(match)
          if (child.exitCode !== null) return reject(new Error(`gw exited ${String(child.exitCode)}: ${err}`))
          if (Date.now() - started > timeoutMs) return reject(new Error(`timeout waiting for ${String(pattern)}; stdout=${out} stderr=${err}`))
          setTimeout(tick, 20)
        }
        tick()
      })
    }
  }
}

/** A real upstream on port 0, closed after the test. */
export async function startUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  )
  return { server, port: (server.address() as AddressInfo).port }
}

/**
 * Two `serve()` instances of the e2e config on one shared `store` (random `storePrefix`), six requests with alice's
 * key alternating between them (quota 4 per day, §8.2): the statuses in order.
 */
export async function quotaAcrossTwoInstances(store: string): Promise<number[]> {
  const alice = 'alice-key-0123456789abcdef'
  const env = { E2E_ALICE_KEY: alice, E2E_ADMIN_TOKEN: 'admin-token-0123456789' }
  const dir = mkdtempSync(join(tmpdir(), 'gw-store-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  cpSync(`${FIXTURES}e2e`, dir, { recursive: true })
  const file = join(dir, 'gw.config.yaml')
  writeFileSync(file, `${readFileSync(file, 'utf8')}store: ${store}\nstorePrefix: gwtest-${randomBytes(6).toString('hex')}\n`)
  const a = await serve({ config: file, port: 0, env, logger: silentLogger })
  onTestFinished(() => a.close())
  const b = await serve({ config: file, port: 0, env, logger: silentLogger })
  onTestFinished(() => b.close())
  const statuses: number[] = []
  for (let i = 0; i < 6; i++) {
    const gw = i % 2 === 0 ? a : b
    statuses.push((await fetch(`${gw.urls[0] ?? ''}/private`, { headers: { 'x-api-key': alice } })).status)
  }
  return statuses
}
