import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // import.meta.url in the CommonJS build too: the assets are found next to the module
  shims: true,
  target: 'node20',
  tsconfig: 'tsconfig.build.json'
})
