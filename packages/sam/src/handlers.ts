import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** Extensions tried for a Node.js handler module, in Lambda's order of preference for ES modules. */
const EXTENSIONS = ['.mjs', '.js', '.cjs']

/**
 * Resolves a Lambda `Handler` (`app.lambdaHandler`, `src/handlers/get.handler`) in `codeDir` to
 * `module#export`, or explains what was tried.
 */
export function resolveHandler(codeDir: string, handler: string): { ref: string } | { error: string } {
  const dot = handler.lastIndexOf('.')
  if (dot <= 0 || dot === handler.length - 1) return { error: `'${handler}' is not file.export (e.g. app.lambdaHandler)` }
  const base = resolve(codeDir, handler.slice(0, dot))
  const exportName = handler.slice(dot + 1)
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(exportName)) return { error: `'${exportName}' is not an export name` }
  const tried = EXTENSIONS.map((ext) => `${base}${ext}`)
  const found = tried.find((f) => existsSync(f))
  if (found === undefined) {
    const ts = existsSync(`${base}.ts`) ? ` (${base}.ts exists: build it to JavaScript first, e.g. sam build or tsc)` : ''
    return { error: `handler module not found: tried ${tried.join(', ')}${ts}` }
  }
  return { ref: `${found}#${exportName}` }
}

/** `CodeUri` relative to the template's directory (`.` by default). */
export function codeDirectory(templateDir: string, codeUri: string | undefined): string {
  return join(templateDir, codeUri ?? '.')
}

/** Whether a Lambda runtime runs in-process (Node.js). */
export function isNodeRuntime(runtime: string | undefined): boolean {
  return runtime === undefined || runtime.startsWith('nodejs')
}
