import { readdirSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Tests import `@gw/<name>` and run against each package's TypeScript source,
// so `vitest` needs no build. (End-to-end tests that spawn a CLI use dist.)
const root = fileURLToPath(new URL('.', import.meta.url))
const packages = readdirSync(new URL('./packages', import.meta.url)).filter((name) =>
  existsSync(new URL(`./packages/${name}/src/index.ts`, import.meta.url))
)
const alias = Object.fromEntries(packages.map((name) => [`@gw/${name}`, `${root}packages/${name}/src/index.ts`]))

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      ...['packages/*', 'examples/*'].map((dir) => ({
        extends: true as const,
        test: { name: { label: dir }, include: [`${dir}/test/**/*.test.ts`] }
      })),
      // repository-wide checks (self-containment) and the bench harness's own tests
      { extends: true as const, test: { name: { label: 'repo' }, include: ['test/**/*.test.ts', 'bench/test/**/*.test.ts'] } }
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default']
  }
})
