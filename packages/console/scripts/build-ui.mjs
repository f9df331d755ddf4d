// Bundles the console (Preact + uPlot, ui/main.tsx) into hashed static files in dist/ui, with an index.html that
// loads them: no CDN, no inline script or style (the page runs under a strict Content-Security-Policy).
import { build } from 'esbuild'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'ui')
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

const result = await build({
  entryPoints: [join(root, 'ui', 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: join(root, 'ui', 'tsconfig.json'),
  entryNames: 'app-[hash]',
  assetNames: 'asset-[hash]',
  outdir: out,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning'
})

const files = readdirSync(out)
const script = files.find((f) => f.endsWith('.js'))
const style = files.find((f) => f.endsWith('.css'))
if (script === undefined || style === undefined) throw new Error(`build-ui: expected one .js and one .css in ${out}, got ${files.join(', ')}`)
writeFileSync(
  join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>gw console</title>
<link rel="stylesheet" href="./${style}">
<script type="module" src="./${script}"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the gw console…</p></div>
<noscript><p>The gw console needs JavaScript.</p></noscript>
</body>
</html>
`
)
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0)
console.log(`console: ${script}, ${style} (${String(bytes)} bytes before compression)`)
