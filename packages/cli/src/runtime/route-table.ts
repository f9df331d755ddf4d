import type { RouteDefinition } from '@gw/openapi'

/** A route compiled once: its segments and a specificity rank (literal > {param} > {greedy+}, §1.2). */
export interface CompiledRoute {
  readonly route: RouteDefinition
  readonly segments: readonly { literal?: string; param?: string; greedy?: boolean }[]
  readonly rank: number[]
}

/** A route match: the route and its decoded path parameters. */
export interface RouteMatch {
  readonly route: RouteDefinition
  readonly pathParameters: Record<string, string> | null
}

/** Compiles every route at load time; lookups then walk the pre-sorted list. */
export function compileRoutes(routes: readonly RouteDefinition[]): CompiledRoute[] {
  const compiled = routes
    .filter((route) => route.path !== '/$default')
    .map((route) => {
      const segments = route.path
        .split('/')
        .filter(Boolean)
        .map((part) => {
          const m = /^\{([^}+]+)(\+?)\}$/.exec(part)
          if (m === null) return { literal: part }
          return m[2] === '+' ? { param: m[1] ?? '', greedy: true } : { param: m[1] ?? '' }
        })
      const rank = segments.map((s) => (s.literal !== undefined ? 0 : s.greedy === true ? 2 : 1))
      return { route, segments, rank }
    })
  return compiled.sort((a, b) => {
    for (let i = 0; i < Math.max(a.rank.length, b.rank.length); i++) {
      const x = a.rank[i] ?? -1
      const y = b.rank[i] ?? -1
      if (x !== y) return x - y
    }
    return (a.route.method === 'ANY' ? 1 : 0) - (b.route.method === 'ANY' ? 1 : 0)
  })
}

/** Finds the most specific route for a method and a stage-relative path; `undefined` when none matches. */
export function matchRoute(table: readonly CompiledRoute[], method: string, path: string, fallback: RouteDefinition | undefined): RouteMatch | undefined {
  const parts = path.split('/').filter(Boolean)
  for (const entry of table) {
    if (entry.route.method !== method && entry.route.method !== 'ANY') continue
    const params = matchSegments(entry, parts)
    if (params !== undefined) return { route: entry.route, pathParameters: Object.keys(params).length === 0 ? null : params }
  }
  return fallback === undefined ? undefined : { route: fallback, pathParameters: null }
}

function matchSegments(entry: CompiledRoute, parts: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {}
  const { segments } = entry
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]
    if (segment === undefined) return undefined
    if (segment.greedy === true) {
      if (i >= parts.length) return undefined
      params[segment.param ?? 'proxy'] = parts.slice(i).map(safeDecode).join('/')
      return params
    }
    const part = parts[i]
    if (part === undefined) return undefined
    if (segment.literal !== undefined) {
      if (segment.literal !== part) return undefined
    } else params[segment.param ?? ''] = safeDecode(part)
  }
  return parts.length === segments.length ? params : undefined
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}
