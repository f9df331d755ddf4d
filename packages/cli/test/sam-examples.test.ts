import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { spawnGw } from './helpers.js'

// The READMEs of examples/sam-app and examples/serverless-app show one command and curl calls with the expected
// status in a `# NNN` comment: each curl line runs (as fetch) against `gw serve` started the way the README says.

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url))

/** The README's `curl … # NNN …` lines as requests. */
function curls(readme: string, vars: Record<string, string>): { line: string; url: string; headers: Record<string, string>; status: number }[] {
  return readme
    .split('\n')
    .filter((l) => l.startsWith('curl '))
    .map((line) => {
      const expanded = line.replace(/\$(\w+)/g, (_m, name: string) => vars[name] ?? '')
      const headers: Record<string, string> = {}
      for (const m of expanded.matchAll(/-H ['"]([^:]+): ([^'"]*)['"]/g)) headers[m[1] as string] = m[2] as string
      return { line, url: /(http:\/\/\S+)/.exec(expanded)?.[1] ?? '', headers, status: Number(/# (\d{3})/.exec(line)?.[1]) }
    })
}

async function runExample(dir: string, args: string[]): Promise<void> {
  const readme = readFileSync(`${EXAMPLES}${dir}/README.md`, 'utf8')
  const gw = spawnGw(['serve', ...args, '--port', '0'], {}, `${EXAMPLES}${dir}`)
  const match = await gw.waitFor(/gw listening on port (\d+)\n(?: {2}\S+ \S+: \S+\n){2}/, 90_000)
  const port = match[1] as string
  const key = /^gw: API key \S+ \(usage plans: [^)]*\): (\S+)$/m.exec(gw.stderr())?.[1] ?? ''
  const lines = curls(readme, { KEY: key })
  expect(lines.length).toBeGreaterThanOrEqual(6)
  for (const c of lines) {
    const res = await fetch(c.url.replace(':3000', `:${port}`), { headers: c.headers })
    expect([c.line, res.status]).toEqual([c.line, c.status])
    const comment = /# \d{3} (\{.*?\})/.exec(c.line)?.[1]
    // a documented body is checked too ("…" marks an elided tail)
    if (comment !== undefined && !comment.includes('…')) expect(await res.json()).toEqual(JSON.parse(comment))
    else if (comment !== undefined) expect(await res.text()).toContain(comment.slice(0, comment.indexOf('…')))
  }
  gw.child.kill('SIGTERM')
  expect(await gw.exited).toBe(0)
}

describe('the example READMEs work as written (built CLI)', () => {
  it('examples/sam-app: gw serve --sam template.yaml', { timeout: 180_000 }, async () => {
    await runExample('sam-app', ['--sam', 'template.yaml'])
  })

  it('examples/serverless-app: gw serve --serverless serverless.yml', { timeout: 180_000 }, async () => {
    await runExample('serverless-app', ['--serverless', 'serverless.yml'])
  })
})
