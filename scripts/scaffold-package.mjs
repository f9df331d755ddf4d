// Creates packages/<name> with the house layout (package.json, tsup, tsconfig,
// src/index.ts, README stub). Usage: node scripts/scaffold-package.mjs <name> "<description>" [dep ...]
import { mkdirSync, writeFileSync, existsSync } from 'node:fs'

const [name, description, ...deps] = process.argv.slice(2)
if (!name || !description) throw new Error('usage: scaffold-package.mjs <name> "<description>" [dep ...]')
const dir = new URL(`../packages/${name}/`, import.meta.url)
if (existsSync(dir)) throw new Error(`packages/${name} exists`)
mkdirSync(new URL('src/', dir), { recursive: true })
mkdirSync(new URL('test/', dir), { recursive: true })

const dependencies = Object.fromEntries(deps.map((d) => (d.startsWith('@gw/') ? [d, 'workspace:*'] : d.split(/(?<=.)@/))))
const pkg = {
  name: `@gw/${name}`,
  version: '0.1.0',
  description,
  license: 'Apache-2.0',
  type: 'module',
  sideEffects: false,
  engines: { node: '>=20.18.1' },
  files: ['dist'],
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.cts',
  exports: {
    '.': {
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' }
    },
    './package.json': './package.json'
  },
  scripts: {
    build: 'tsup',
    typecheck: 'tsc -p tsconfig.json',
    'lint:pkg': 'publint --strict && attw --pack . --profile node16'
  },
  dependencies
}
writeFileSync(new URL('package.json', dir), JSON.stringify(pkg, null, 2) + '\n')
// tsconfig.json type-checks src + test against sibling sources; tsconfig.build.json is what tsup emits from.
writeFileSync(
  new URL('tsconfig.json', dir),
  JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { rootDir: '../..', noEmit: true, paths: { '@gw/*': ['../*/src/index.ts'] } }, include: ['src', 'test'] }, null, 2) + '\n'
)
writeFileSync(
  new URL('tsconfig.build.json', dir),
  JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { rootDir: 'src', outDir: 'dist', ignoreDeprecations: '6.0' }, include: ['src'] }, null, 2) + '\n'
)
writeFileSync(
  new URL('tsup.config.ts', dir),
  `import { defineConfig } from 'tsup'\n\nexport default defineConfig({\n  entry: ['src/index.ts'],\n  format: ['esm', 'cjs'],\n  dts: true,\n  sourcemap: true,\n  clean: true,\n  target: 'node20',\n  tsconfig: 'tsconfig.build.json'\n})\n`
)
if (!existsSync(new URL('src/index.ts', dir))) writeFileSync(new URL('src/index.ts', dir), `export {}\n`)
writeFileSync(new URL('README.md', dir), `# @gw/${name}\n\n${description}\n`)
