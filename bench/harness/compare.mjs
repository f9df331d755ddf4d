#!/usr/bin/env node
// `pnpm bench --compare A.json B.json`: the ratio changes between two result files of bench/results.
// Ratios (x baseline / x group ref, paired within each run) are the only numbers comparable across runs
// on a noisy machine, so that is what this prints: per suite, per row, A's ratio, B's ratio and the change.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { fmtNum, mdTable } from './lib/stats.mjs'

const [a, b] = process.argv.slice(2)
if (!a || !b) {
  console.error('usage: pnpm bench --compare A.json B.json   (result files written to bench/results/)')
  process.exit(2)
}
const load = (file) => JSON.parse(readFileSync(file, 'utf8'))
const A = load(a)
const B = load(b)

/** Rows of one suite as Map(label → { ratio, rps }), whatever the suite's shape (HTTP rows or micro/redis results). */
function rowsOf (suite) {
  const out = new Map()
  if (Array.isArray(suite)) {
    for (const r of suite) out.set(r.name, { ratio: r.ratio, rps: r.rps })
  } else if (suite && Array.isArray(suite.results)) {
    for (const r of suite.results) out.set(`${r.group} / ${r.name}`, { ratio: r.ratio, rps: r.median })
  }
  return out
}

const change = (x, y) => (Number.isFinite(x) && Number.isFinite(y) && x !== 0 ? `${y >= x ? '+' : ''}${fmtNum((100 * (y - x)) / x, 1)}%` : '')
console.log(`# compare\n\nA: ${basename(a)} (${A.date}, ${A.tool ?? '?'})\nB: ${basename(b)} (${B.date}, ${B.tool ?? '?'})`)
for (const suite of new Set([...Object.keys(A.suites ?? {}), ...Object.keys(B.suites ?? {})])) {
  const ra = rowsOf(A.suites?.[suite])
  const rb = rowsOf(B.suites?.[suite])
  const rows = [...new Set([...ra.keys(), ...rb.keys()])].map((name) => {
    const x = ra.get(name)?.ratio
    const y = rb.get(name)?.ratio
    return [name, x === undefined ? '-' : fmtNum(x), y === undefined ? '-' : fmtNum(y), change(x, y)]
  })
  console.log(`\n## ${suite}\n\n${mdTable(['row', 'ratio A', 'ratio B', 'change'], rows)}`)
}
