// The repository stands on its own (#21): nothing in it links to, runs or names a path outside it. A fresh clone on
// someone else's machine has no sibling directories and none of the build machine's absolute paths.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Files a clone would hold: tracked plus new, not ignored (so a file about to be committed is checked too). */
function repoFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' })
  return out.split('\0').filter((f) => f !== '' && existsSync(path.join(root, f)) && statSync(path.join(root, f)).isFile())
}

// Spelled in pieces so this file does not match itself.
const FORBIDDEN: Array<[string, RegExp]> = [
  ['a sibling directory of the repository', new RegExp('\\.\\./' + 'shared\\b')],
  ['the build machine\'s work tree', new RegExp('(^|[^\\w.])/' + 'work/')],
  ['the old bench scratch directory', new RegExp('/tmp/' + 'gw-bench')],
  ['a home directory', new RegExp('(^|[\\s`\'"(])/(root|home/[a-z][\\w-]*)/')]
]
const BINARY = /\.(png|jpe?g|gif|ico|woff2?|gz|tgz|zip|wasm|pdf)$/i

describe('repository is self-contained', () => {
  const files = repoFiles().filter((f) => !BINARY.test(f) && f !== 'pnpm-lock.yaml')

  it('lists the files of the clone', () => {
    expect(files).toContain('README.md')
    expect(files).toContain('bench/run.mjs')
  })

  it('names no path outside the repository (a sibling shared directory, the build machine\'s work tree or bench scratch directory, home directories)', () => {
    const hits: string[] = []
    for (const file of files) {
      const text = readFileSync(path.join(root, file), 'utf8')
      text.split('\n').forEach((line, i) => {
        for (const [what, re] of FORBIDDEN) if (re.test(line)) hits.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`)
      })
    }
    expect(hits).toEqual([])
  })

  it('every relative markdown link resolves to a file or directory inside the repository', () => {
    const bad: string[] = []
    for (const file of files.filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(path.join(root, file), 'utf8')
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!
        if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue // anchor, https:, mailto:
        const resolved = path.resolve(path.dirname(path.join(root, file)), decodeURI(target))
        if (!resolved.startsWith(root + path.sep) && resolved !== root) bad.push(`${file}: ${target} (outside the repository)`)
        else if (!existsSync(resolved)) bad.push(`${file}: ${target} (missing)`)
      }
    }
    expect(bad).toEqual([])
  })
})
