/*
 * The compiled router against a plain reference: random route tables and
 * random request paths (shared prefixes, empty segments, trailing slashes,
 * dot segments, encoded slashes), both flavours. The reference follows the
 * rules table of the README (§1.1-§1.3) literally, one segment list and one
 * recursion, with nothing compiled.
 */
import { describe, expect, it } from 'vitest'
import type { ApiFlavour } from '@gw/core'
import { canonicalPath, createRouter, templateSegments, ROUTE_METHODS, type TemplateSegment } from '@gw/router'

interface Route {
  readonly method: string
  readonly template: string
  readonly segments: readonly TemplateSegment[]
}

interface Expected {
  readonly routeKey: string
  readonly params: Record<string, string> | null
}

const ANY_COVERS = new Set<string>(ROUTE_METHODS)

/** Explicit method first, then ANY for the seven methods (§1.2). */
function pick(routes: readonly Route[], method: string): Route | undefined {
  return routes.find((r) => r.method === method) ?? (ANY_COVERS.has(method) ? routes.find((r) => r.method === 'ANY') : undefined)
}

function expected(route: Route, values: readonly string[]): Expected {
  const names = route.segments.filter((s) => s.kind !== 'literal').map((s) => (s as { name: string }).name)
  const params = names.length === 0 ? null : Object.fromEntries(names.map((n, i) => [n, values[i] as string]))
  return { routeKey: `${route.method} ${route.template}`, params }
}

/** §1.2 (REST) / §1.3 (HTTP) by the book: per level literal, then {param}, then {greedy+}, with backtracking. */
function reference(flavour: ApiFlavour, routes: readonly Route[], method: string, rawPath: string, hasDefault: boolean): Expected | undefined {
  const http = flavour === 'HTTP'
  const p = canonicalPath(rawPath, flavour)
  // segments with their start offsets; REST drops empty ones and trailing slashes, HTTP keeps them
  let end = p.length
  if (!http) while (end > 1 && p.charCodeAt(end - 1) === 47) end--
  const segs: { text: string; start: number }[] = []
  if (p !== '/') {
    let start = 1
    for (const text of p.slice(1, end).split('/')) {
      if (http || text !== '') segs.push({ text, start })
      start += text.length + 1
    }
  }
  const walk = (level: number, candidates: readonly Route[], values: readonly string[], greedyOk: boolean): Expected | undefined => {
    if (level === segs.length) {
      const hit = pick(
        candidates.filter((r) => r.segments.length === level),
        method
      )
      return hit === undefined ? undefined : expected(hit, values)
    }
    const { text, start } = segs[level] as { text: string; start: number }
    const literal = candidates.filter((r) => r.segments[level]?.kind === 'literal' && (r.segments[level] as { value: string }).value === text)
    const viaLiteral = literal.length === 0 ? undefined : walk(level + 1, literal, values, greedyOk)
    if (viaLiteral !== undefined) return viaLiteral
    const param = candidates.filter((r) => r.segments[level]?.kind === 'param')
    const viaParam = param.length === 0 || text === '' ? undefined : walk(level + 1, param, [...values, text], greedyOk)
    if (viaParam !== undefined) return viaParam
    if (!greedyOk) return undefined
    const hit = pick(
      candidates.filter((r) => r.segments[level]?.kind === 'greedy'),
      method
    )
    return hit === undefined ? undefined : expected(hit, [...values, p.slice(start, end)])
  }
  if (!http) return walk(0, routes, [], true)
  return walk(0, routes, [], false) ?? walk(0, routes, [], true) ?? (hasDefault ? { routeKey: '$default', params: null } : undefined)
}

/** Park–Miller: the same tables and paths on every run. */
function random(seed: number): () => number {
  let s = seed
  return () => (s = (s * 48271) % 2147483647) / 2147483647
}

const LABELS = ['a', 'b', 'ab', 'abc', 'b1', 'b10', '.w', 'Case']
const REQUEST_SEGMENTS = [...LABELS, 'x', 'case', '', '.', '..', '%2e', 'a%2Fb', 'v1']
const REQUEST_METHODS = ['GET', 'POST', 'HEAD', 'DELETE', 'TRACE']

function table(next: () => number, flavour: ApiFlavour): Route[] {
  const routes: Route[] = []
  const count = 1 + Math.floor(next() * 40)
  for (let i = 0; i < count; i++) {
    const depth = Math.floor(next() * 5)
    const parts: string[] = []
    for (let d = 0; d < depth; d++) {
      const roll = next()
      if (roll < 0.1 && d === depth - 1) parts.push(`{g${d}+}`)
      else if (roll < 0.4) parts.push(`{p${d}}`)
      else parts.push(LABELS[Math.floor(next() * LABELS.length)] as string)
    }
    const template = `/${parts.join('/')}`
    const method = ['GET', 'POST', 'ANY'][Math.floor(next() * 3)] as string
    if (routes.some((r) => r.method === method && r.template === template)) continue
    const segments = templateSegments(template, flavour)
    if (typeof segments === 'string') throw new Error(segments)
    routes.push({ method, template, segments })
  }
  return routes
}

function requestPath(next: () => number): string {
  const depth = Math.floor(next() * 6)
  const parts: string[] = []
  for (let d = 0; d < depth; d++) parts.push(REQUEST_SEGMENTS[Math.floor(next() * REQUEST_SEGMENTS.length)] as string)
  return `/${parts.join('/')}${next() < 0.2 ? '/' : ''}`
}

describe.each(['REST', 'HTTP'] as const)('compiled %s router = reference rules (§1.1-§1.3)', (flavour) => {
  it('agrees on 300 random tables x 60 random requests', () => {
    const next = random(flavour === 'REST' ? 7 : 11)
    let compared = 0
    let matched = 0
    for (let t = 0; t < 300; t++) {
      const routes = table(next, flavour)
      const hasDefault = flavour === 'HTTP' && next() < 0.5
      const router = createRouter<string>({ flavour })
      for (const r of routes) router.add(r.method, r.template, `${r.method} ${r.template}`)
      if (hasDefault) router.add('ANY', '$default', '$default')
      for (let q = 0; q < 60; q++) {
        const method = REQUEST_METHODS[Math.floor(next() * REQUEST_METHODS.length)] as string
        const path = requestPath(next)
        const want = reference(flavour, routes, method, path, hasDefault)
        const got = router.match(method, path)
        const seen = got === undefined ? undefined : { routeKey: got.routeKey, params: got.params === null ? null : { ...got.params } }
        expect(seen, `${method} ${path} on ${routes.map((r) => `${r.method} ${r.template}`).join(', ')}`).toEqual(want)
        compared++
        if (want !== undefined) matched++
      }
    }
    // the generator must exercise both outcomes, or the comparison proves little
    expect(compared).toBe(18_000)
    expect(matched).toBeGreaterThan(3_000)
    expect(compared - matched).toBeGreaterThan(3_000)
  })
})
